#include "podhop/model/objects.hpp"

#include <algorithm>

#include <fmt/format.h>

#include "podhop/core/check.hpp"
#include "podhop/model/podhop_kinds.hpp"

namespace podhop::model {

std::string_view to_string(DnsPolicy p) {
  switch (p) {
    case DnsPolicy::ClusterFirst:
      return "ClusterFirst";
    case DnsPolicy::ClusterFirstWithHostNet:
      return "ClusterFirstWithHostNet";
    case DnsPolicy::Default:
      return "Default";
    case DnsPolicy::None:
      return "None";
  }
  return "ClusterFirst";
}

std::string_view to_string(PodPhase p) {
  switch (p) {
    case PodPhase::Pending:
      return "Pending";
    case PodPhase::Running:
      return "Running";
    case PodPhase::Succeeded:
      return "Succeeded";
    case PodPhase::Failed:
      return "Failed";
    case PodPhase::Unknown:
      return "Unknown";
  }
  return "Unknown";
}

std::string_view to_string(ServiceType t) {
  switch (t) {
    case ServiceType::ClusterIP:
      return "ClusterIP";
    case ServiceType::NodePort:
      return "NodePort";
    case ServiceType::LoadBalancer:
      return "LoadBalancer";
    case ServiceType::ExternalName:
      return "ExternalName";
  }
  return "ClusterIP";
}

std::string_view to_string(TrafficPolicy t) {
  return t == TrafficPolicy::Local ? "Local" : "Cluster";
}

std::string_view to_string(AddressType t) {
  switch (t) {
    case AddressType::IPv4:
      return "IPv4";
    case AddressType::IPv6:
      return "IPv6";
    case AddressType::FQDN:
      return "FQDN";
  }
  return "IPv4";
}

std::string_view to_string(PathType t) {
  switch (t) {
    case PathType::Exact:
      return "Exact";
    case PathType::Prefix:
      return "Prefix";
    case PathType::ImplementationSpecific:
      return "ImplementationSpecific";
  }
  return "Prefix";
}

std::string_view to_string(ProxyMode m) {
  return m == ProxyMode::ipvs ? "ipvs" : "iptables";
}

bool ClusterConfig::has_addon(std::string_view addon) const {
  return std::find(addons.begin(), addons.end(), addon) != addons.end();
}

void apply_cluster_defaults(ClusterConfig& config) {
  if (config.nodes.empty()) config.nodes.push_back({.name = "node-1"});
  auto base = *core::Ipv4::parse("192.168.49.2");
  for (std::size_t i = 0; i < config.nodes.size(); ++i) {
    if (!config.nodes[i].ip)
      config.nodes[i].ip = core::Ipv4{base.value + static_cast<std::uint32_t>(i)};
  }
  bool has_example = std::any_of(config.external_hosts.begin(), config.external_hosts.end(),
                                 [](const ExternalHost& h) { return h.name == "example.com"; });
  if (!has_example)
    config.external_hosts.push_back({"example.com", *core::Ipv4::parse("93.184.215.14")});
}

namespace {

// True when text has one of the bytes that mark a cut-out word ('\0', '\1', '\2'). A plain
// loop: find_first_of calls memchr on the set for every byte.
bool has_marks(std::string_view text) {
  for (char c : text)
    if (static_cast<unsigned char>(c) <= 2) return true;
  return false;
}

}  // namespace

std::string Event::message() const {
  const std::string& text = message_text.str();
  if (!has_marks(text)) return text;
  std::string out;
  out.reserve(text.size() + involved.namespace_.size() + involved.name.size() + message_arg.size());
  for (char c : text) {
    switch (c) {
      case '\0':
        out += message_arg.str();
        break;
      case '\1':
        out += involved.namespace_.str();
        break;
      case '\2':
        out += involved.name.str();
        break;
      default:
        out += c;
    }
  }
  return out;
}

namespace {

/// A message being cut, on the stack for all but very long messages.
using MessageBuffer = fmt::basic_memory_buffer<char, 256>;

// Replaces the first `word` in text with `mark`, which is never longer than `word` (so in
// place); false when it is not there.
bool punch(MessageBuffer& text, std::string_view word, std::string_view mark) {
  if (word.empty() || mark.size() > word.size()) return false;
  const auto at = std::string_view(text.data(), text.size()).find(word);
  if (at == std::string_view::npos) return false;
  std::copy(mark.begin(), mark.end(), text.data() + at);
  std::copy(text.data() + at + word.size(), text.data() + text.size(),
            text.data() + at + mark.size());
  text.resize(text.size() - (word.size() - mark.size()));
  return true;
}

}  // namespace

std::uint16_t EventLog::few_id(StringPool& few, std::string_view word) {
  const std::uint32_t id = few.id(word);
  // Kinds, types, reasons and sources are words written in podhop's controllers: a few
  // dozen. Running out of 16 bits would be a bug, not a big cluster.
  PODHOP_CHECK(id <= 0xffffU, "more than 65,535 event kinds, types, reasons and sources");
  return static_cast<std::uint16_t>(id);
}

void EventLog::record(const EventDraft& d) {
  static_assert(sizeof(Record) == 24);
  StringPool& few = pools_->few;
  StringPool& pool = pools_->many;
  // Events come in runs (one pod's Scheduled, Pulled, Created, Started; a ReplicaSet's
  // SuccessfulCreate for each of its pods), so a word is first looked for among the words
  // of the last few records: comparing a few short texts costs less than hashing the word.
  // A text found there has that id in the pool (one id per text), so the records are
  // the same as without the look.
  const std::size_t recent = std::min<std::size_t>(items_.size(), 4);
  // The id of w among the last few records' `member`s, 0 when not there (or w is empty).
  auto from_recent = [&](auto member, const StringPool& p, std::string_view w) -> std::uint32_t {
    if (w.empty()) return 0;
    for (std::size_t k = 1; k <= recent; ++k) {
      const std::uint32_t id = items_[items_.size() - k].*member;
      if (id != 0 && p.at(id).view() == w) return id;
    }
    return 0;
  };
  // A word of the draft, kept as the draft's shared block when it has that text.
  auto word = [&](std::uint32_t Record::*member, std::string_view w) -> std::uint32_t {
    if (const std::uint32_t id = from_recent(member, pool, w)) return id;
    if (w.empty()) return 0;
    return d.shared_word && d.shared_word->view() == w ? pool.id_of(*d.shared_word) : pool.id(w);
  };
  Record e{};
  bool have_triple = false;
  for (std::size_t k = 1; k <= recent && !have_triple; ++k) {
    const std::uint16_t t = items_[items_.size() - k].triple;
    const auto& words = pools_->triples[t];
    if (few.at(words[0]) == d.kind && few.at(words[1]) == d.type && few.at(words[2]) == d.source) {
      e.triple = t;
      have_triple = true;
    }
  }
  if (!have_triple) {
    const std::array<std::uint16_t, 3> triple{few_id(few, d.kind), few_id(few, d.type),
                                              few_id(few, d.source)};
    auto [it, fresh] =
        pools_->triple_ids.try_emplace(triple, static_cast<std::uint16_t>(pools_->triples.size()));
    if (fresh) {
      PODHOP_CHECK(pools_->triples.size() < 0xffffU, "more than 65,535 event kinds and sources");
      pools_->triples.push_back(triple);
    }
    e.triple = it->second;
  }
  e.namespace_ = from_recent(&Record::namespace_, pool, d.namespace_);
  if (e.namespace_ == 0) e.namespace_ = pool.id(d.namespace_);
  e.name = word(&Record::name, d.name);
  e.reason = static_cast<std::uint16_t>(from_recent(&Record::reason, few, d.reason));
  if (e.reason == 0) e.reason = few_id(few, d.reason);
  // Events one after the other mostly share their time: a time differing from the last
  // one gets a new id.
  auto& times = pools_->times;
  if (times.empty() || times.back() != d.at) {
    PODHOP_CHECK(times.size() < 0xffffffffU, "more than 2^32 event times");
    times.push_back(d.at);
  }
  e.at = static_cast<std::uint32_t>(times.size() - 1);
  // Cut the words that vary from event to event out of the message, so the rest is one
  // shared text: '\0' stands for message_arg, '\1' for the involved object's namespace,
  // '\2' for its name. No message has these bytes (one that does is kept whole).
  MessageBuffer text;
  text.append(d.message.data(), d.message.data() + d.message.size());
  if (!has_marks(d.message)) {
    if (punch(text, d.message_arg, std::string_view("\0", 1))) {
      e.message_arg = word(&Record::message_arg, d.message_arg);
    } else {
      MessageBuffer object;  // namespace/name
      if (!d.namespace_.empty() && !d.name.empty()) {
        object.append(d.namespace_.data(), d.namespace_.data() + d.namespace_.size());
        object.push_back('/');
        object.append(d.name.data(), d.name.data() + d.name.size());
      }
      if (object.size() == 0 ||
          !punch(text, std::string_view(object.data(), object.size()), "\1/\2"))
        punch(text, d.name, "\2");
    }
  }
  const std::string_view message_text(text.data(), text.size());
  e.message_text = from_recent(&Record::message_text, pool, message_text);
  if (e.message_text == 0) e.message_text = pool.id(message_text);
  items_.push_back(e);
}

Event EventLog::operator[](std::size_t i) const {
  const Record& r = items_[i];
  const StringPool& few = pools_->few;
  const StringPool& pool = pools_->many;
  const auto& triple = pools_->triples[r.triple];
  Event e;
  e.involved = {few.at(triple[0]), pool.at(r.namespace_), pool.at(r.name)};
  e.type = few.at(triple[1]);
  e.reason = few.at(r.reason);
  e.source = few.at(triple[2]);
  e.at = pools_->times[r.at];
  e.message_text = pool.at(r.message_text);
  e.message_arg = pool.at(r.message_arg);
  e.index = i;
  return e;
}

void EndpointAddresses::assign(std::vector<std::string> list) {
  list_.reset();
  single_ = false;
  ip_ = {};
  if (list.empty()) return;
  if (list.size() == 1) {
    // Kept as 4 bytes only when printing it gives back exactly what was written.
    if (auto ip = core::Ipv4::parse(list[0]); ip && !ip->empty() && ip->str() == list[0]) {
      ip_ = *ip;
      single_ = true;
      return;
    }
  }
  list_ = std::make_unique<std::vector<std::string>>(std::move(list));
}

std::vector<std::string> EndpointAddresses::list() const {
  if (list_) return *list_;
  if (single_) return {ip_.str()};
  return {};
}

}  // namespace podhop::model
