// The cycle-level k x k mesh network-on-chip simulator: synthetic traffic into the routers of
// mesh_network.h, through warm-up, measurement and drain phases, to latency and throughput
// statistics, as BookSim 2 measures them ("A Detailed and Flexible Cycle-Accurate
// Network-on-Chip Simulator", Jiang et al., 2013).
//
// Every cycle each node creates a packet with probability rate / packet_flits (Bernoulli), so
// that it offers `rate` flits a cycle, into an unbounded source queue; the queue feeds the
// router's local input port a flit a cycle, a packet at a time. Latency runs from creation to
// the tail's ejection, so it includes source queueing. Packets created in the measurement
// window are measured; the run then goes on (still injecting, so the measured packets see the
// same load to the end) until all of them have arrived.
//
// Runs are deterministic given the seed: all randomness comes from tessel::Rng streams forked
// from it by name (injection, destinations, packet classes, routing).
#pragma once

#include <cstdint>

#include "problems/noc/noc_config.h"
#include "problems/noc/routing.h"

namespace tessel::noc {

struct NocStats {
  // Over the measured packets that arrived (all of them unless saturated or deadlocked).
  double latency = 0;          // mean cycles from creation to tail ejection
  double latency_p99 = 0;      // 99th percentile of the same (nearest rank)
  double network_latency = 0;  // mean cycles from the head entering the network: no queueing
  double hops = 0;             // mean links crossed
  double zero_load_latency_model = 0;  // mean of ZeroLoadLatency over their hop counts
  int64_t packets = 0;                 // measured packets that arrived
  int64_t packets_measured = 0;        // measured packets created

  // Over the measurement window, all packets: flits per node per cycle.
  double throughput = 0;  // accepted: flits ejected
  double offered = 0;     // flits created (below `rate` where a pattern maps a node to itself)

  // The measured packets had not all arrived drain_limit_cycles after the window (the offered
  // load is beyond what the network accepts, or part of it deadlocked), or a deadlock ended the
  // run.
  bool saturated = false;
  // No flit crossed any switch for deadlock_cycles cycles while some were in the network.
  bool deadlock = false;
  int64_t cycles = 0;  // simulated, all phases

  // Flit conservation at the end of the run, counted independently of one another:
  // flits_created == flits_queued + flits_in_network + flits_ejected, and flits_injected ==
  // flits_in_network + flits_ejected (each flit is checked out at its own destination).
  int64_t flits_created = 0;
  int64_t flits_queued = 0;      // at their sources, not yet injected
  int64_t flits_injected = 0;    // into the network
  int64_t flits_in_network = 0;  // in buffers or on links, by a walk over them
  int64_t flits_ejected = 0;
};

// Validates `config` (tessel::ConfigError) and simulates it with the algorithm config.routing
// names (MakeAnyRouting: a built-in one or Q-routing, whose tables start afresh).
NocStats Simulate(const NocConfig& config);

// Simulates with the caller's routing algorithm instead; config.routing is not consulted.
// Throws tessel::ConfigError as Validate, and when config.vcs does not split into the
// algorithm's VC classes.
NocStats Simulate(const NocConfig& config, RoutingAlgorithm& routing);

}  // namespace tessel::noc
