// Checks of a NocConfig, and the zero-load latency model (see noc_config.h).
#include "problems/noc/noc_config.h"

#include <sstream>
#include <string>

#include "core/error.h"
#include "problems/noc/routing_catalog.h"
#include "problems/noc/traffic.h"

namespace tessel::noc {

namespace {

// The caps below keep the simulator's narrow fields (a router's input VCs in 64 bits, 8-bit
// allocator pointers, 32-bit node and packet numbers) and its memory safe; they are far beyond
// what a cycle-level run of any use needs. Buffers are allocated up front, 16 bytes a slot.
constexpr int64_t kMaxBufferSlots = int64_t{1} << 24;

void CheckRange(const char* what, int64_t value, int64_t lo, int64_t hi) {
  if (value >= lo && value <= hi) return;
  throw ConfigError("NoC " + std::string(what) + " = " + std::to_string(value) + " is " +
                    (value < lo ? "too small" : "too large") + "; give " + std::to_string(lo) +
                    ".." + std::to_string(hi));
}

}  // namespace

void ValidateExceptRouting(const NocConfig& c) {
  CheckRange("mesh size k", c.k, 2, 64);
  CheckRange("vcs (virtual channels per port)", c.vcs, 1, 12);
  CheckRange("buffer_flits (flits per VC buffer)", c.buffer_flits, 1, 256);
  CheckRange("packet_flits (flits per packet)", c.packet_flits, 1, 1024);
  CheckRange("router_latency", c.router_latency, 1, 64);
  CheckRange("link_latency", c.link_latency, 1, 64);
  CheckRange("credit_latency", c.credit_latency, 1, 64);
  CheckRange("warmup_cycles", c.warmup_cycles, 0, int64_t{1} << 40);
  CheckRange("measure_cycles", c.measure_cycles, 1, int64_t{1} << 40);
  CheckRange("drain_limit_cycles", c.drain_limit_cycles, 0, int64_t{1} << 40);
  CheckRange("deadlock_cycles", c.deadlock_cycles, 1, int64_t{1} << 40);
  const int64_t slots = int64_t{c.k} * c.k * 5 * c.vcs * c.buffer_flits;
  if (slots > kMaxBufferSlots)
    throw ConfigError(
        "NoC buffers of k = " + std::to_string(c.k) + ", vcs = " + std::to_string(c.vcs) +
        ", buffer_flits = " + std::to_string(c.buffer_flits) + " would hold " +
        std::to_string(slots) + " flits, more than " + std::to_string(kMaxBufferSlots) +
        "; give a smaller mesh, fewer VCs or shorter buffers");
  if (!(c.rate > 0 && c.rate <= 1)) {
    throw ConfigError("NoC injection rate " + FormatNumber(c.rate) +
                      " is outside (0, 1]; give the offered load in flits per node per cycle, "
                      "e.g. 0.1");
  }
  // Constructing the generator checks what the pattern needs of the mesh.
  TrafficGenerator(Mesh{c.k}, TrafficPatternFromName(c.traffic), c.hotspot_fraction,
                   c.hotspot_nodes);
}

void Validate(const NocConfig& c) {
  ValidateExceptRouting(c);
  const int classes = RoutingVcClasses(c.routing);
  if (c.vcs % classes == 0) return;
  if (c.routing == "o1turn")
    throw ConfigError(
        "o1turn routing needs an even number of VCs (XY packets use one half, YX "
        "packets the other), not vcs = " +
        std::to_string(c.vcs) + "; give vcs = 2 or 4");
  throw ConfigError(c.routing + " routing splits the VCs into " + std::to_string(classes) +
                    " classes, which vcs = " + std::to_string(c.vcs) +
                    " does not divide; give a multiple of " + std::to_string(classes));
}

int64_t ZeroLoadLatency(const NocConfig& c, int hops) {
  return int64_t{hops} * (c.router_latency + c.link_latency) + c.router_latency +
         (c.packet_flits - 1);
}

std::string FormatNumber(double value) {
  std::ostringstream text;
  text << value;
  return text.str();
}

std::string JoinNames(const std::vector<std::string_view>& names) {
  std::string joined;
  for (std::string_view name : names) {
    if (!joined.empty()) joined += ", ";
    joined += name;
  }
  return joined;
}

}  // namespace tessel::noc
