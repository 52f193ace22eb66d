#pragma once
// The root filters of `honeyvt tree` (readlogsqltree's -r -c -o -d -t -T -u -p -P -m -y)
// and the root query built from them. Every value is bound as an SQL parameter; the SQL
// text itself is assembled only from constants of this file.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "tree/value.h"

namespace honeyvt::tree {

struct TreeFilters {
  std::optional<std::string> remote_host;           // -r: remote_host = v
  std::optional<std::int64_t> connection;           // -c: connection id = v
  std::optional<std::string> in_offer_url;          // -o: offer_url LIKE %v%
  std::optional<std::string> in_download_url;       // -d: download_url LIKE %v%
  std::optional<double> time_from;                  // -t: connection_timestamp > v (Unix s)
  std::optional<double> time_to;                    // -T: connection_timestamp < v
  std::optional<std::string> dcerpcbind_uuid;       // -u
  std::optional<std::int64_t> dcerpcrequest_opnum;  // -p
  std::optional<std::string> protocol;              // -P
  std::optional<std::string> md5sum;                // -m
  std::optional<std::string> connection_type;       // -y
};

// The root query, in the original's shape: constant SELECT/FROM, the base predicate line,
// then one "\tAND <condition> \n" line per filter in the order r c o d t T u p P m y.
struct RootQuery {
  std::string text;           // what -q prints (ends with the last condition line)
  std::vector<Value> params;  // bound to ?1..?N in order
};
RootQuery BuildRootQuery(const TreeFilters& filters);

// `query.text` plus paging: "AND c.connection > ?{N+1} AND c.connection <= ?{N+3}
// ORDER BY c.connection LIMIT ?{N+2}".
std::string PagedRootSql(const RootQuery& query);

// Column layout of the root query and of every connection row we read.
inline constexpr const char* kConnectionColumns =
    "c.connection, c.connection_type, c.connection_transport, c.connection_protocol, "
    "datetime(c.connection_timestamp,'unixepoch','localtime'), c.connection_root, "
    "c.connection_parent, c.local_host, c.local_port, c.remote_host, c.remote_hostname, "
    "c.remote_port, c.connection_timestamp";

}  // namespace honeyvt::tree
