#pragma once
// The per-connection item tables the tree prints, with the SQL that reads them. Each
// kind is read either for one connection (point query on its `connection` index) or for
// a whole id range (range scan of the same index), always in (connection, rowid) order,
// which is the order readlogsqltree's unordered per-connection queries return.

#include <array>
#include <cstddef>
#include <string>

namespace honeyvt::tree {

enum class Kind {
  kP0f,
  kDcerpcBind,
  kDcerpcRequest,
  kProfile,
  kOffer,
  kDownload,
  kService,
  kLogin,
  kMssqlFingerprint,
  kMssqlCommand,
  kMysqlCommand,
  kSip,
};
inline constexpr std::size_t kKindCount = 12;

struct KindSpec {
  Kind kind;
  const char* table;    // the table that must exist (missing tables read as empty)
  const char* key;      // the connection column, qualified
  const char* columns;  // selected after the key
  const char* from;     // FROM clause (with joins)
  const char* rowid;    // tie order within one connection
};

const KindSpec& SpecOf(Kind kind);

// SQL reading one connection's rows (?1 = id) or an id range (?1 <= id <= ?2).
std::string PointSql(const KindSpec& spec);
std::string RangeSql(const KindSpec& spec);

// Sub-items of one SIP command, read by sip_command. dionaea has no index on these
// tables' sip_command column; see SipTables for how they are made fast.
enum class SipPart { kAddrs, kVias, kOrigins, kConnectionDatas, kMedias };
inline constexpr std::size_t kSipPartCount = 5;
struct SipPartSpec {
  SipPart part;
  const char* table;
  const char* columns;
};
const SipPartSpec& SpecOf(SipPart part);

}  // namespace honeyvt::tree
