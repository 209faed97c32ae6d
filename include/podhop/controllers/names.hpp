#pragma once
// Generated names, as Kubernetes makes them.
//
// Kubernetes draws the random part of generated names (`web-7c9f8d6b5-x2k4p`) from an
// alphabet without vowels and without 0, 1 and 3, so that no word and no look-alike digit
// appears (k8s.io/apimachinery/pkg/util/rand). podhop draws the same characters from a
// seeded core::RngStream, so the same inputs and seed always give the same names.

#include <cstdint>
#include <string>
#include <string_view>

#include "podhop/core/rng.hpp"
#include "podhop/model/objects.hpp"

namespace podhop::controllers {

/// kubectl's alphabet for generated names (rand.String / SafeEncodeString).
inline constexpr std::string_view kNameAlphabet = "bcdfghjklmnpqrstvwxz2456789";

/// A generateName prefix is cut to this length so prefix + 5 characters fit in 63.
inline constexpr std::size_t kMaxGeneratedPrefix = 58;

/// 32-bit FNV-1a (what the Deployment controller hashes pod templates with).
std::uint32_t fnv1a32(std::string_view data, std::uint32_t h = 2166136261u);

/// rand.SafeEncodeString: every byte mapped into kNameAlphabet (byte % 27).
std::string safe_encode(std::string_view s);

/// The pod-template-hash of a template: FNV-1a 32 of a canonical rendering of the whole
/// template (labels, annotations, spec), printed in decimal and safe-encoded, as
/// controller.ComputeHash does: 1 to 10 characters of "bcdf456789" (9-10 in practice).
/// Equal templates give equal hashes; any change to the spec gives a new one.
std::string pod_template_hash(const model::PodTemplate& tmpl);

/// `n` characters of kNameAlphabet drawn from rng.
std::string random_suffix(core::RngStream& rng, std::size_t n = 5);

/// The k-th candidate for `generateName: <prefix>` under stream `stream` (e.g.
/// "pod-names/default/web-7c9f8d6b5"): prefix cut to kMaxGeneratedPrefix, then 5
/// characters drawn from RngStream(seed, stream + "#" + k). Callers try k = 0, 1, 2... and
/// skip names in use, so every candidate is independent of how many were skipped.
std::string generated_name(std::uint64_t seed, std::string_view stream, std::string_view prefix,
                           std::uint64_t k);

}  // namespace podhop::controllers
