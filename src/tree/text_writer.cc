#include "tree/text_writer.h"

#include "tree/escape.h"
#include "tree/py_json.h"

namespace honeyvt::tree {
namespace {

// Appends literal text and values (Python str()) to a line.
void Put(std::string& line, std::string_view text) { line.append(text); }
void Put(std::string& line, const Value& v) { AppendPyStr(line, v); }
template <typename... Parts>
void Compose(std::string& line, const Parts&... parts) {
  line.clear();
  (Put(line, parts), ...);
}

bool TypeIs(const Value& v, std::string_view name) {
  return v.type == store::ColumnType::kText && v.bytes == name;
}

}  // namespace

std::string MysqlOpcode(const Value& v) {
  if (v.type != store::ColumnType::kInteger) return PyStr(v);
  static constexpr char kHex[] = "0123456789abcdef";
  const bool negative = v.integer < 0;
  std::uint64_t u =
      negative ? 0 - static_cast<std::uint64_t>(v.integer) : static_cast<std::uint64_t>(v.integer);
  std::string digits;
  do {
    digits.insert(digits.begin(), kHex[u & 0xF]);
    u >>= 4;
  } while (u != 0);
  if (negative) return "-" + digits;  // width 2 is already reached with the sign
  if (digits.size() < 2) digits.insert(digits.begin(), '0');
  return digits;
}

void TextWriter::Emit(std::size_t indent) {
  sink_.Spaces(indent);
  if (raw_) {
    line_ += '\n';
    sink_.Write(line_);
    return;
  }
  if (!NeedsTerminalEscape(line_)) {
    line_ += '\n';
    sink_.Write(line_);
    return;
  }
  escaped_.clear();
  AppendTerminalSafe(escaped_, line_);
  escaped_ += '\n';
  sink_.Write(escaped_);
}

void TextWriter::ConnectionLine(const Connection& c) {
  const Value id = Value::Int(c.id);
  const Value& t = c.type;
  if (TypeIs(t, "accept") || TypeIs(t, "reject") || TypeIs(t, "pending")) {
    Compose(line_, "connection ", id, " ", c.protocol, " ", c.transport, " ", t, " ", c.local_host,
            ":", c.local_port, " <- ", c.remote_host, ":", c.remote_port);
  } else if (TypeIs(t, "connect")) {
    Compose(line_, "connection ", id, " ", c.protocol, " ", c.transport, " ", t, " ", c.local_host,
            ":", c.local_port, " -> ", c.remote_hostname, "/", c.remote_host, ":", c.remote_port);
  } else if (TypeIs(t, "listen")) {
    Compose(line_, "connection ", id, " ", c.protocol, " ", c.transport, " ", t, " ", c.local_host,
            ":", c.local_port);
  } else {
    line_.clear();
  }
}

Status TextWriter::Enter(const Connection& c, std::size_t depth) {
  if (depth == 0) {
    Compose(line_, c.when);
    Emit(0);
  }
  ConnectionLine(c);
  const bool known = !line_.empty();
  line_ += " (";
  Put(line_, c.root);
  line_ += " ";
  Put(line_, c.parent);
  line_ += ")";
  Emit(known ? 2 * depth + 2 : 0);
  return Items(c, depth);
}

Status TextWriter::Items(const Connection& c, std::size_t depth) {
  const std::size_t in = 2 * depth + 3;
  const std::int64_t id = c.id;
  ASSIGN_OR_RETURN(auto p0fs, source_.Items(Kind::kP0f, id));
  for (const Row r : p0fs) {
    Compose(line_, "p0f: genre:'", r[0], "' detail:'", r[1], "' uptime:'", r[2], "' tos:'", r[3],
            "' dist:'", r[4], "' nat:'", r[5], "' fw:'", r[6], "'");
    Emit(in);
  }
  ASSIGN_OR_RETURN(auto binds, source_.Items(Kind::kDcerpcBind, id));
  for (const Row r : DistinctRows(binds)) {
    Compose(line_, "dcerpc bind: uuid '", r[0], "' (", r[1], ") transfersyntax ", r[2]);
    Emit(in);
  }
  ASSIGN_OR_RETURN(auto requests, source_.Items(Kind::kDcerpcRequest, id));
  for (const Row r : requests) {
    Compose(line_, "dcerpc request: uuid '", r[0], "' (", r[1], ") opnum ", r[2], " (", r[3], " (",
            r[4], "))");
    Emit(in);
  }
  ASSIGN_OR_RETURN(auto profiles, source_.Items(Kind::kProfile, id));
  for (const Row r : profiles) {
    std::optional<std::string> repr;
    if (r[0].type == store::ColumnType::kText) repr = JsonToPythonRepr(r[0].bytes);
    line_ = "profile: ";
    if (repr)
      line_ += *repr;
    else
      Put(line_, r[0]);
    Emit(in);
  }
  ASSIGN_OR_RETURN(auto offers, source_.Items(Kind::kOffer, id));
  for (const Row r : offers) {
    Compose(line_, "offer: ", r[0]);
    Emit(in);
  }
  RETURN_IF_ERROR(Downloads(id, depth));
  ASSIGN_OR_RETURN(auto services, source_.Items(Kind::kService, id));
  for (const Row r : services) {
    Compose(line_, "service: ", r[0]);
    Emit(in);
  }
  if (depth == 0) {
    ASSIGN_OR_RETURN(auto logins, source_.Items(Kind::kLogin, id));
    for (const Row r : logins) {
      Compose(line_, "login - user:'", r[0], "' password:'", r[1], "'");
      Emit(in);
    }
    ASSIGN_OR_RETURN(auto fps, source_.Items(Kind::kMssqlFingerprint, id));
    for (const Row r : fps) {
      // The original prints appname after "cltintname:" and vice versa (dionaea #239).
      Compose(line_, "mssql fingerprint - hostname:'", r[0], "' cltintname:'", r[1], "' appname:'",
              r[2], "'");
      Emit(in);
    }
    ASSIGN_OR_RETURN(auto cmds, source_.Items(Kind::kMssqlCommand, id));
    for (const Row r : cmds) {
      Compose(line_, "mssql command - status:", r[0], " cmd:'", r[1], "'");
      Emit(in);
    }
    RETURN_IF_ERROR(Mysql(id, depth));
  }
  return Sip(id, depth);
}

Status TextWriter::Downloads(std::int64_t id, std::size_t depth) {
  ASSIGN_OR_RETURN(auto downloads, source_.Items(Kind::kDownload, id));
  for (const Row r : downloads) {
    Compose(line_, "download: ", r[0], " ", r[1]);
    Emit(2 * depth + 3);
    ASSIGN_OR_RETURN(const VtSummary* vt, vt_.Get(r[0]));
    if (vt->has_line) {
      Compose(line_, "virustotal ", vt->timestamp, " ", Value::Int(vt->detected), "/",
              Value::Int(vt->scanners), " (", DetectionPercent(vt->detected, vt->scanners), "%) ",
              vt->permalink);
      Emit(2 * depth + 5);
    }
    line_ = "names ";
    for (const std::string& name : vt->names) {
      line_ += '\'';
      line_ += name;
      line_ += "' ";
    }
    Emit(2 * depth + 7);
  }
  return OkStatus();
}

Status TextWriter::Mysql(std::int64_t id, std::size_t depth) {
  ASSIGN_OR_RETURN(auto cmds, source_.Items(Kind::kMysqlCommand, id));
  // Copy: MysqlArgs reuses buffers, but the command rows live in the kind's buffer.
  for (const Row r : cmds) {
    Compose(line_, "mysql command (0x", MysqlOpcode(r[1]), ") ", r[2], "(");
    ASSIGN_OR_RETURN(auto args, source_.MysqlArgs(r[0]));
    bool first = true;
    for (const Row a : args) {
      if (!first) line_ += ',';
      first = false;
      line_ += '\'';
      Put(line_, a[0]);
      line_ += '\'';
    }
    line_ += ')';
    Emit(2 * depth + 3);
  }
  return OkStatus();
}

Status TextWriter::Sip(std::int64_t id, std::size_t depth) {
  ASSIGN_OR_RETURN(auto cmds, source_.Items(Kind::kSip, id));
  const std::size_t in = 2 * depth + 3, sub = 2 * depth + 5;
  for (const Row r : cmds) {
    Compose(line_, "Method:", r[1]);
    Emit(in);
    Compose(line_, "Call-ID:", r[2]);
    Emit(in);
    Compose(line_, "User-Agent:", r[3]);
    Emit(in);
    ASSIGN_OR_RETURN(auto addrs, source_.SipParts(SipPart::kAddrs, r[0]));
    for (const Row a : addrs) {
      Compose(line_, a[0], ": <", a[1], "> '", a[2], ":", a[3], "@", a[4], ":", a[5], "'");
      Emit(sub);
    }
    ASSIGN_OR_RETURN(auto vias, source_.SipParts(SipPart::kVias, r[0]));
    for (const Row v : vias) {
      Compose(line_, "via:'", v[0], "/", v[1], ":", v[2], "'");
      Emit(sub);
    }
    ASSIGN_OR_RETURN(auto origins, source_.SipParts(SipPart::kOrigins, r[0]));
    for (const Row o : origins) {
      Compose(line_, "o:'", o[0], " ", o[1], " ", o[2], " ", o[3], " ", o[4], " ", o[5], "'");
      Emit(sub);
    }
    ASSIGN_OR_RETURN(auto cdatas, source_.SipParts(SipPart::kConnectionDatas, r[0]));
    for (const Row c : cdatas) {
      Compose(line_, "c:'", c[0], " ", c[1], " ", c[2], " ", c[3], " ", c[4], "'");
      Emit(sub);
    }
    ASSIGN_OR_RETURN(auto medias, source_.SipParts(SipPart::kMedias, r[0]));
    for (const Row m : medias) {
      Compose(line_, "m:'", m[0], " ", m[1], " ", m[2], " ", m[3], "'");
      Emit(sub);
    }
  }
  return OkStatus();
}

}  // namespace honeyvt::tree
