#include "context.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace podhop::controllers::detail {

Context::Context(model::ClusterState& s, const ReconcileOptions& o)
    : state(s), options(o), empty_spec(std::make_shared<const model::PodSpec>()) {}

const model::Node* Context::node_named(std::string_view name) const {
  auto i = index_of_node(name);
  return i < 0 ? nullptr : &node_at(static_cast<std::uint32_t>(i));
}

std::int64_t Context::index_of_node(std::string_view name) const {
  if (name.empty()) return -1;
  auto it = node_index.find(std::string(name));
  return it == node_index.end() ? -1 : static_cast<std::int64_t>(it->second);
}

model::ObjectMeta Context::new_meta(std::string ns, std::string name, std::string api_version) {
  model::ObjectMeta m;
  m.name = std::move(name);
  m.namespace_ = std::move(ns);
  m.creation_index = state.next_creation_index++;
  m.created = state.now;
  m.api_version = words.share(api_version);
  return m;
}

void Context::event(const EventRef& involved, std::string_view type, std::string_view reason,
                    std::string_view message, std::string_view source,
                    std::string_view message_arg) {
  if (!options.record_events) return;
  if (warnings_indexed_ && type == "Warning")
    warnings_seen_.insert(
        event_key(involved.kind, involved.namespace_, involved.name, reason, message));
  // A pod's name, the involved object or the word of a ReplicaSet's "Created pod: NAME",
  // goes into the log as the block the pod's endpoints share (see shared_name).
  const std::string_view pod_name = involved.kind == "Pod" ? involved.name : message_arg;
  const model::SharedStr* shared = pod_name.empty() ? nullptr : &shared_name(pod_name);
  state.events.record({.kind = involved.kind,
                       .namespace_ = involved.namespace_,
                       .name = involved.name,
                       .type = type,
                       .reason = reason,
                       .message = message,
                       .source = source,
                       .at = state.now,
                       .message_arg = message_arg,
                       .shared_word = shared});
}

const model::SharedStr& Context::shared_name(std::string_view name) {
  // A pod's events come one after the other: the last name is the likely one.
  if (last_shared_.view() != name) last_shared_ = words.share(name);
  return last_shared_;
}

const model::SharedStr& Context::node_name_block(std::uint32_t index) {
  if (node_name_blocks_.size() <= index)
    node_name_blocks_.resize(std::max<std::size_t>(node_slots.size(), index + 1));
  auto& block = node_name_blocks_[index];
  if (block.empty()) block = words.share(node_at(index).meta.name);
  return block;
}

model::StringMap Context::shared_map(const model::StringMap& m) {
  // The key lists every entry, each word after its length: annotation values may hold any
  // byte, so no separator could tell {"a": "b,c"} from {"a": "b", "c": ...}.
  std::string key;
  for (const auto& [k, v] : m) {
    for (const std::string* word : {&k, &v}) {
      key += std::to_string(word->size());
      key += ':';
      key += *word;
    }
  }
  return shared_maps_.try_emplace(std::move(key), m).first->second;
}

void Context::warning_once(EventRef involved, std::string_view reason, std::string message,
                           std::string_view source) {
  if (!options.record_events) return;
  if (!warnings_indexed_) {
    // Built on first use only: warnings are rare, the event log can be long.
    for (const auto& e : state.events)
      if (e.is_warning())
        warnings_seen_.insert(event_key(e.involved.kind, e.involved.namespace_, e.involved.name,
                                        e.reason, e.message()));
    warnings_indexed_ = true;
  }
  if (warnings_seen_.contains(
          event_key(involved.kind, involved.namespace_, involved.name, reason, message)))
    return;
  event(involved, "Warning", reason, message, source);
}

std::string Context::event_key(std::string_view kind, std::string_view ns, std::string_view name,
                               std::string_view reason, std::string_view message) {
  std::string k;
  k.reserve(kind.size() + ns.size() + name.size() + reason.size() + message.size() + 4);
  k.append(kind).push_back('\0');
  k.append(ns).push_back('\0');
  k.append(name).push_back('\0');
  k.append(reason).push_back('\0');
  k.append(message);
  return k;
}

EventRef ref(std::string_view kind, const model::ObjectMeta& meta) {
  return {kind, meta.namespace_, meta.name};
}

std::string ns_name(std::string_view ns, std::string_view name) {
  std::string s;
  s.reserve(ns.size() + name.size() + 1);
  s.append(ns).push_back('/');
  s.append(name);
  return s;
}

}  // namespace podhop::controllers::detail
