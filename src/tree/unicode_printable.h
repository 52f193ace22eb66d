#pragma once
// Python's notion of a printable code point (str.isprintable), used to reproduce
// Python's str repr of profile strings. The table is generated from Python's Unicode
// database by scripts/gen_unicode_printable.py.

#include <cstddef>

namespace honeyvt::tree {

struct CodePointRange {
  char32_t first;
  char32_t last;
};

extern const CodePointRange kNonPrintableRanges[];
extern const std::size_t kNonPrintableRangeCount;

// True if Python's repr() keeps `cp` as is (space counts as printable).
bool IsPythonPrintable(char32_t cp);

}  // namespace honeyvt::tree
