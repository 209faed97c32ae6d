#pragma once
// The string checks of k8s.io/apimachinery/pkg/util/validation, with their exact messages.
//
// Each check returns the list of messages Kubernetes would give (empty when the value is
// valid), so callers can build `field: Invalid value: "x": <message>` the way the API
// server does, one error per message.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace podhop::manifest::detail {

using Messages = std::vector<std::string>;

/// RFC 1123 label: [a-z0-9]([-a-z0-9]*[a-z0-9])?, at most 63 characters.
Messages is_dns1123_label(std::string_view value);
/// RFC 1123 subdomain: labels joined by dots, at most 253 characters.
Messages is_dns1123_subdomain(std::string_view value);
/// RFC 1035 label: [a-z]([-a-z0-9]*[a-z0-9])?, at most 63 characters (Service names).
Messages is_dns1035_label(std::string_view value);
/// `*.` followed by a subdomain (Ingress hosts).
Messages is_wildcard_dns1123_subdomain(std::string_view value);
/// IANA_SVC_NAME (named ports).
Messages is_valid_port_name(std::string_view value);
/// 1..65535.
Messages is_valid_port_num(std::int64_t port);
/// A label key / qualified name: optional DNS subdomain prefix and '/', then a name part.
Messages is_qualified_name(std::string_view value);
/// A label value: empty or [A-Za-z0-9]([-A-Za-z0-9_.]*)?[A-Za-z0-9], at most 63 characters.
Messages is_valid_label_value(std::string_view value);
/// A percentage such as "25%".
Messages is_valid_percent(std::string_view value);
/// A ConfigMap or Secret key.
Messages is_config_map_key(std::string_view value);
/// A path segment name (IngressClass parameters kind and name): no '/', '%', '.' or '..'.
Messages is_path_segment_name(std::string_view value);

/// `must be between lo and hi, inclusive`
std::string inclusive_range_error(std::int64_t lo, std::int64_t hi);

/// True when text is an IP address Go's net.ParseIP would accept (IPv4 dotted quad, also
/// with leading zeros as ParseIPSloppy allows, or IPv6).
bool is_ip(std::string_view text);
/// True when text is an IPv4 dotted quad (leading zeros allowed, as ParseIPSloppy).
bool is_ipv4(std::string_view text);
/// True when text is a CIDR Go's ParseCIDRSloppy accepts.
bool is_cidr(std::string_view text);

/// ValidateNonSpecialIP: unspecified, loopback, link-local and link-local multicast
/// addresses are refused for endpoints and external IPs.
Messages non_special_ip(std::string_view ip);

/// The names validators Kubernetes uses for object names (metadata.name).
enum class NameRule : std::uint8_t { dns1123_subdomain, dns1123_label, dns1035_label };
Messages validate_name(NameRule rule, std::string_view name);

}  // namespace podhop::manifest::detail
