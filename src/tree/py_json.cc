#include "tree/py_json.h"

#include <charconv>
#include <unordered_map>
#include <utility>
#include <vector>

#include "tree/python_repr.h"
#include "tree/utf8.h"

namespace honeyvt::tree {
namespace {

// One open container while parsing.
struct Frame {
  bool is_object = false;
  std::vector<std::pair<std::u32string, std::string>> entries;  // objects
  std::unordered_map<std::u32string, std::size_t> index;        // key -> entries slot
  std::vector<std::string> items;                               // arrays
  std::u32string key;                                           // object: pending key
};

class Parser {
 public:
  explicit Parser(std::string_view text) : s_(text) {}

  std::optional<std::string> Run() {
    std::vector<Frame> stack;
    std::string value;
    // Parse a value; containers push frames and are completed when closed.
    for (;;) {
      SkipWs();
      if (pos_ >= s_.size()) return std::nullopt;
      const char c = s_[pos_];
      if (c == '[' || c == '{') {
        ++pos_;
        if (stack.size() >= kMaxJsonDepth) return std::nullopt;
        stack.emplace_back().is_object = (c == '{');
        SkipWs();
        const char close = c == '[' ? ']' : '}';
        if (pos_ < s_.size() && s_[pos_] == close) {
          ++pos_;
          value = Close(stack.back());
          stack.pop_back();
        } else {
          if (stack.back().is_object && !ReadKey(stack.back())) return std::nullopt;
          continue;
        }
      } else if (!Scalar(value)) {
        return std::nullopt;
      }
      // A complete value: attach it to its parent, closing containers as they end.
      for (;;) {
        if (stack.empty()) {
          SkipWs();
          if (pos_ != s_.size()) return std::nullopt;
          return value;
        }
        Frame& top = stack.back();
        Attach(top, std::move(value));
        SkipWs();
        if (pos_ >= s_.size()) return std::nullopt;
        const char d = s_[pos_++];
        if (d == ',') {
          if (top.is_object && !ReadKey(top)) return std::nullopt;
          break;  // parse the next element
        }
        if (d != (top.is_object ? '}' : ']')) return std::nullopt;
        value = Close(top);
        stack.pop_back();
      }
    }
  }

 private:
  void SkipWs() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\t' || s_[pos_] == '\n' || s_[pos_] == '\r')) {
      ++pos_;
    }
  }

  bool ReadKey(Frame& f) {
    SkipWs();
    if (pos_ >= s_.size() || s_[pos_] != '"' || !String(f.key)) return false;
    SkipWs();
    return pos_ < s_.size() && s_[pos_++] == ':';
  }

  static void Attach(Frame& f, std::string value) {
    if (!f.is_object) {
      f.items.push_back(std::move(value));
      return;
    }
    auto [it, inserted] = f.index.try_emplace(f.key, f.entries.size());
    if (!inserted) {
      f.entries[it->second].second = std::move(value);
      return;
    }
    f.entries.emplace_back(std::move(f.key), std::move(value));
  }

  static std::string Close(const Frame& f) {
    std::string out(1, f.is_object ? '{' : '[');
    bool first = true;
    if (f.is_object) {
      for (const auto& [k, v] : f.entries) {
        if (!first) out += ", ";
        first = false;
        AppendPyStrRepr(out, k);
        out += ": ";
        out += v;
      }
    } else {
      for (const auto& v : f.items) {
        if (!first) out += ", ";
        first = false;
        out += v;
      }
    }
    out += f.is_object ? '}' : ']';
    return out;
  }

  bool Literal(std::string_view word) {
    if (s_.substr(pos_, word.size()) != word) return false;
    pos_ += word.size();
    return true;
  }

  bool Scalar(std::string& out) {
    const char c = s_[pos_];
    if (c == '"') {
      std::u32string text;
      if (!String(text)) return false;
      out.clear();
      AppendPyStrRepr(out, text);
      return true;
    }
    if (Literal("true")) return out = "True", true;
    if (Literal("false")) return out = "False", true;
    if (Literal("null")) return out = "None", true;
    if (Literal("NaN")) return out = "nan", true;
    if (Literal("Infinity")) return out = "inf", true;
    if (Literal("-Infinity")) return out = "-inf", true;
    return Number(out);
  }

