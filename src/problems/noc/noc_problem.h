// The routing of a mesh network-on-chip as a problem of the engine: one instance is a mesh
// under one traffic pattern at one offered load (everything of NocConfig but the routing), its
// one knob `routing` the algorithm (AllRoutingNames(): the six built-ins and Q-routing), and an
// evaluation a cycle-level simulation (mesh_simulator.h) whose mean packet latency is the
// objective.
//
// Like a timed kernel, a simulation is one sample of a random process: each evaluation of a
// problem object simulates with its own seed, forked from the run's seed by the evaluation's
// index, so repeated evaluations of a routing differ as repeated simulations in BookSim do and
// a run is still reproducible. A run whose measured packets do not all arrive (the offered load
// is beyond what the routing accepts) is recorded as infeasible, never the best: the latency of
// the packets that did arrive is no latency of the load. A deadlock is recorded as a runtime
// error.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "engine/problem.h"
#include "problems/noc/mesh_simulator.h"
#include "problems/noc/noc_config.h"

namespace tessel::noc {

// Sets the fields `spec` names ("vcs=4,buffer_flits=8,packet_flits=5,router_latency=2,
// link_latency=1,credit_latency=1,hotspot_fraction=0.3,hotspots=0+9,warmup=1000,
// measure=10000,drain_limit=5000"), leaving the others. Throws tessel::ConfigError naming an
// unknown key (and listing the known ones) or a malformed value; `flag` names the option.
void ApplyNocOptions(std::string_view spec, std::string_view flag, NocConfig& config);

// The instance as records file it: every field of `config` but routing and seed, in one order.
std::string NocInstanceText(const NocConfig& config);

class NocProblem : public Problem {
 public:
  static constexpr const char* kName = "noc";

  // Validates `config` (its routing field is ignored). The simulations' seeds derive from
  // `seed`.
  NocProblem(const NocConfig& config, uint64_t seed);

  static ObjectiveInfo Objective();
  static std::vector<MetricInfo> DeclaredMetrics();

  const ProblemKey& key() const override { return key_; }
  const Space& space() const override { return space_; }
  ObjectiveInfo objective() const override { return Objective(); }
  std::vector<MetricInfo> metrics() const override { return DeclaredMetrics(); }
  // Runs the simulations of a batch on up to this machine's cores at once; the results do
  // not depend on how many.
  std::vector<Evaluation> Evaluate(const std::vector<Config>& configs) override;
  std::optional<Config> DefaultConfig() const override;

  const NocConfig& config() const { return config_; }
  // The routing a configuration names.
  std::string Routing(const Config& config) const;
  // The configuration of a routing name; throws tessel::ConfigError for an unknown one.
  Config ConfigOf(std::string_view routing) const;

  // The evaluation of one simulation's statistics: what Evaluate records.
  static Evaluation ToEvaluation(const NocStats& stats);

 private:
  NocConfig config_;
  uint64_t seed_;
  int64_t evaluations_ = 0;  // evaluations so far: the next one's seed index
  ProblemKey key_;
  Space space_;
};

}  // namespace tessel::noc
