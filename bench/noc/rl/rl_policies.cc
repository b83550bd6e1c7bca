// How well the tabular agents of src/problems/noc/routing_rl.h learn the routing per load
// state, scored against the oracle (every state under every routing, simulated
// `--oracle-repeats` times): for each episode budget, algorithm, discount and seed (and the
// public code's behaviour, at the first budget only), the states whose greedy action is the
// oracle's best, those within 2% of the best latency, and the mean regret in cycles.
//
//   rl_policies [--traffic uniform] [--seeds 5] [--budgets 15,100] [--gammas 0.9,0]
//               [--measure 3000] [--oracle-repeats 5] [--threads 2] [--json FILE]
//
// Prints the oracle's table and one summary row per budget and algorithm (medians over the
// seeds, with their range) as Markdown; --json writes one object per trained agent.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/parallel_for.h"
#include "core/stats.h"
#include "problems/noc/routing_rl.h"
#include "problems/noc/routing_rl_env.h"

namespace tessel::noc {
namespace {

struct Job {
  int episodes = 0;
  std::string algorithm;
  double gamma = 0.9;
  bool public_code = false;
  uint64_t seed = 0;
  PolicyScore score;
  RlResult result;
};

std::string Label(const Job& job) {
  if (job.public_code) return job.algorithm + " (public code)";
  char gamma[32];
  std::snprintf(gamma, sizeof gamma, ", gamma %g", job.gamma);
  return job.algorithm + gamma;
}

void PrintOracle(const NocRoutingEnvironment& env, const OracleTable& oracle) {
  std::printf(
      "Oracle: mean latency in cycles over %d simulations per cell (S: saturated in "
      "some)\n\n| state |",
      oracle.repeats);
  for (int a = 0; a < env.actions(); ++a) std::printf(" %s |", env.ActionName(a).c_str());
  std::printf(" best |\n|---|");
  for (int a = 0; a <= env.actions(); ++a) std::printf("---:|");
  std::printf("\n");
  for (int s = 0; s < env.states(); ++s) {
    std::printf("| %s |", env.StateName(s).c_str());
    for (int a = 0; a < env.actions(); ++a)
      std::printf(" %.2f%s |", oracle.latency[s][a], oracle.saturated[s][a] ? " S" : "");
    std::printf(" %s |\n", env.ActionName(oracle.best[s]).c_str());
  }
}

std::string MedianAndRange(std::vector<double> values, const char* format) {
  std::sort(values.begin(), values.end());
  char text[96];
  const std::string f = std::string(format) + " (" + format + "-" + format + ")";
  std::snprintf(text, sizeof text, f.c_str(), Median(values), values.front(), values.back());
  return text;
}

int Main(int argc, char** argv) {
  CLI::App app{"tabular RL routing agents against the oracle"};
  std::string traffic = "uniform", json_path;
  int seeds = 5, measure = 3000, oracle_repeats = 5, threads = 2;
  std::vector<int> budgets = {15, 100};
  std::vector<double> gammas = {0.9, 0};
  app.add_option("--traffic", traffic, "traffic pattern of the load states");
  app.add_option("--seeds", seeds, "seeds per algorithm and budget");
  app.add_option("--budgets", budgets, "episode budgets")->delimiter(',');
  app.add_option("--gammas", gammas, "discounts (the public code's behaviour ignores them)")
      ->delimiter(',');
  app.add_option("--measure", measure, "measured cycles per simulation");
  app.add_option("--oracle-repeats", oracle_repeats, "simulations per oracle cell");
  app.add_option("--threads", threads, "agents trained at once");
  app.add_option("--json", json_path, "one JSON object per trained agent");
  CLI11_PARSE(app, argc, argv);

  NocConfig config;
  config.measure_cycles = measure;
  NocRoutingEnvironment env(config, LoadStates({traffic}));
  const OracleTable oracle = ComputeOracle(env, oracle_repeats, 12345);
  PrintOracle(env, oracle);

  std::vector<Job> jobs;
  for (int episodes : budgets)
    for (std::string_view algorithm : RlAlgorithmNames()) {
      for (double gamma : gammas)
        for (int seed = 1; seed <= seeds; ++seed)
          jobs.push_back({episodes, std::string(algorithm), gamma, false, uint64_t(seed), {}, {}});
      // The public code's behaviour at its own budget (the first) only.
      if (episodes == budgets.front())
        for (int seed = 1; seed <= seeds; ++seed)
          jobs.push_back({episodes, std::string(algorithm), 0.9, true, uint64_t(seed), {}, {}});
    }
  std::mutex mutex;
  ParallelFor(jobs.size(), static_cast<size_t>(std::max(1, threads)), [&](size_t i) {
    NocRoutingEnvironment env_of_job(config, LoadStates({traffic}));
    Job& job = jobs[i];
    RlOptions options;
    options.algorithm = job.algorithm;
    options.episodes = job.episodes;
    options.gamma = job.gamma;
    options.reproduce_public_code = job.public_code;
    options.seed = job.seed;
    job.result = TrainRoutingAgent(env_of_job, options);
    job.score = ScorePolicy(oracle, job.result.policy);
    std::lock_guard<std::mutex> lock(mutex);
    std::fprintf(stderr, "%3d episodes  %-30s seed %d: %d agree, %d within 2%%\n", job.episodes,
                 Label(job).c_str(), int(job.seed), job.score.agree, job.score.near_optimal);
  });

  std::printf(
      "\nLearned policies, %d seeds each: median (min-max) over the seeds\n\n"
      "| episodes | algorithm | states agreeing with the oracle | within 2%% of its "
      "latency | mean regret (cycles) | seeds with >= 5 of %d within 2%% |\n"
      "|---:|---|---:|---:|---:|---:|\n",
      seeds, env.states());
  for (size_t first = 0; first < jobs.size(); first += seeds) {
    std::vector<double> agree, near, regret;
    int good = 0;
    for (int i = 0; i < seeds; ++i) {
      const PolicyScore& score = jobs[first + i].score;
      agree.push_back(score.agree), near.push_back(score.near_optimal);
      regret.push_back(score.mean_regret);
      good += score.near_optimal >= env.states() - 1;
    }
    std::printf("| %d | %s | %s | %s | %s | %d of %d |\n", jobs[first].episodes,
                Label(jobs[first]).c_str(), MedianAndRange(agree, "%.0f").c_str(),
                MedianAndRange(near, "%.0f").c_str(), MedianAndRange(regret, "%.2f").c_str(), good,
                seeds);
  }
  if (!json_path.empty()) {
    std::ofstream out(json_path);
    for (const Job& job : jobs) {
      std::vector<std::string> policy;
      for (int action : job.result.policy) policy.push_back(env.ActionName(action));
      out << nlohmann::json{{"episodes", job.episodes},
                            {"algorithm", job.algorithm},
                            {"gamma", job.gamma},
                            {"public_code", job.public_code},
                            {"seed", job.seed},
                            {"policy", policy},
                            {"agree", job.score.agree},
                            {"near_optimal", job.score.near_optimal},
                            {"mean_regret", job.score.mean_regret},
                            {"simulations", job.result.simulations}}
                 .dump()
          << "\n";
    }
  }
  return 0;
}

}  // namespace
}  // namespace tessel::noc

int main(int argc, char** argv) {
  try {
    return tessel::noc::Main(argc, argv);
  } catch (const tessel::Error& error) {
    std::cerr << "rl_policies: " << error.what() << std::endl;
    return 2;
  }
}