  bool Digits() {
    const std::size_t start = pos_;
    while (pos_ < s_.size() && s_[pos_] >= '0' && s_[pos_] <= '9') ++pos_;
    return pos_ > start;
  }

  bool Number(std::string& out) {
    const std::size_t start = pos_;
    if (s_[pos_] == '-') ++pos_;
    if (pos_ >= s_.size()) return false;
    if (s_[pos_] == '0') {
      ++pos_;
    } else if (!Digits()) {
      return false;
    }
    bool is_float = false;
    if (pos_ < s_.size() && s_[pos_] == '.') {
      const std::size_t dot = pos_++;
      if (!Digits())
        pos_ = dot;  // "1." is int 1 followed by junk, as in Python
      else
        is_float = true;
    }
    if (pos_ < s_.size() && (s_[pos_] == 'e' || s_[pos_] == 'E')) {
      const std::size_t e = pos_++;
      if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) ++pos_;
      if (!Digits())
        pos_ = e;
      else
        is_float = true;
    }
    std::string_view num = s_.substr(start, pos_ - start);
    if (!is_float) {
      if (num == "-0") num = "0";
      out.assign(num);
      return true;
    }
    double d = 0;
    auto res = std::from_chars(num.data(), num.data() + num.size(), d);
    if (res.ec == std::errc::result_out_of_range) {
      // Overflow gives +-inf in Python; underflow gives 0.0.
      const bool neg = num.front() == '-';
      const bool tiny =
          num.find("e-") != std::string_view::npos || num.find("E-") != std::string_view::npos;
      out = tiny ? (neg ? "-0.0" : "0.0") : (neg ? "-inf" : "inf");
      return true;
    }
    if (res.ec != std::errc()) return false;
    out = PyFloatRepr(d);
    return true;
  }

  bool Hex4(char32_t& v) {
    if (pos_ + 4 > s_.size()) return false;
    v = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = s_[pos_++];
      v <<= 4;
      if (c >= '0' && c <= '9')
        v |= static_cast<char32_t>(c - '0');
      else if (c >= 'a' && c <= 'f')
        v |= static_cast<char32_t>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        v |= static_cast<char32_t>(c - 'A' + 10);
      else
        return false;
    }
    return true;
  }

  // Reads a JSON string starting at the opening quote.
  bool String(std::u32string& out) {
    out.clear();
    ++pos_;
    while (pos_ < s_.size()) {
      const auto b = static_cast<unsigned char>(s_[pos_]);
      if (b == '"') {
        ++pos_;
        return true;
      }
      if (b < 0x20) return false;  // Python's strict mode rejects raw control characters
      if (b != '\\') {
        char32_t cp = 0;
        const std::size_t n = DecodeUtf8(s_, pos_, cp);
        if (n == 0) return false;
        out += cp;
        pos_ += n;
        continue;
      }
      if (++pos_ >= s_.size()) return false;
      const char e = s_[pos_++];
      switch (e) {
        case '"':
          out += U'"';
          break;
        case '\\':
          out += U'\\';
          break;
        case '/':
          out += U'/';
          break;
        case 'b':
          out += U'\b';
          break;
        case 'f':
          out += U'\f';
          break;
        case 'n':
          out += U'\n';
          break;
        case 'r':
          out += U'\r';
          break;
        case 't':
          out += U'\t';
          break;
        case 'u': {
          char32_t cp = 0;
          if (!Hex4(cp)) return false;
          if (cp >= 0xD800 && cp <= 0xDBFF && s_.substr(pos_, 2) == "\\u") {
            const std::size_t save = pos_;
            pos_ += 2;
            char32_t low = 0;
            if (Hex4(low) && low >= 0xDC00 && low <= 0xDFFF) {
              cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            } else {
              pos_ = save;
            }
          }
          out += cp;
          break;
        }
        default:
          return false;
      }
    }
    return false;
  }

  std::string_view s_;
  std::size_t pos_ = 0;
};

}  // namespace

std::optional<std::string> JsonToPythonRepr(std::string_view json) { return Parser(json).Run(); }

}  // namespace honeyvt::tree
