// Tunes one problem through the library: the replay problem on a table of measured
// configurations (the first 300 rows of ResNet-18's layer r18.2 on this project's CPU),
// searched by AutoTVM's preset (an XGBoost ranker and simulated annealing), every evaluation
// recorded in an SQLite database.
//
//   build/tune_a_table examples/r18.2_300_rows.csv [records.db]
#include <cstdio>

#include "problems/replay/replay_problem.h"
#include "records/record_store.h"
#include "tune/presets.h"
#include "tune/tuning.h"

int main(int argc, char** argv) try {
  if (argc < 2) return std::fprintf(stderr, "usage: %s TABLE.csv [DB]\n", argv[0]), 2;
  std::vector<tessel::TuningTask> tasks;
  tasks.push_back({"table", 1, 0, std::make_unique<tessel::ReplayProblem>(argv[1])});
  tessel::TuningOptions options;
  options.trials = 100;
  options.seed = 1;
  options.progress = false;
  options.strategy_name = "autotvm";
  options.strategy = [](const tessel::StrategyInputs& in) {
    return tessel::MakeStrategy(tessel::FindPreset("autotvm"), {in.problem.space(), &in.featurizer},
                                {}, in.rng);
  };
  tessel::RecordStore store(argc > 2 ? argv[2] : "example.db");
  const tessel::TaskReport best = tessel::Tune(tasks, &store, options).tasks[0];
  std::printf("best of %d: %.4g ms at %s\n", best.evaluations, best.best_value,
              tasks[0].problem->space().ToText(*best.best).c_str());
} catch (const tessel::Error& error) {
  std::fprintf(stderr, "tune_a_table: %s\n", error.what());
  return 2;
}
