#include "tree/json_writer.h"

#include <cmath>

#include "tree/escape.h"
#include "tree/python_repr.h"

namespace honeyvt::tree {
namespace {

void Key(std::string& out, const char* key) {
  out += '"';
  out += key;
  out += "\":";
}

void Field(std::string& out, const char* key, const Value& v, bool comma = true) {
  if (comma) out += ',';
  Key(out, key);
  AppendJsonValue(out, v);
}

}  // namespace

void AppendJsonValue(std::string& out, const Value& v) {
  switch (v.type) {
    case store::ColumnType::kNull:
      out += "null";
      break;
    case store::ColumnType::kInteger:
      out += std::to_string(v.integer);
      break;
    case store::ColumnType::kFloat:
      if (std::isfinite(v.real))
        out += PyFloatRepr(v.real);
      else
        out += "null";
      break;
    case store::ColumnType::kText:
    case store::ColumnType::kBlob:
      AppendJsonString(out, v.bytes);
      break;
  }
}

void JsonWriter::Flush() {
  sink_.Write(out_);
  out_.clear();
}

Status JsonWriter::Enter(const Connection& c, std::size_t depth) {
  if (depth > 0) {
    if (!first_child_[depth - 1]) out_ += ',';
    first_child_[depth - 1] = false;
  }
  if (first_child_.size() <= depth) first_child_.resize(depth + 1);
  first_child_[depth] = true;
  out_ += '{';
  Field(out_, "connection", Value::Int(c.id), false);
  Field(out_, "type", c.type);
  Field(out_, "transport", c.transport);
  Field(out_, "protocol", c.protocol);
  Field(out_, "timestamp", c.when);
  Field(out_, "unixtime", c.unixtime);
  Field(out_, "root", c.root);
  Field(out_, "parent", c.parent);
  Field(out_, "local_host", c.local_host);
  Field(out_, "local_port", c.local_port);
  Field(out_, "remote_host", c.remote_host);
  Field(out_, "remote_hostname", c.remote_hostname);
  Field(out_, "remote_port", c.remote_port);
  RETURN_IF_ERROR(Items(c, depth));
  out_ += ",\"children\":[";
  if (out_.size() > 65536) Flush();
  return OkStatus();
}

Status JsonWriter::Leave(std::size_t depth) {
  out_ += "]}";
  if (depth == 0) {
    out_ += '\n';
    Flush();
  } else if (out_.size() > 65536) {
    Flush();
  }
  return OkStatus();
}

Status JsonWriter::Simple(Kind kind, std::int64_t id, const char* name,
                          std::initializer_list<const char*> fields) {
  ASSIGN_OR_RETURN(auto all, source_.Items(kind, id));
  // dcerpc binds are SELECT DISTINCT in the original; keep the JSON consistent.
  std::vector<Row> rows;
  if (kind == Kind::kDcerpcBind) {
    rows = DistinctRows(all);
  } else {
    for (const Row r : all) rows.push_back(r);
  }
  out_ += ',';
  Key(out_, name);
  out_ += '[';
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (i > 0) out_ += ',';
    out_ += '{';
    std::size_t col = 0;
    for (const char* f : fields) {
      Field(out_, f, rows[i][col], col > 0);
      ++col;
    }
    out_ += '}';
  }
  out_ += ']';
  return OkStatus();
}

Status JsonWriter::Items(const Connection& c, std::size_t depth) {
  const std::int64_t id = c.id;
  RETURN_IF_ERROR(
      Simple(Kind::kP0f, id, "p0fs", {"genre", "detail", "uptime", "tos", "dist", "nat", "fw"}));
  RETURN_IF_ERROR(
      Simple(Kind::kDcerpcBind, id, "dcerpc_binds", {"uuid", "service", "transfersyntax"}));
  RETURN_IF_ERROR(Simple(Kind::kDcerpcRequest, id, "dcerpc_requests",
                         {"uuid", "service", "opnum", "operation", "vuln"}));
  RETURN_IF_ERROR(Simple(Kind::kProfile, id, "profiles", {"json"}));
  RETURN_IF_ERROR(Simple(Kind::kOffer, id, "offers", {"url"}));
  RETURN_IF_ERROR(Downloads(id));
  RETURN_IF_ERROR(Simple(Kind::kService, id, "services", {"url"}));
  if (depth == 0) {
    RETURN_IF_ERROR(Simple(Kind::kLogin, id, "logins", {"username", "password"}));
    RETURN_IF_ERROR(Simple(Kind::kMssqlFingerprint, id, "mssql_fingerprints",
                           {"hostname", "appname", "cltintname"}));
    RETURN_IF_ERROR(Simple(Kind::kMssqlCommand, id, "mssql_commands", {"status", "cmd"}));
    RETURN_IF_ERROR(Mysql(id));
  }
  return Sip(id);
}

