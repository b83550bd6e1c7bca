// `tessel tune --problem noc --tuner q-learning|sarsa|expected-sarsa`: an agent learns which
// routing to run at each load state (routing_rl.h). The states are the selected tasks (a
// traffic pattern at an offered load each; without --rate, each pattern's default load levels),
// every step's simulation is recorded under its state's task like any evaluation, and the
// learned policy is printed with each state's Q values and the latency of its choice. Each
// step's reward and the state's highest Q are logged for the report, as other agents' are.
#include "cli/noc_tune.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>

#include "cli/json_output.h"
#include "cli/noc_task.h"
#include "cli/problem_catalog.h"
#include "core/error.h"
#include "core/key_values.h"
#include "core/stop_request.h"
#include "problems/noc/noc_problem.h"
#include "problems/noc/routing.h"
#include "problems/noc/routing_rl.h"
#include "records/record_store.h"

namespace tessel::cli {
namespace {

// The simulator environment, with every step recorded under its state's task.
class RecordedEnvironment : public noc::RoutingEnvironment {
 public:
  RecordedEnvironment(noc::NocRoutingEnvironment& inner, const std::vector<TuningTask>& tasks,
                      RecordStore& store, int64_t run_id)
      : inner_(inner), tasks_(tasks), store_(store), run_id_(run_id) {
    for (const TuningTask& task : tasks)
      task_ids_.push_back(store.EnsureTask(task.problem->key(), task.problem->objective()));
  }

  int64_t TaskId(int state) const { return task_ids_[state]; }
  int states() const override { return inner_.states(); }
  int actions() const override { return inner_.actions(); }
  std::string StateName(int state) const override { return inner_.StateName(state); }
  std::string ActionName(int action) const override { return inner_.ActionName(action); }

  noc::StepOutcome Step(int state, int action, uint64_t seed) override {
    ThrowIfStopRequested();  // what was simulated so far is recorded
    const noc::NocConfig config = inner_.StepConfig(state, action, seed);
    const noc::NocStats stats = noc::Simulate(config);
    const auto& problem = static_cast<const noc::NocProblem&>(*tasks_[state].problem);
    store_.Append(task_ids_[state], run_id_,
                  {problem.space().ToText(problem.ConfigOf(config.routing))},
                  {noc::NocProblem::ToEvaluation(stats)});
    Tally& tally = tallies_[{state, action}];
    tally.latency += stats.latency, ++tally.steps, tally.saturated += stats.saturated;
    return noc::StepOutcomeOf(stats, config);
  }

  // The mean latency of the steps that took `action` in `state` (NaN when none did), and how
  // many of them saturated.
  std::pair<double, int> Observed(int state, int action) const {
    const auto found = tallies_.find({state, action});
    if (found == tallies_.end()) return {NAN, 0};
    return {found->second.latency / found->second.steps, found->second.saturated};
  }

