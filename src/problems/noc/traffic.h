// Synthetic traffic for the mesh simulator: which node a new packet goes to. The patterns are
// the standard ones of Dally and Towles, "Principles and Practices of Interconnection
// Networks" (2004), defined as BookSim 2 defines them ("A Detailed and Flexible Cycle-Accurate
// Network-on-Chip Simulator", Jiang et al., 2013) where the two differ.
//
// A pattern that maps a node to itself (transpose's diagonal, bit-complement's centre on an odd
// mesh) gives that node nothing to send: the simulator drops such packets before they exist,
// so the offered load it reports is below the nominal rate, and uniform traffic never picks
// the source. BookSim 2 keeps them instead and ejects them at once, which lowers its average
// latency on these patterns (bench/noc/README.md).
#pragma once

#include <string_view>
#include <vector>

#include "core/rng.h"
#include "problems/noc/mesh.h"

namespace tessel::noc {

enum class TrafficPattern { kUniform, kTranspose, kBitComplement, kShuffle, kTornado, kHotspot };

// "uniform", "transpose", "bit-complement", "shuffle", "tornado", "hotspot".
const std::vector<std::string_view>& TrafficNames();

// Throws tessel::ConfigError listing the known names when `name` is not one of them.
TrafficPattern TrafficPatternFromName(std::string_view name);

// The hotspots when none are given: the four centre nodes of an even mesh, the centre node of
// an odd one.
std::vector<int> DefaultHotspots(const Mesh& mesh);

class TrafficGenerator {
 public:
  // hotspot_fraction and hotspots matter only to kHotspot; empty hotspots means the default.
  // Throws tessel::ConfigError where the pattern cannot run on this mesh: shuffle on a node
  // count that is not a power of two, a pattern that sends nothing at all (tornado on 2x2),
  // a fraction outside [0, 1], a hotspot outside the mesh or given twice.
  TrafficGenerator(const Mesh& mesh, TrafficPattern pattern, double hotspot_fraction = 0.2,
                   std::vector<int> hotspots = {});

  // Where a packet created at `source` goes. Returns `source` itself when the pattern maps the
  // node to itself: the caller then creates no packet.
  int Destination(int source, Rng& rng) const;

  const std::vector<int>& hotspots() const { return hotspots_; }

 private:
  int UniformOtherThan(int source, Rng& rng) const;
  int HotspotDestination(int source, Rng& rng) const;

  Mesh mesh_;
  TrafficPattern pattern_;
  double hotspot_fraction_;
  std::vector<int> hotspots_;
  int index_bits_ = 0;  // log2(nodes), for shuffle
};

}  // namespace tessel::noc
