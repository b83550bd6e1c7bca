// The environment of learning to choose a NoC routing algorithm per load level, as in "Learning
// to Route on a Network-on-Chip" style work (Kao, Yang, Chen, Ma and Krishna, arXiv 1908.04484,
// whose public code is interconnect-routing-gym): a state is an offered load (optionally with
// its traffic pattern), an action is one of the simulator's routing algorithms, and the reward
// of a step is minus the average packet latency of one simulation of that state under that
// routing. The next state does not depend on the action: an episode walks the load levels.
// The agents that learn here are in routing_rl.h.
//
// Also here: the oracle that simulates every state under every action, and the score of a
// learned policy against it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "problems/noc/mesh_simulator.h"
#include "problems/noc/noc_config.h"

namespace tessel::noc {

// One state: a traffic pattern (TrafficNames()) at an offered load in flits per node per cycle.
struct LoadState {
  std::string traffic = "uniform";
  double rate = 0.1;
};

// Six offered loads for `traffic` on an 8x8 mesh with NocConfig's default router, from near
// zero load to just below where XY routing saturates under that pattern: 5%, 25%, 50%, 75%,
// 90% and 100% of XY's knee (measured here, 3000 measured cycles, three seeds: the highest load,
// in steps of 0.01, at which XY's mean latency stays below three times its zero-load latency).
// Below about half the knee every minimal routing has the same latency within noise, so only the
// upper states tell the routings apart; beyond the knee XY saturates and the latencies are
// dominated by the drain limit rather than by the routing. For uniform traffic: 0.02, 0.1, 0.2,
// 0.3, 0.36, 0.4. Throws tessel::ConfigError on an unknown pattern.
std::vector<double> DefaultLoadRates(std::string_view traffic);

// Every pattern at every rate, pattern-major (state index = pattern x rates + rate). Empty
// `rates`: each pattern at its own DefaultLoadRates.
std::vector<LoadState> LoadStates(const std::vector<std::string>& traffics,
                                  const std::vector<double>& rates = {});

// What one step of an environment observed.
struct StepOutcome {
  double reward = 0;
  double latency = 0;  // mean over the measured packets that arrived
  bool saturated = false;
};

// The interface the agents learn from, so that tests can substitute a table of rewards for the
// simulator. States and actions are indices.
class RoutingEnvironment {
 public:
  virtual ~RoutingEnvironment() = default;

  virtual int states() const = 0;
  virtual int actions() const = 0;
  // Takes `action` in `state` once, with the simulation seeded by `seed`. The same arguments
  // must give the same outcome; different seeds give independent noise.
  virtual StepOutcome Step(int state, int action, uint64_t seed) = 0;

  virtual std::string StateName(int state) const { return "state " + std::to_string(state); }
  virtual std::string ActionName(int action) const { return "action " + std::to_string(action); }
};

// A saturated run's penalty in cycles: measure_cycles + drain_limit_cycles. Every measured packet
// of a run that drains arrives within that many cycles of its creation, so a saturated (or
// deadlocked) run's reward, -(latency of the measured packets that arrived + this), is below
// that of every run that drained, and saturated runs still rank by the latency they achieved.
double SaturationPenalty(const NocConfig& config);

// A simulation's outcome as a step's: reward -(latency + SaturationPenalty(config)) when it
// saturated or deadlocked, -latency otherwise.
StepOutcome StepOutcomeOf(const NocStats& stats, const NocConfig& config);

// The mesh simulator as an environment. Each step simulates `config` (the template: mesh size,
// VCs, packet length, warm-up and measurement windows) with the state's traffic and rate, the
// action's routing and the step's seed. Shorter measure_cycles make steps cheaper and noisier.
class NocRoutingEnvironment : public RoutingEnvironment {
 public:
  // `states`, e.g. LoadStates({"uniform"}); empty `routings`: all of RoutingNames(). Throws
  // tessel::ConfigError, one line, on no states, a rate outside (0, 1], an unknown traffic or
  // routing name, a routing listed twice, or a template that a state and routing cannot
  // simulate (Validate's checks). config.traffic, rate, routing and seed are not used.
  NocRoutingEnvironment(NocConfig config, std::vector<LoadState> states,
                        std::vector<std::string> routings = {});

  int states() const override { return static_cast<int>(states_.size()); }
  int actions() const override { return static_cast<int>(routings_.size()); }
  StepOutcome Step(int state, int action, uint64_t seed) override;
  std::string StateName(int state) const override;  // "uniform@0.1"
  std::string ActionName(int action) const override { return routings_[action]; }

  // The simulation one step runs.
  NocConfig StepConfig(int state, int action, uint64_t seed) const;
  const std::vector<LoadState>& load_states() const { return states_; }

 private:
  NocConfig config_;
  std::vector<LoadState> states_;
  std::vector<std::string> routings_;
};

// Every state under every action, `repeats` times: the ground truth a learned policy is scored
// against. Repeat r uses the same seed for every (state, action) (common random numbers: the
// actions are compared on the same injected packets), forked from `seed`.
struct OracleTable {
  int repeats = 0;
  std::vector<std::vector<double>> reward;   // [state][action], mean over the repeats
  std::vector<std::vector<double>> latency;  // [state][action], mean over the repeats
  std::vector<std::vector<int>> saturated;   // [state][action], how many repeats saturated
  std::vector<int> best;                     // per state, the action of the highest mean reward
};

// Throws tessel::ConfigError when repeats < 1.
OracleTable ComputeOracle(RoutingEnvironment& env, int repeats, uint64_t seed);

// How a policy (an action per state) fares against the oracle. Cost is minus the oracle's mean
// reward: the latency, plus SaturationPenalty where a run saturated.
struct PolicyScore {
  int states = 0;
  int agree = 0;               // states where the policy's action is the oracle's best
  int near_optimal = 0;        // states where its cost is within `tolerance` (relative) of the best
  std::vector<double> regret;  // per state, the policy's cost minus the best cost (>= 0)
  double mean_regret = 0;
};

// Throws tessel::ConfigError when the policy does not give one valid action per state.
PolicyScore ScorePolicy(const OracleTable& oracle, const std::vector<int>& policy,
                        double tolerance = 0.02);

}  // namespace tessel::noc
