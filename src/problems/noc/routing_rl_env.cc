// The routing-selection environment, its oracle and policy scores (see routing_rl_env.h).
#include "problems/noc/routing_rl_env.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "core/error.h"
#include "core/rng.h"
#include "problems/noc/mesh_simulator.h"
#include "problems/noc/routing.h"
#include "problems/noc/traffic.h"

namespace tessel::noc {

namespace {

// XY's knee on an 8x8 mesh per pattern, in TrafficNames() order (see DefaultLoadRates).
constexpr double kXyKnee8x8[] = {0.40, 0.14, 0.23, 0.23, 0.26, 0.20};

void CheckRate(double rate) {
  if (rate > 0 && rate <= 1) return;
  throw ConfigError("RL load state rate " + FormatNumber(rate) +
                    " is outside (0, 1]; give offered loads in flits per node per cycle, e.g. 0.1");
}

std::vector<std::string> CheckedRoutings(std::vector<std::string> routings, const Mesh& mesh) {
  if (routings.empty()) {
    for (std::string_view name : RoutingNames()) routings.emplace_back(name);
    return routings;
  }
  for (size_t i = 0; i < routings.size(); ++i) {
    MakeRouting(routings[i], mesh);  // throws on an unknown name, listing the known ones
    if (std::find(routings.begin(), routings.begin() + static_cast<ptrdiff_t>(i), routings[i]) !=
        routings.begin() + static_cast<ptrdiff_t>(i))
      throw ConfigError("RL routing '" + routings[i] +
                        "' is listed twice; give each routing algorithm once");
  }
  return routings;
}

}  // namespace

std::vector<double> DefaultLoadRates(std::string_view traffic) {
  const double knee = kXyKnee8x8[static_cast<int>(TrafficPatternFromName(traffic))];
  std::vector<double> rates;
  for (double fraction : {0.05, 0.25, 0.5, 0.75, 0.9, 1.0})
    rates.push_back(std::round(fraction * knee * 1000) / 1000);  // 0.3, not 0.30000000000000004
  return rates;
}

std::vector<LoadState> LoadStates(const std::vector<std::string>& traffics,
                                  const std::vector<double>& rates) {
  std::vector<LoadState> states;
  for (const std::string& traffic : traffics)
    for (double rate : rates.empty() ? DefaultLoadRates(traffic) : rates)
      states.push_back(LoadState{traffic, rate});
  return states;
}

double SaturationPenalty(const NocConfig& config) {
  return static_cast<double>(config.measure_cycles + config.drain_limit_cycles);
}

NocRoutingEnvironment::NocRoutingEnvironment(NocConfig config, std::vector<LoadState> states,
                                             std::vector<std::string> routings)
    : config_(std::move(config)), states_(std::move(states)) {
  if (states_.empty())
    throw ConfigError(
        "the RL environment has no load states; give at least one (traffic, rate), e.g. "
        "LoadStates({\"uniform\"})");
  routings_ = CheckedRoutings(std::move(routings), Mesh{config_.k});
  for (const LoadState& state : states_) {
    CheckRate(state.rate);
    for (int action = 0; action < actions(); ++action) {
      NocConfig step = config_;
      step.traffic = state.traffic;
      step.rate = state.rate;
      step.routing = routings_[action];
      Validate(step);  // the pattern on this mesh, o1turn's even VC count, the sizes
    }
  }
}

NocConfig NocRoutingEnvironment::StepConfig(int state, int action, uint64_t seed) const {
  NocConfig step = config_;
  step.traffic = states_[state].traffic;
  step.rate = states_[state].rate;
  step.routing = routings_[action];
  step.seed = seed;
  return step;
}

StepOutcome StepOutcomeOf(const NocStats& stats, const NocConfig& config) {
  StepOutcome outcome;
  outcome.latency = stats.latency;
  // A deadlock ends the run with its measured packets undelivered, as saturation does.
  outcome.saturated = stats.saturated || stats.deadlock;
  outcome.reward = -(stats.latency + (outcome.saturated ? SaturationPenalty(config) : 0.0));
  return outcome;
}

StepOutcome NocRoutingEnvironment::Step(int state, int action, uint64_t seed) {
  const NocConfig step = StepConfig(state, action, seed);
  return StepOutcomeOf(Simulate(step), step);
}

std::string NocRoutingEnvironment::StateName(int state) const {
  return states_[state].traffic + "@" + FormatNumber(states_[state].rate);
}

OracleTable ComputeOracle(RoutingEnvironment& env, int repeats, uint64_t seed) {
  if (repeats < 1)
    throw ConfigError("RL oracle repeats = " + std::to_string(repeats) +
                      " is too few; give 1 or more simulations per state and action");
  const int states = env.states(), actions = env.actions();
  OracleTable oracle;
  oracle.repeats = repeats;
  oracle.reward.assign(states, std::vector<double>(actions, 0.0));
  oracle.latency.assign(states, std::vector<double>(actions, 0.0));
  oracle.saturated.assign(states, std::vector<int>(actions, 0));
  const Rng root(seed);
  for (int r = 0; r < repeats; ++r) {
    const uint64_t step_seed = root.Fork("noc-rl-oracle", static_cast<uint64_t>(r)).seed();
    for (int s = 0; s < states; ++s)
      for (int a = 0; a < actions; ++a) {
        const StepOutcome outcome = env.Step(s, a, step_seed);
        oracle.reward[s][a] += outcome.reward / repeats;
        oracle.latency[s][a] += outcome.latency / repeats;
        oracle.saturated[s][a] += outcome.saturated ? 1 : 0;
      }
  }
  for (const std::vector<double>& rewards : oracle.reward)
    oracle.best.push_back(
        static_cast<int>(std::max_element(rewards.begin(), rewards.end()) - rewards.begin()));
  return oracle;
}

PolicyScore ScorePolicy(const OracleTable& oracle, const std::vector<int>& policy,
                        double tolerance) {
  const int states = static_cast<int>(oracle.reward.size());
  if (static_cast<int>(policy.size()) != states)
    throw ConfigError("the policy gives " + std::to_string(policy.size()) +
                      " actions but the oracle has " + std::to_string(states) +
                      " states; give one action per state");
  PolicyScore score;
  score.states = states;
  for (int s = 0; s < states; ++s) {
    const std::vector<double>& rewards = oracle.reward[s];
    const int action = policy[s];
    if (action < 0 || action >= static_cast<int>(rewards.size()))
      throw ConfigError("the policy's action " + std::to_string(action) + " in state " +
                        std::to_string(s) + " is not one of the oracle's " +
                        std::to_string(rewards.size()) + " actions; give 0.." +
                        std::to_string(rewards.size() - 1));
    const double best_cost = -rewards[oracle.best[s]];
    const double regret = rewards[oracle.best[s]] - rewards[action];
    score.regret.push_back(regret);
    score.mean_regret += regret / states;
    score.agree += action == oracle.best[s] ? 1 : 0;
    score.near_optimal += regret <= tolerance * std::abs(best_cost) ? 1 : 0;
  }
  return score;
}

}  // namespace tessel::noc
