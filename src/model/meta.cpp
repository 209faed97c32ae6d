#include "podhop/model/meta.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace podhop::model {

StringMap::StringMap(std::initializer_list<Entry> init) {
  for (const auto& [k, v] : init) set(k, v);
}

const std::string* StringMap::get(std::string_view key) const {
  const auto& items = entries();
  auto it = std::lower_bound(items.begin(), items.end(), key,
                             [](const Entry& e, std::string_view k) { return e.first < k; });
  if (it == items.end() || it->first != key) return nullptr;
  return &it->second;
}

std::vector<StringMap::Entry>& StringMap::own() {
  if (!items_) {
    items_ = new Shared;
  } else if (items_->refs > 1) {
    auto* mine = new Shared{1, items_->entries};
    release();
    items_ = mine;
  }
  return items_->entries;
}

void StringMap::set(std::string key, std::string value) {
  if (const std::string* have = get(key); have && *have == value) return;  // shared stays shared
  auto& items = own();
  auto it = std::lower_bound(items.begin(), items.end(), key,
                             [](const Entry& e, const std::string& k) { return e.first < k; });
  if (it != items.end() && it->first == key) {
    it->second = std::move(value);
    return;
  }
  // A small map grows one entry at a time: labels and annotations are built once and then
  // kept, so doubling would leave up to half of their 64-byte entries unused for good.
  if (items.size() == items.capacity() && items.size() < 16) {
    const auto at = it - items.begin();
    items.reserve(items.size() + 1);
    it = items.begin() + at;
  }
  items.emplace(it, std::move(key), std::move(value));
}

bool StringMap::erase(std::string_view key) {
  if (!get(key)) return false;
  auto& items = own();
  auto it = std::lower_bound(items.begin(), items.end(), key,
                             [](const Entry& e, std::string_view k) { return e.first < k; });
  items.erase(it);
  if (items.empty()) release();
  return true;
}

std::string StringMap::str() const {
  std::string out;
  for (const auto& [k, v] : entries()) {
    if (!out.empty()) out += ',';
    out += k;
    out += '=';
    out += v;
  }
  return out;
}

std::string IntOrString::str() const {
  switch (kind) {
    case Kind::integer:
      return std::to_string(int_value);
    case Kind::string:
      return str_value;
    case Kind::unset:
      break;
  }
  return {};
}

std::string describe_object(std::string_view kind, std::string_view name) {
  return fmt::format("{} \"{}\"", kind, name);
}

bool selector_matches(const StringMap& selector, const StringMap& labels) {
  for (const auto& [k, v] : selector) {
    const std::string* have = labels.get(k);
    if (!have || *have != v) return false;
  }
  return true;
}

bool LabelSelector::matches(const StringMap& labels) const {
  if (!selector_matches(match_labels, labels)) return false;
  for (const auto& req : match_expressions) {
    const std::string* have = labels.get(req.key);
    bool in_values =
        have && std::find(req.values.begin(), req.values.end(), *have) != req.values.end();
    switch (req.op) {
      case SelectorOp::In:
        if (!in_values) return false;
        break;
      case SelectorOp::NotIn:
        if (in_values) return false;
        break;
      case SelectorOp::Exists:
        if (!have) return false;
        break;
      case SelectorOp::DoesNotExist:
        if (have) return false;
        break;
    }
  }
  return true;
}

std::string LabelSelector::str() const {
  std::string out = match_labels.str();
  for (const auto& req : match_expressions) {
    if (!out.empty()) out += ',';
    switch (req.op) {
      case SelectorOp::In:
        out += fmt::format("{} in ({})", req.key, fmt::join(req.values, ","));
        break;
      case SelectorOp::NotIn:
        out += fmt::format("{} notin ({})", req.key, fmt::join(req.values, ","));
        break;
      case SelectorOp::Exists:
        out += req.key;
        break;
      case SelectorOp::DoesNotExist:
        out += "!" + req.key;
        break;
    }
  }
  return out;
}

std::string_view to_string(Protocol p) {
  switch (p) {
    case Protocol::TCP:
      return "TCP";
    case Protocol::UDP:
      return "UDP";
    case Protocol::SCTP:
      return "SCTP";
  }
  return "TCP";
}

std::optional<Protocol> parse_protocol(std::string_view s) {
  if (s == "TCP") return Protocol::TCP;
  if (s == "UDP") return Protocol::UDP;
  if (s == "SCTP") return Protocol::SCTP;
  return std::nullopt;
}

}  // namespace podhop::model
