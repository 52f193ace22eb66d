#include "vt/json_doc.h"

#include <exception>
#include <vector>

namespace honeyvt::vt {
namespace {

struct LimitExceeded {
  const char* what;
};

// Enforces the depth, member and value limits while the parser runs.
class Limits {
 public:
  bool operator()(int depth, Json::parse_event_t event, Json& /*parsed*/) {
    if (depth > kMaxJsonDepth) throw LimitExceeded{"nested too deeply"};
    if (++values_ > kMaxJsonValues) throw LimitExceeded{"too many values"};
    switch (event) {
      case Json::parse_event_t::object_start:
        members_.push_back(0);
        break;
      case Json::parse_event_t::object_end:
        if (!members_.empty()) members_.pop_back();
        break;
      case Json::parse_event_t::key:
        if (!members_.empty() && ++members_.back() > kMaxObjectMembers) {
          throw LimitExceeded{"an object has too many members"};
        }
        break;
      default:
        break;
    }
    return true;
  }

 private:
  std::size_t values_ = 0;
  std::vector<std::size_t> members_;
};

}  // namespace

Error ShapeError(std::string_view what) {
  return MakeError(ErrorCode::kTransient, "unexpected VirusTotal reply: " + std::string(what));
}

Result<Json> ParseJson(std::string_view body) {
  if (body.size() > kMaxJsonBytes) return ShapeError("body larger than 64 MiB");
  if (body.empty()) return ShapeError("empty body");
  try {
    auto limits = std::make_shared<Limits>();
    Json::parser_callback_t callback = [limits](int depth, Json::parse_event_t event,
                                                Json& parsed) {
      return (*limits)(depth, event, parsed);
    };
    return Json::parse(body.begin(), body.end(), callback);
  } catch (const LimitExceeded& e) {
    return ShapeError(std::string("JSON ") + e.what);
  } catch (const nlohmann::json::exception& e) {
    return ShapeError("not valid JSON (" + Excerpt(e.what(), 120) + ")");
  } catch (const std::exception&) {
    return ShapeError("JSON could not be parsed");
  }
}

const Json* Member(const Json& object, std::string_view key) {
  if (!object.is_object()) return nullptr;
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

const Json* ObjectMember(const Json& object, std::string_view key) {
  const Json* m = Member(object, key);
  return m != nullptr && m->is_object() ? m : nullptr;
}

std::optional<std::string> StringMember(const Json& object, std::string_view key) {
  const Json* m = Member(object, key);
  if (m == nullptr || !m->is_string()) return std::nullopt;
  return m->get_ref<const std::string&>();
}

std::optional<std::int64_t> IntMember(const Json& object, std::string_view key) {
  const Json* m = Member(object, key);
  if (m == nullptr) return std::nullopt;
  if (m->is_number_integer() && !m->is_number_unsigned()) return m->get<std::int64_t>();
  if (m->is_number_unsigned()) {
    const auto u = m->get<std::uint64_t>();
    if (u <= static_cast<std::uint64_t>(INT64_MAX)) return static_cast<std::int64_t>(u);
  }
  return std::nullopt;
}

std::string StringOr(const Json& object, std::string_view key, std::string fallback) {
  auto s = StringMember(object, key);
  return s ? *s : std::move(fallback);
}

std::optional<std::string> IdMember(const Json& object, std::string_view key) {
  if (auto s = StringMember(object, key)) return s;
  if (auto i = IntMember(object, key)) return std::to_string(*i);
  return std::nullopt;
}

std::string Excerpt(std::string_view text, std::size_t max) {
  std::string out;
  for (char c : text.substr(0, max)) {
    const auto u = static_cast<unsigned char>(c);
    out += (u >= 0x20 && u < 0x7f) ? c : '?';
  }
  if (text.size() > max) out += "...";
  return out;
}

}  // namespace honeyvt::vt