 private:
  noc::NocRoutingEnvironment& inner_;
  const std::vector<TuningTask>& tasks_;
  RecordStore& store_;
  int64_t run_id_;
  std::vector<int64_t> task_ids_;
  struct Tally {
    double latency = 0;
    int steps = 0, saturated = 0;
  };
  std::map<std::pair<int, int>, Tally> tallies_;
};

void PrintPolicy(const RecordedEnvironment& env, const noc::RlResult& result) {
  std::printf("%-22s %-20s %12s %10s   Q per routing\n", "state", "policy", "latency", "saturated");
  for (int s = 0; s < env.states(); ++s) {
    std::string q;
    for (int a = 0; a < env.actions(); ++a) {
      char cell[64];
      std::snprintf(cell, sizeof cell, "%s%s %.1f", a ? ", " : "", env.ActionName(a).c_str(),
                    result.q[s][a]);
      q += cell;
    }
    const auto [latency, saturated] = env.Observed(s, result.policy[s]);
    char mean[32] = "untried";  // an optimistic zero Q the agent never tested
    if (!std::isnan(latency)) std::snprintf(mean, sizeof mean, "%.2f", latency);
    std::printf("%-22s %-20s %12s %10d   %s\n", env.StateName(s).c_str(),
                env.ActionName(result.policy[s]).c_str(), mean, saturated, q.c_str());
  }
  std::printf(
      "%lld steps, %lld simulations; latency: the mean over this run's steps that took "
      "the policy's routing in the state\n",
      static_cast<long long>(result.steps), static_cast<long long>(result.simulations));
}

}  // namespace

bool IsRoutingAgent(const std::string& tuner) {
  for (std::string_view name : noc::RlAlgorithmNames())
    if (tuner == name) return true;
  return false;
}

int RunRoutingAgentTune(const TuneCommandOptions& options) {
  TaskSelection selection = options.tasks;
  if (selection.problem.empty()) selection.problem = noc::NocProblem::kName;
  if (ResolveProblem(selection).name != noc::NocProblem::kName)
    throw ConfigError("--tuner " + options.tuner +
                      " learns a NoC's routing per load; use it with the noc problem "
                      "(--problem noc, --rate, --traffic)");
  if (options.trials || options.budget || options.resume)
    throw ConfigError("--tuner " + options.tuner +
                      " runs episodes over the load states; give their number as --rl "
                      "episodes=N instead of --trials, --budget or --resume");
  noc::RlOptions rl = noc::ParseRlOptions(options.rl, "--rl");
  rl.algorithm = options.tuner;
  rl.seed = options.seed;
  noc::ValidateRlOptions(rl);
  // Without --rate, each pattern's own load levels.
  if (selection.rates.empty()) {
    for (const std::string& traffic :
         selection.traffic.empty() ? std::vector<std::string>{"uniform"} : selection.traffic)
      for (double rate : noc::DefaultLoadRates(traffic))
        if (std::find(selection.rates.begin(), selection.rates.end(), rate) ==
            selection.rates.end())
          selection.rates.push_back(rate);
  }
  const std::vector<TuningTask> tasks = MakeNocTasks(selection, options.seed);
  std::vector<noc::LoadState> states;
  for (const TuningTask& task : tasks) {
    const auto& config = static_cast<const noc::NocProblem&>(*task.problem).config();
    states.push_back({config.traffic, config.rate});
  }
  const auto& first = static_cast<const noc::NocProblem&>(*tasks[0].problem);
  // The paper's actions: the classic algorithms (not the learned Q-routing) that fit the VCs.
  std::vector<std::string> routings;
  for (std::string_view name : noc::RoutingNames())
    if (first.space().IsValid(first.ConfigOf(name))) routings.emplace_back(name);
  noc::NocRoutingEnvironment simulator(first.config(), states, routings);

  RecordStore store(ResolveDbPath(options.db));
  const int64_t run_id = store.BeginRun({options.tuner, options.seed, options.command_line, "{}"});
  RecordedEnvironment env(simulator, tasks, store, run_id);
  // What the agent learned, step by step, under its state's task (the report's learning
  // curves): the step's reward and the state's highest Q after the update, by episode.
  const noc::RlResult result = noc::TrainRoutingAgent(env, rl, [&](const noc::RlStep& step) {
    const int64_t task_id = env.TaskId(step.state);
    store.AppendTunerLog({{run_id, task_id, step.episode, "reward", step.reward},
                          {run_id, task_id, step.episode, "best_q", step.best_q}});
  });

  if (!options.json) {
    PrintPolicy(env, result);
    return 0;
  }
  nlohmann::json states_json = nlohmann::json::array();
  for (int s = 0; s < env.states(); ++s)
    states_json.push_back({{"state", env.StateName(s)},
                           {"routing", env.ActionName(result.policy[s])},
                           {"latency", NumberOrNull(env.Observed(s, result.policy[s]).first)},
                           {"saturated", env.Observed(s, result.policy[s]).second},
                           {"q", result.q[s]}});
  std::cout << nlohmann::json{{"tuner", options.tuner}, {"seed", options.seed},
                              {"policy", states_json},  {"episode_rewards", result.episode_rewards},
                              {"steps", result.steps},  {"simulations", result.simulations}}
                   .dump()
            << std::endl;
  return 0;
}

}  // namespace tessel::cli
