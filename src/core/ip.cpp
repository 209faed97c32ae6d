#include "podhop/core/ip.hpp"

#include <charconv>

namespace podhop::core {

std::optional<Ipv4> Ipv4::parse(std::string_view text) {
  std::uint32_t v = 0;
  const char* p = text.data();
  const char* end = text.data() + text.size();
  for (int i = 0; i < 4; ++i) {
    if (p == end) return std::nullopt;
    unsigned octet = 0;
    const char* start = p;
    auto [q, ec] = std::from_chars(p, end, octet);
    if (ec != std::errc{} || octet > 255 || q == start || q - start > 3) return std::nullopt;
    // No leading zeros beyond a single "0" (Kubernetes rejects them in IPs).
    if (q - start > 1 && *start == '0') return std::nullopt;
    v = (v << 8) | octet;
    p = q;
    if (i < 3) {
      if (p == end || *p != '.') return std::nullopt;
      ++p;
    }
  }
  if (p != end) return std::nullopt;
  return Ipv4{v};
}

std::string Ipv4::str() const {
  return fmt::format("{}.{}.{}.{}", value >> 24, (value >> 16) & 255, (value >> 8) & 255,
                     value & 255);
}

std::string Ipv4::dashed() const {
  return fmt::format("{}-{}-{}-{}", value >> 24, (value >> 16) & 255, (value >> 8) & 255,
                     value & 255);
}

std::optional<Cidr> Cidr::parse(std::string_view text) {
  auto slash = text.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto ip = Ipv4::parse(text.substr(0, slash));
  if (!ip) return std::nullopt;
  int prefix = 0;
  auto rest = text.substr(slash + 1);
  auto [p, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), prefix);
  if (ec != std::errc{} || p != rest.data() + rest.size() || prefix < 0 || prefix > 32)
    return std::nullopt;
  std::uint32_t mask = prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix);
  return Cidr{Ipv4{ip->value & mask}, prefix};
}

bool Cidr::contains(Ipv4 ip) const {
  std::uint32_t mask = prefix == 0 ? 0 : ~std::uint32_t{0} << (32 - prefix);
  return (ip.value & mask) == base.value;
}

std::string Cidr::str() const { return fmt::format("{}/{}", base.str(), prefix); }

bool looks_like_ipv6(std::string_view text) { return text.find(':') != std::string_view::npos; }

}  // namespace podhop::core
