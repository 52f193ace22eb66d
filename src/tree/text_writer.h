#pragma once
// readlogsqltree's text format (TREE-SPEC §5-§8), byte for byte. Each line is composed
// in a buffer and then written with its indent; unless `raw`, the line goes through
// AppendTerminalSafe (escape.h) so attacker strings cannot drive the terminal.

#include <string>

#include "tree/sink.h"
#include "tree/source.h"
#include "tree/vt_summary.h"
#include "tree/writer.h"

namespace honeyvt::tree {

class TextWriter final : public TreeWriter {
 public:
  TextWriter(TreeSource& source, VtLookup& vt, Sink& sink, bool raw)
      : source_(source), vt_(vt), sink_(sink), raw_(raw) {}
  Status Enter(const Connection& c, std::size_t depth) override;
  Status Leave(std::size_t) override { return OkStatus(); }

 private:
  void Emit(std::size_t indent);  // writes line_ (escaped unless raw_) and a newline
  void ConnectionLine(const Connection& c);
  Status Items(const Connection& c, std::size_t depth);
  Status Downloads(std::int64_t id, std::size_t depth);
  Status Mysql(std::int64_t id, std::size_t depth);
  Status Sip(std::int64_t id, std::size_t depth);

  TreeSource& source_;
  VtLookup& vt_;
  Sink& sink_;
  bool raw_;
  std::string line_;
  std::string escaped_;
};

// Python '{:02x}'.format(v) for the mysql opcode (a non-integer prints as str()).
std::string MysqlOpcode(const Value& v);

}  // namespace honeyvt::tree
