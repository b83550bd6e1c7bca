// Destination patterns for the mesh simulator (see traffic.h).
#include "problems/noc/traffic.h"

#include <algorithm>
#include <bit>
#include <string>

#include "core/error.h"
#include "problems/noc/noc_config.h"

namespace tessel::noc {

const std::vector<std::string_view>& TrafficNames() {
  // The order of TrafficPattern, so that an index converts one to the other.
  static const std::vector<std::string_view> names = {"uniform", "transpose", "bit-complement",
                                                      "shuffle", "tornado",   "hotspot"};
  return names;
}

TrafficPattern TrafficPatternFromName(std::string_view name) {
  const std::vector<std::string_view>& names = TrafficNames();
  const auto found = std::find(names.begin(), names.end(), name);
  if (found == names.end())
    throw ConfigError("unknown NoC traffic pattern '" + std::string(name) +
                      "'; choose one of: " + JoinNames(names));
  return static_cast<TrafficPattern>(found - names.begin());
}

std::vector<int> DefaultHotspots(const Mesh& mesh) {
  const int half = mesh.k / 2;
  if (mesh.k % 2) return {mesh.Node(half, half)};
  return {mesh.Node(half - 1, half - 1), mesh.Node(half, half - 1), mesh.Node(half - 1, half),
          mesh.Node(half, half)};
}

TrafficGenerator::TrafficGenerator(const Mesh& mesh, TrafficPattern pattern,
                                   double hotspot_fraction, std::vector<int> hotspots)
    : mesh_(mesh),
      pattern_(pattern),
      hotspot_fraction_(hotspot_fraction),
      hotspots_(std::move(hotspots)) {
  const int nodes = mesh_.nodes();
  if (pattern_ == TrafficPattern::kShuffle) {
    if (!std::has_single_bit(static_cast<unsigned>(nodes)))
      throw ConfigError("shuffle traffic needs a power-of-two node count, but a " +
                        std::to_string(mesh_.k) + "x" + std::to_string(mesh_.k) + " mesh has " +
                        std::to_string(nodes) + " nodes; give k = 2, 4, 8, 16 or 32");
    index_bits_ = std::countr_zero(static_cast<unsigned>(nodes));
  }
  if (pattern_ == TrafficPattern::kTornado && mesh_.k == 2)
    throw ConfigError(
        "tornado traffic on a 2x2 mesh sends nothing (it shifts each coordinate by "
        "ceil(k/2) - 1 = 0); give k of 3 or more");
  if (pattern_ == TrafficPattern::kHotspot) {
    if (!(hotspot_fraction_ >= 0 && hotspot_fraction_ <= 1))
      throw ConfigError("hotspot fraction " + FormatNumber(hotspot_fraction_) +
                        " is not a fraction; give a value in [0, 1]");
    if (hotspots_.empty()) hotspots_ = DefaultHotspots(mesh_);
    std::vector<int> sorted = hotspots_;
    std::sort(sorted.begin(), sorted.end());
    if (sorted.front() < 0 || sorted.back() >= nodes)
      throw ConfigError("hotspot node " +
                        std::to_string(sorted.front() < 0 ? sorted.front() : sorted.back()) +
                        " is outside the mesh; give node numbers 0.." + std::to_string(nodes - 1));
    if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end())
      throw ConfigError("hotspot nodes are listed twice; give each hotspot once");
  }
}

int TrafficGenerator::Destination(int source, Rng& rng) const {
  const int k = mesh_.k;
  const int x = mesh_.X(source), y = mesh_.Y(source);
  switch (pattern_) {
    case TrafficPattern::kUniform:
      return UniformOtherThan(source, rng);
    case TrafficPattern::kTranspose:
      return mesh_.Node(y, x);
    case TrafficPattern::kBitComplement:
      return mesh_.Node(k - 1 - x, k - 1 - y);
    case TrafficPattern::kShuffle: {
      // Rotate the node index left by one bit: the top bit becomes the bottom one.
      const unsigned mask = (1u << index_bits_) - 1;
      const unsigned index = static_cast<unsigned>(source);
      return static_cast<int>(((index << 1) | (index >> (index_bits_ - 1))) & mask);
    }
    case TrafficPattern::kTornado: {
      // BookSim's tornado shifts every coordinate, not only x, by ceil(k/2) - 1: nearly half
      // way round a ring, the pattern that loads one direction of each ring the most.
      const int shift = (k + 1) / 2 - 1;
      return mesh_.Node((x + shift) % k, (y + shift) % k);
    }
    case TrafficPattern::kHotspot:
      return HotspotDestination(source, rng);
  }
  return source;
}

int TrafficGenerator::UniformOtherThan(int source, Rng& rng) const {
  // A draw over the other nodes, shifted past the source: one draw, no rejection loop.
  const int draw = static_cast<int>(rng.UniformInt(0, mesh_.nodes() - 2));
  return draw >= source ? draw + 1 : draw;
}

int TrafficGenerator::HotspotDestination(int source, Rng& rng) const {
  const bool to_hotspot = rng.UniformReal() < hotspot_fraction_;
  if (!to_hotspot) return UniformOtherThan(source, rng);
  // A hotspot sends its hotspot share to the other hotspots; the only hotspot sends uniformly.
  const auto self = std::find(hotspots_.begin(), hotspots_.end(), source);
  const int others = static_cast<int>(hotspots_.size()) - (self != hotspots_.end() ? 1 : 0);
  if (others == 0) return UniformOtherThan(source, rng);
  int pick = static_cast<int>(rng.UniformInt(0, others - 1));
  if (self != hotspots_.end() && pick >= self - hotspots_.begin()) ++pick;
  return hotspots_[static_cast<size_t>(pick)];
}

}  // namespace tessel::noc
