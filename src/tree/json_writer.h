#pragma once
// `--format json`: NDJSON, one object per root tree, children nested under "children".
// Field values keep their SQLite types (null, integer, real, string); a BLOB becomes a
// string of its bytes. Text is always valid JSON (escape.h). See docs/tree.md.

#include <string>
#include <vector>

#include "tree/sink.h"
#include "tree/source.h"
#include "tree/vt_summary.h"
#include "tree/writer.h"

namespace honeyvt::tree {

class JsonWriter final : public TreeWriter {
 public:
  JsonWriter(TreeSource& source, VtLookup& vt, Sink& sink)
      : source_(source), vt_(vt), sink_(sink) {}
  Status Enter(const Connection& c, std::size_t depth) override;
  Status Leave(std::size_t depth) override;

 private:
  Status Items(const Connection& c, std::size_t depth);
  Status Simple(Kind kind, std::int64_t id, const char* name,
                std::initializer_list<const char*> fields);
  Status Downloads(std::int64_t id);
  Status Mysql(std::int64_t id);
  Status Sip(std::int64_t id);
  void Flush();

  TreeSource& source_;
  VtLookup& vt_;
  Sink& sink_;
  std::string out_;
  std::vector<bool> first_child_;  // per depth: no child written yet
};

// Appends a JSON rendering of a captured value.
void AppendJsonValue(std::string& out, const Value& v);

}  // namespace honeyvt::tree