Status JsonWriter::Downloads(std::int64_t id) {
  ASSIGN_OR_RETURN(auto rows, source_.Items(Kind::kDownload, id));
  out_ += ",\"downloads\":[";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (i > 0) out_ += ',';
    out_ += '{';
    Field(out_, "md5", rows[i][0], false);
    Field(out_, "url", rows[i][1]);
    ASSIGN_OR_RETURN(const VtSummary* vt, vt_.Get(rows[i][0]));
    out_ += ",\"virustotal\":";
    if (!vt->has_line) {
      out_ += "null";
    } else {
      out_ += '{';
      Field(out_, "timestamp", Value::Text(vt->timestamp), false);
      Field(out_, "detected", Value::Int(vt->detected));
      Field(out_, "scanners", Value::Int(vt->scanners));
      out_ += ",\"percent\":";
      out_ += DetectionPercent(vt->detected, vt->scanners);
      Field(out_, "permalink", vt->permalink);
      out_ += '}';
    }
    out_ += ",\"names\":[";
    for (std::size_t n = 0; n < vt->names.size(); ++n) {
      if (n > 0) out_ += ',';
      AppendJsonString(out_, vt->names[n]);
    }
    out_ += "]}";
  }
  out_ += ']';
  return OkStatus();
}

Status JsonWriter::Mysql(std::int64_t id) {
  ASSIGN_OR_RETURN(auto rows, source_.Items(Kind::kMysqlCommand, id));
  out_ += ",\"mysql_commands\":[";
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (i > 0) out_ += ',';
    out_ += '{';
    Field(out_, "cmd", rows[i][1], false);
    Field(out_, "op", rows[i][2]);
    out_ += ",\"args\":[";
    ASSIGN_OR_RETURN(auto args, source_.MysqlArgs(rows[i][0]));
    for (std::size_t a = 0; a < args.size(); ++a) {
      if (a > 0) out_ += ',';
      AppendJsonValue(out_, args[a][0]);
    }
    out_ += "]}";
  }
  out_ += ']';
  return OkStatus();
}

Status JsonWriter::Sip(std::int64_t id) {
  ASSIGN_OR_RETURN(auto rows, source_.Items(Kind::kSip, id));
  out_ += ",\"sip_commands\":[";
  struct Part {
    SipPart part;
    const char* name;
    std::initializer_list<const char*> fields;
  };
  const Part parts[] = {
      {SipPart::kAddrs, "addrs", {"type", "display_name", "scheme", "user", "host", "port"}},
      {SipPart::kVias, "vias", {"protocol", "address", "port"}},
      {SipPart::kOrigins,
       "sdp_origins",
       {"username", "sess_id", "sess_version", "nettype", "addrtype", "unicast_address"}},
      {SipPart::kConnectionDatas,
       "sdp_connectiondatas",
       {"nettype", "addrtype", "connection_address", "ttl", "number_of_addresses"}},
      {SipPart::kMedias, "sdp_medias", {"media", "port", "number_of_ports", "proto"}},
  };
  for (std::size_t i = 0; i < rows.size(); ++i) {
    if (i > 0) out_ += ',';
    out_ += '{';
    Field(out_, "method", rows[i][1], false);
    Field(out_, "call_id", rows[i][2]);
    Field(out_, "user_agent", rows[i][3]);
    for (const Part& p : parts) {
      ASSIGN_OR_RETURN(auto sub, source_.SipParts(p.part, rows[i][0]));
      out_ += ',';
      Key(out_, p.name);
      out_ += '[';
      for (std::size_t s = 0; s < sub.size(); ++s) {
        if (s > 0) out_ += ',';
        out_ += '{';
        std::size_t col = 0;
        for (const char* f : p.fields) {
          Field(out_, f, sub[s][col], col > 0);
          ++col;
        }
        out_ += '}';
      }
      out_ += ']';
    }
    out_ += '}';
  }
  out_ += ']';
  return OkStatus();
}

}  // namespace honeyvt::tree
