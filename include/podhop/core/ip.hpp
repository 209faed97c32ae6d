#pragma once
// IPv4 addresses and CIDR blocks as plain integers.

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <fmt/format.h>

namespace podhop::core {

/// An IPv4 address in host byte order. 0.0.0.0 doubles as "no address".
struct Ipv4 {
  std::uint32_t value = 0;

  constexpr auto operator<=>(const Ipv4&) const = default;
  constexpr bool empty() const { return value == 0; }
  static std::optional<Ipv4> parse(std::string_view text);
  std::string str() const;
  /// Appends str() to `out` (no allocation of its own).
  void append_to(std::string& out) const;
  /// "10-244-0-5": the dashed form DNS uses for pod and endpoint names.
  std::string dashed() const;
};

/// An IPv4 block such as 10.244.0.0/16.
struct Cidr {
  Ipv4 base;
  int prefix = 32;

  static std::optional<Cidr> parse(std::string_view text);
  bool contains(Ipv4 ip) const;
  std::uint64_t size() const { return std::uint64_t{1} << (32 - prefix); }
  /// The i-th address of the block (0 is the network address).
  Ipv4 at(std::uint64_t i) const { return Ipv4{base.value + static_cast<std::uint32_t>(i)}; }
  std::string str() const;
  constexpr bool operator==(const Cidr&) const = default;
};

/// True when text looks like an IPv6 address (has a ':'); podhop's data plane is IPv4 only.
bool looks_like_ipv6(std::string_view text);

}  // namespace podhop::core

template <>
struct fmt::formatter<podhop::core::Ipv4> : fmt::formatter<std::string> {
  auto format(podhop::core::Ipv4 ip, fmt::format_context& ctx) const {
    return fmt::formatter<std::string>::format(ip.str(), ctx);
  }
};
template <>
struct fmt::formatter<podhop::core::Cidr> : fmt::formatter<std::string> {
  auto format(const podhop::core::Cidr& c, fmt::format_context& ctx) const {
    return fmt::formatter<std::string>::format(c.str(), ctx);
  }
};

template <>
struct std::hash<podhop::core::Ipv4> {
  std::size_t operator()(podhop::core::Ipv4 ip) const noexcept { return ip.value * 0x9E3779B1u; }
};
