#include "tree/filters.h"

namespace honeyvt::tree {
namespace {

void AddCondition(RootQuery& q, const char* condition, Value param) {
  q.text += "\tAND ";
  q.text += condition;
  q.text += " \n";
  q.params.push_back(std::move(param));
}

Value Real(double d) {
  Value v;
  v.type = store::ColumnType::kFloat;
  v.real = d;
  return v;
}

}  // namespace

RootQuery BuildRootQuery(const TreeFilters& f) {
  RootQuery q;
  q.text = "\nSELECT\n\t";
  q.text += kConnectionColumns;
  q.text +=
      "\nFROM\n\tconnections AS c\nWHERE\n"
      "\t(c.connection_root = c.connection OR c.connection_root IS NULL)\n";
  if (f.remote_host) AddCondition(q, "c.remote_host = ?", Value::Text(*f.remote_host));
  if (f.connection) AddCondition(q, "c.connection = ?", Value::Int(*f.connection));
  if (f.in_offer_url) {
    AddCondition(q, "c.connection IN (SELECT connection FROM offers WHERE offer_url LIKE ?)",
                 Value::Text("%" + *f.in_offer_url + "%"));
  }
  if (f.in_download_url) {
    AddCondition(q, "c.connection IN (SELECT connection FROM downloads WHERE download_url LIKE ?)",
                 Value::Text("%" + *f.in_download_url + "%"));
  }
  if (f.time_from) AddCondition(q, "c.connection_timestamp > ?", Real(*f.time_from));
  if (f.time_to) AddCondition(q, "c.connection_timestamp < ?", Real(*f.time_to));
  if (f.dcerpcbind_uuid) {
    AddCondition(q,
                 "c.connection IN (SELECT connection FROM dcerpcbinds WHERE dcerpcbind_uuid = ?)",
                 Value::Text(*f.dcerpcbind_uuid));
  }
  if (f.dcerpcrequest_opnum) {
    AddCondition(q,
                 "c.connection IN (SELECT connection FROM dcerpcrequests "
                 "WHERE dcerpcrequest_opnum = ?)",
                 Value::Int(*f.dcerpcrequest_opnum));
  }
  if (f.protocol) AddCondition(q, "c.connection_protocol = ?", Value::Text(*f.protocol));
  if (f.md5sum) {
    AddCondition(q,
                 "c.connection IN (SELECT connection FROM downloads WHERE download_md5_hash = ?)",
                 Value::Text(*f.md5sum));
  }
  if (f.connection_type) AddCondition(q, "c.connection_type = ?", Value::Text(*f.connection_type));
  return q;
}

std::string PagedRootSql(const RootQuery& query) {
  const std::size_t n = query.params.size();
  return query.text + "\tAND c.connection > ?" + std::to_string(n + 1) + " AND c.connection <= ?" +
         std::to_string(n + 3) + "\nORDER BY c.connection\nLIMIT ?" + std::to_string(n + 2) + "\n";
}

}  // namespace honeyvt::tree
