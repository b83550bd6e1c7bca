// The parameters of one mesh network-on-chip simulation, their checks, and the zero-load
// latency the simulator's pipeline implies.
//
// The router is the input-buffered virtual-channel router of Dally and Towles, "Principles and
// Practices of Interconnection Networks" (2004), with BookSim 2's routing, VC-allocation and
// switch-allocation delays ("A Detailed and Flexible Cycle-Accurate Network-on-Chip
// Simulator", Jiang et al., 2013) collapsed into one number, router_latency: a flit written
// into an input buffer in cycle t may cross the switch in cycle t + router_latency at the
// earliest. A head flit is routed, allocated an output VC and bids for the switch in that same
// cycle when nothing is in its way; body flits follow one a cycle.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tessel::noc {

struct NocConfig {
  int k = 8;                        // the mesh is k x k
  int vcs = 2;                      // virtual channels per input port
  int buffer_flits = 8;             // flits each VC buffers
  int packet_flits = 1;             // flits per packet (head ... tail; one flit is both)
  int router_latency = 1;           // cycles from entering an input buffer to crossing the switch
  int link_latency = 1;             // cycles on a link between routers
  int credit_latency = 1;           // cycles for a credit to travel back upstream
  std::string routing = "xy";       // AllRoutingNames() (routing_catalog.h)
  std::string traffic = "uniform";  // TrafficNames()
  double rate = 0.1;                // offered load, flits per node per cycle, in (0, 1]
  double hotspot_fraction = 0.2;    // hotspot traffic: the share of packets to the hotspots
  std::vector<int> hotspot_nodes;   // empty: DefaultHotspots (the centre)
  int64_t warmup_cycles = 1000;     // run first, statistics discarded
  int64_t measure_cycles = 10000;   // packets created in this window are measured
  // After the window, the run goes on (still injecting) until every measured packet has
  // arrived; if that takes longer than this, the run is reported saturated.
  int64_t drain_limit_cycles = 5000;
  // With flits in the network, this many cycles without any flit crossing any switch is
  // reported as deadlock and ends the run.
  int64_t deadlock_cycles = 2000;
  uint64_t seed = 0;
};

// Throws tessel::ConfigError, one line saying what is wrong and what to give instead, on the
// first bad parameter: sizes out of range, a rate outside (0, 1], an unknown routing or traffic
// name, a VC count the routing cannot split into its classes (o1turn needs an even one), a
// pattern that cannot run on this mesh (shuffle needs a power-of-two node count).
void Validate(const NocConfig& config);

// Validate without the routing name, for a simulation with a routing algorithm of the caller's.
void ValidateExceptRouting(const NocConfig& config);

// Cycles from a packet's creation to its tail flit's ejection when it meets no other traffic:
//
//   hops x (router_latency + link_latency) + router_latency + (packet_flits - 1)
//
// The head is written into its source router's local input buffer in the cycle the packet is
// created (no injection delay beyond that), crosses hops + 1 routers (the last one ejecting it)
// and hops links; the tail follows packet_flits - 1 cycles behind. A lone packet streams at a
// flit a cycle only while credits return in time: that needs buffer_flits >= router_latency +
// link_latency + credit_latency (the credit round trip); with fewer, long packets take longer.
int64_t ZeroLoadLatency(const NocConfig& config, int hops);

// A number as the messages, instance texts and labels write it: "0.1", "0.025", "1e-05".
std::string FormatNumber(double value);

// "a, b, c": the valid names, for the messages that refuse an unknown one.
std::string JoinNames(const std::vector<std::string_view>& names);

}  // namespace tessel::noc
