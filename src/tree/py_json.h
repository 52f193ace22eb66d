#pragma once
// Renders emu_profile_json the way readlogsqltree prints it: Python's repr() of
// json.loads(text). Lists print as [a, b], objects as {'k': v} with keys in document
// order (a repeated key keeps its first position and its last value, like a dict),
// true/false/null as True/False/None, numbers as Python int or float repr, strings with
// Python's str repr. The parser is iterative (no recursion), so nesting depth is bounded
// only by the input's size. Returns nullopt when the text is not JSON Python accepts
// (the caller then prints the text itself).

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace honeyvt::tree {

inline constexpr std::size_t kMaxJsonDepth = 4096;

std::optional<std::string> JsonToPythonRepr(std::string_view json);

}  // namespace honeyvt::tree
