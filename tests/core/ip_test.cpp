#include <catch2/catch.hpp>

#include <fmt/format.h>

#include "podhop/core/ip.hpp"

using podhop::core::Cidr;
using podhop::core::Ipv4;

TEST_CASE("IPv4 addresses parse and format as dotted quads", "[core]") {
  struct Case {
    const char* text;
    std::uint32_t value;
  };
  const Case cases[] = {
      {"0.0.0.0", 0},
      {"10.96.0.10", 0x0A60000A},
      {"10.244.1.7", 0x0AF40107},
      {"192.168.49.2", 0xC0A83102},
      {"255.255.255.255", 0xFFFFFFFF},
      {"127.0.0.1", 0x7F000001},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    const auto ip = Ipv4::parse(c.text);
    REQUIRE(ip.has_value());
    CHECK(ip->value == c.value);
    CHECK(ip->str() == c.text);
    CHECK(fmt::format("{}", *ip) == c.text);
  }
}

TEST_CASE("append_to appends the dotted quad to what is there", "[core]") {
  std::string out = "from ";
  Ipv4{0xC0A83102}.append_to(out);
  out += ", ";
  Ipv4{0}.append_to(out);
  out += ", ";
  Ipv4{0xFFFFFFFF}.append_to(out);
  CHECK(out == "from 192.168.49.2, 0.0.0.0, 255.255.255.255");
}

TEST_CASE("text that is not an IPv4 address is refused", "[core]") {
  for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "256.0.0.1", "1.2.3.4.", ".1.2.3.4", "1..2.3",
                          "01.2.3.4", "1.2.3.04", " 1.2.3.4", "1.2.3.4 ", "1.2.3.-4", "1.2.3.+4",
                          "a.b.c.d", "1.2.3.4/32", "1234.1.1.1", "::1"}) {
    INFO("'" << bad << "'");
    CHECK_FALSE(Ipv4::parse(bad).has_value());
  }
}

TEST_CASE("the zero address is the empty address, and addresses order numerically", "[core]") {
  CHECK(Ipv4{}.empty());
  CHECK_FALSE(Ipv4::parse("0.0.0.1")->empty());
  CHECK(*Ipv4::parse("10.0.0.9") < *Ipv4::parse("10.0.0.10"));
  CHECK(*Ipv4::parse("9.255.255.255") < *Ipv4::parse("10.0.0.0"));
}

TEST_CASE("an address has the dashed form DNS uses for pod names", "[core]") {
  CHECK(Ipv4::parse("10.244.0.5")->dashed() == "10-244-0-5");
  CHECK(Ipv4{}.dashed() == "0-0-0-0");
}

TEST_CASE("CIDR blocks parse to their network address and format back", "[core]") {
  struct Case {
    const char* text;
    const char* formatted;
    int prefix;
    std::uint64_t size;
  };
  const Case cases[] = {
      {"10.244.0.0/16", "10.244.0.0/16", 16, 65536},
      {"10.96.0.0/12", "10.96.0.0/12", 12, 1048576},
      {"10.244.1.7/24", "10.244.1.0/24", 24, 256},  // host bits are masked off
      {"192.168.1.1/32", "192.168.1.1/32", 32, 1},
      {"1.2.3.4/0", "0.0.0.0/0", 0, std::uint64_t{1} << 32},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    const auto cidr = Cidr::parse(c.text);
    REQUIRE(cidr.has_value());
    CHECK(cidr->str() == c.formatted);
    CHECK(fmt::format("{}", *cidr) == c.formatted);
    CHECK(cidr->prefix == c.prefix);
    CHECK(cidr->size() == c.size);
  }
}

TEST_CASE("text that is not a CIDR block is refused", "[core]") {
  for (const char* bad : {"", "10.0.0.0", "10.0.0.0/", "/8", "10.0.0.0/33", "10.0.0.0/-1",
                          "10.0.0.0/8x", "10.0.0/8", "10.0.0.0//8", "10.0.0.0/ 8"}) {
    INFO("'" << bad << "'");
    CHECK_FALSE(Cidr::parse(bad).has_value());
  }
}

TEST_CASE("a CIDR block contains exactly the addresses under its prefix", "[core]") {
  struct Case {
    const char* cidr;
    const char* ip;
    bool inside;
  };
  const Case cases[] = {
      {"10.244.0.0/16", "10.244.0.0", true},    {"10.244.0.0/16", "10.244.255.255", true},
      {"10.244.0.0/16", "10.245.0.0", false},   {"10.244.0.0/16", "10.243.255.255", false},
      {"10.96.0.0/12", "10.111.255.255", true}, {"10.96.0.0/12", "10.112.0.0", false},
      {"192.168.1.1/32", "192.168.1.1", true},  {"192.168.1.1/32", "192.168.1.2", false},
      {"0.0.0.0/0", "255.255.255.255", true},   {"0.0.0.0/0", "0.0.0.0", true},
  };
  for (const auto& c : cases) {
    INFO(c.cidr << " contains " << c.ip);
    CHECK(Cidr::parse(c.cidr)->contains(*Ipv4::parse(c.ip)) == c.inside);
  }
}

TEST_CASE("the i-th address of a block counts from the network address", "[core]") {
  const Cidr block = *Cidr::parse("10.244.1.0/24");
  CHECK(block.at(0).str() == "10.244.1.0");
  CHECK(block.at(10).str() == "10.244.1.10");
  CHECK(block.at(255).str() == "10.244.1.255");
}

TEST_CASE("IPv6 text is recognised so it can be refused with a clear message", "[core]") {
  CHECK(podhop::core::looks_like_ipv6("::1"));
  CHECK(podhop::core::looks_like_ipv6("fd00::10"));
  CHECK_FALSE(podhop::core::looks_like_ipv6("10.0.0.1"));
}
