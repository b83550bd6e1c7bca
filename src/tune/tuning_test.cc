#include "tune/tuning.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iterator>
#include <utility>

#include "core/error.h"
#include "engine/fake_problem.h"
#include "records/record_store.h"
#include "space/huge_space_test_util.h"
#include "tune/presets.h"
#include "tune/random_tuner.h"

namespace tessel {
namespace {

// 10 x 10 x 4 configurations; odd sums of the first two knobs are invalid.
Space GridSpace() {
  std::vector<Knob> knobs;
  for (const char* name : {"a", "b"}) {
    Knob knob{name, {}};
    for (int64_t v = 0; v < 10; ++v) knob.values.emplace_back(v);
    knobs.push_back(knob);
  }
  knobs.push_back({"c", {std::string("p"), std::string("q"), std::string("r"), std::string("s")}});
  return Space(knobs, [](const Space&, const Config& c) { return (c[0] + c[1]) % 2 == 0; });
}

double Bowl(const std::vector<double>& f) {
  return 1 + (f[0] - 0.2) * (f[0] - 0.2) + (f[1] - 0.6) * (f[1] - 0.6) + f[2];
}

// Options for `trials` evaluations per task with a preset tuner, quietly.
TuningOptions Quiet(int trials, std::string_view preset = "random", uint64_t seed = 0) {
  TuningOptions options;
  options.trials = trials;
  options.progress = false;
  options.seed = seed;
  options.strategy_name = std::string(preset);
  options.strategy = [preset](const StrategyInputs& inputs) {
    return MakeStrategy(FindPreset(preset), {inputs.problem.space(), &inputs.featurizer}, {},
                        inputs.rng);
  };
  return options;
}

std::vector<TuningTask> OneTask(std::unique_ptr<Problem> problem) {
  std::vector<TuningTask> tasks;
  tasks.push_back({"task", 1, 0, std::move(problem)});
  return tasks;
}

// The task report of a run of one FakeProblem over GridSpace without a store.
TaskReport TuneFake(FakeProblem::CostFunction cost, FakeProblem::FailureRule fails,
                    const TuningOptions& options, TuningCallbacks callbacks = {}) {
  std::vector<TuningTask> tasks =
      OneTask(std::make_unique<FakeProblem>(GridSpace(), std::move(cost), std::move(fails)));
  return Tune(tasks, nullptr, options, callbacks).tasks[0];
}

// A database file in the temporary folder, removed (with its WAL files) when done.
class TempDb {
 public:
  explicit TempDb(const std::string& name)
      : path_((std::filesystem::temp_directory_path() /
               ("tessel_" + name + "_" + std::to_string(getpid()) + ".db"))
                  .string()) {
    Remove();
  }
  ~TempDb() { Remove(); }
  const std::string& path() const { return path_; }

 private:
  void Remove() const {
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix);
  }
  std::string path_;
};

TEST(RandomTunerTest, ProposesEachValidConfigurationOnce) {
  const Space space = GridSpace();
  RandomTuner tuner(space, Rng(3));
  ConfigSet seen;
  for (;;) {
    const std::vector<Config> batch = tuner.NextBatch(7);
    if (batch.empty()) break;
    for (const Config& config : batch) {
      EXPECT_TRUE(space.IsValid(config));
      EXPECT_TRUE(seen.insert(config).second);
    }
  }
  EXPECT_EQ(seen.size(), 200u);  // half of 10 x 10, times 4
}

TEST(RandomTunerTest, SampledLargeSpacesNeverRepeat) {
  std::vector<Knob> knobs;
  for (int k = 0; k < 4; ++k) {
    Knob knob{"k" + std::to_string(k), {}};
    for (int64_t v = 0; v < 100; ++v) knob.values.emplace_back(v);
    knobs.push_back(knob);
  }
  const Space space(knobs);
  ASSERT_GT(space.Size(), RandomTuner::kEnumerateLimit);
  RandomTuner tuner(space, Rng(1));
  ConfigSet seen;
  for (int i = 0; i < 50; ++i)
    for (const Config& config : tuner.NextBatch(20)) EXPECT_TRUE(seen.insert(config).second);
  EXPECT_EQ(seen.size(), 1000u);
}

TEST(RandomTunerTest, DrawsDistinctConfigurationsOfASpaceBeyondFlatIndices) {
  const Space space = HugeSpace();
  ASSERT_FALSE(space.indexable());
  RandomTuner tuner(space, Rng(2));
  // Resumed measurements are remembered as configurations too.
  Rng resumed_rng(9);
  std::vector<Config> resumed;
  for (int i = 0; i < 10; ++i) resumed.push_back(*space.SampleValid(resumed_rng));
  tuner.Resume(resumed, std::vector<Evaluation>(resumed.size()));
  ConfigSet seen(resumed.begin(), resumed.end());
  for (int i = 0; i < 20; ++i) {
    for (const Config& config : tuner.NextBatch(10)) {
      EXPECT_TRUE(space.IsValid(config));
      EXPECT_TRUE(seen.insert(config).second);
    }
  }
  EXPECT_EQ(seen.size(), 210u);
  // The same seed, the same draws.
  EXPECT_EQ(RandomTuner(space, Rng(2)).NextBatch(5), RandomTuner(space, Rng(2)).NextBatch(5));
}

// A model's search, its top candidates and the epsilon share's random draws all keep their
// visited sets as configurations, so the model-based loop runs where flat indices do not
// exist. (Two presets that cover annealing and PPO: the others ran too, but BTED's one-hot
// matrices and k-means over long trajectories make them slow in 60 knobs of 1536 values.)
TEST(TuningTest, ModelBasedPresetsRunOnASpaceBeyondFlatIndices) {
  for (const char* preset : {"autotvm", "rl"}) {
    std::vector<TuningTask> tasks = OneTask(std::make_unique<FakeProblem>(
        HugeSpace(), [](const std::vector<double>& f) { return 1 + f[1] + f[2]; }));
    ConfigSet seen;
    TuningCallbacks callbacks;
    callbacks.on_batch.push_back([&](const TaskBatch& batch) {
      for (const Config& config : batch.configs) EXPECT_TRUE(seen.insert(config).second);
    });
    const TaskReport report = Tune(tasks, nullptr, Quiet(96, preset, 1), callbacks).tasks[0];
    EXPECT_EQ(report.evaluations, 96) << preset;
  }
}

// A random strategy that reports, per proposal, what the fake will measure (so pairs can be
// checked) and, per batch, its batch count.
class ReportingTuner : public Strategy {
 public:
  explicit ReportingTuner(const Space& space, Rng rng) : space_(space), random_(space, rng) {}
  std::vector<Config> NextBatch(int max_count) override {
    std::vector<Config> batch = random_.NextBatch(max_count);
    for (size_t i = 0; i < batch.size(); ++i)
      stats_.push_back(
          {"predicted", static_cast<int64_t>(i), Bowl(space_.NormalisedFeatures(batch[i])), true});
    return batch;
  }
  void Update(const std::vector<Config>& configs, const std::vector<Evaluation>& results) override {
    random_.Update(configs, results);
    stats_.push_back({"reward", batches_++, static_cast<double>(configs.size())});
  }
  void Resume(const std::vector<Config>& configs, const std::vector<Evaluation>& results) override {
    random_.Resume(configs, results);
  }
  std::vector<TunerStat> TakeStats() override { return std::exchange(stats_, {}); }

 private:
  const Space& space_;
  RandomTuner random_;
  std::vector<TunerStat> stats_;
  int64_t batches_ = 0;
};

TEST(TuningTest, StrategyStatsAreDrainedIntoTheStorePairedWithTheirMeasurements) {
  TempDb db("tuning_stats");
  RecordStore store(db.path());
  auto problem = std::make_unique<FakeProblem>(GridSpace(), Bowl);
  problem->SetDefault({0, 0, 0});  // seq 0: the default, which no strategy proposed
  std::vector<TuningTask> tasks = OneTask(std::move(problem));
  TuningOptions options = Quiet(20);
  options.batch_size = 8;
  options.strategy = [](const StrategyInputs& inputs) {
    return std::make_unique<ReportingTuner>(inputs.problem.space(), inputs.rng);
  };
  const TuningReport report = Tune(tasks, &store, options);
  const int64_t task = report.tasks[0].task_id;
  int rewards = 0;
  for (const TunerLogEntry& entry : store.TunerLog(task)) {
    EXPECT_EQ(entry.run_id, report.run_id);
    if (entry.name != "reward") continue;
    EXPECT_EQ(entry.step, rewards);
    ++rewards;
  }
  EXPECT_EQ(rewards, 3);  // batches of 8, 8 and 4
  const std::vector<LoggedAgainstMeasured> pairs =
      store.TunerLogAgainstMeasured(report.run_id, task, "predicted");
  ASSERT_EQ(pairs.size(), 20u);
  for (size_t i = 0; i < pairs.size(); ++i) {
    EXPECT_EQ(pairs[i].step, static_cast<int64_t>(i) + 1);
    EXPECT_DOUBLE_EQ(pairs[i].logged, pairs[i].measured);
  }
}

TEST(TuningTest, ModelBasedTunersLogTheirPredictionsAndPpoItsLearning) {
  for (const char* preset : {"autotvm", "release"}) {
    TempDb db(std::string("tuning_model_log_") + preset);
    RecordStore store(db.path());
    std::vector<TuningTask> tasks = OneTask(std::make_unique<FakeProblem>(GridSpace(), Bowl));
    const TuningReport report = Tune(tasks, &store, Quiet(80, preset, 1));
    const int64_t task = report.tasks[0].task_id;
    // The first 64 come from the initial design, before any model.
    const std::vector<LoggedAgainstMeasured> predicted =
        store.TunerLogAgainstMeasured(report.run_id, task, "predicted");
    EXPECT_EQ(predicted.size(), 16u) << preset;
    for (const LoggedAgainstMeasured& pair : predicted) EXPECT_GE(pair.step, 64) << preset;
    const std::vector<LoggedAgainstMeasured> fitted_on =
        store.TunerLogAgainstMeasured(report.run_id, task, "fitted_on");
    ASSERT_EQ(fitted_on.size(), 16u) << preset;
    EXPECT_GE(fitted_on[0].logged, 64) << preset;
    int rewards = 0, losses = 0;
    for (const TunerLogEntry& entry : store.TunerLog(task)) {
      rewards += entry.name == "reward";
      losses += entry.name == "policy_loss";
    }
    if (std::string(preset) == "release") {
      EXPECT_GT(rewards, 0);
      EXPECT_EQ(rewards, losses);
    } else {
      EXPECT_EQ(rewards, 0);
    }
  }
}

TEST(GridTunerTest, EnumeratesInFlatOrderAndRefusesHugeSpaces) {
  const Space space = GridSpace();
  GridTuner tuner(space);
  std::vector<Config> all;
  for (std::vector<Config> batch; !(batch = tuner.NextBatch(64)).empty();)
    all.insert(all.end(), batch.begin(), batch.end());
  ASSERT_EQ(all.size(), 200u);
  for (size_t i = 1; i < all.size(); ++i)
    EXPECT_LT(space.FlatIndex(all[i - 1]), space.FlatIndex(all[i]));
  std::vector<Knob> knobs;
  for (int k = 0; k < 4; ++k) {
    Knob knob{"k" + std::to_string(k), {}};
    for (int64_t v = 0; v < 100; ++v) knob.values.emplace_back(v);
    knobs.push_back(knob);
  }
  EXPECT_THROW(MakeStrategy(FindPreset("grid"), {Space(knobs)}, {}, Rng(0)), Error);
  // A space past 2^64 is refused with a bound, not its saturated size.
  try {
    GridTuner huge(HugeSpace());
    ADD_FAILURE() << "grid search accepted a space of over 2^64 configurations";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("over 2^64"), std::string::npos) << error.what();
  }
}

TEST(TuningTest, GridFindsTheOptimumAndStopsWhenExhausted) {
  const Space space = GridSpace();
  const TaskReport result = TuneFake(Bowl, nullptr, Quiet(1000, "grid"));
  EXPECT_EQ(result.evaluations, 200);
  ASSERT_TRUE(result.best.has_value());
  EXPECT_EQ(space.ToText(*result.best), "a=2;b=6;c=p");
  EXPECT_DOUBLE_EQ(result.best_value,
                   1.0 + std::pow(2.0 / 9 - 0.2, 2) + std::pow(6.0 / 9 - 0.6, 2));
}

TEST(TuningTest, FailuresNeverBecomeTheBest) {
  const Space space = GridSpace();
  // Every configuration better than 1.2 fails; the best must be a measured success.
  std::vector<Evaluation> seen;
  TuningCallbacks callbacks;
  callbacks.on_batch.push_back([&](const TaskBatch& batch) {
    seen.insert(seen.end(), batch.evaluations.begin(), batch.evaluations.end());
  });
  const TaskReport result = TuneFake(
      Bowl, [&](const Config& c) { return Bowl(space.NormalisedFeatures(c)) < 1.2; }, Quiet(120),
      callbacks);
  EXPECT_EQ(result.evaluations, 120);
  EXPECT_EQ(seen.size(), 120u);
  ASSERT_TRUE(result.best.has_value());
  EXPECT_GE(result.best_value, 1.2);
  int failures = 0;
  for (const Evaluation& r : seen) failures += !r.ok();
  EXPECT_GT(failures, 0);
}

TEST(TuningTest, TheBestIncludesTheDefaultScheduleTheCurveDoesNot) {
  // The default, {0, 0, 0}, costs less than anything the search can measure: the task's best
  // is the default, as its records say, while the curve stays the search's own.
  auto cost = [](const std::vector<double>& f) {
    return f[0] == 0 && f[1] == 0 && f[2] == 0 ? 0.5 : 1 + Bowl(f);
  };
  auto problem = std::make_unique<FakeProblem>(GridSpace(), cost);
  problem->SetDefault({0, 0, 0});
  std::vector<TuningTask> tasks = OneTask(std::move(problem));
  const TaskReport result = Tune(tasks, nullptr, Quiet(20)).tasks[0];
  EXPECT_EQ(result.default_value, 0.5);
  EXPECT_EQ(result.best_value, 0.5);
  ASSERT_TRUE(result.best.has_value());
  EXPECT_EQ(*result.best, (Config{0, 0, 0}));
  ASSERT_EQ(result.curve.size(), 20u);
  EXPECT_GT(result.curve.back(), 0.5);

  // Without the default measured, the best is the search's.
  auto plain = std::make_unique<FakeProblem>(GridSpace(), cost);
  plain->SetDefault({0, 0, 0});
  std::vector<TuningTask> plain_tasks = OneTask(std::move(plain));
  TuningOptions options = Quiet(20);
  options.evaluate_default = false;
  const TaskReport searched = Tune(plain_tasks, nullptr, options).tasks[0];
  EXPECT_EQ(searched.best_value, searched.curve.back());
}

TEST(TuningTest, CurveIsBestSoFarWithNanBeforeTheFirstSuccess) {
  int calls = 0;
  const TaskReport result = TuneFake(
      Bowl, [&](const Config&) { return ++calls <= 3; }, Quiet(30));
  ASSERT_EQ(result.curve.size(), 30u);
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(std::isnan(result.curve[i]));
  for (size_t i = 4; i < result.curve.size(); ++i) EXPECT_LE(result.curve[i], result.curve[i - 1]);
  EXPECT_EQ(result.curve.back(), result.best_value);
  ASSERT_EQ(result.elapsed_seconds.size(), 30u);
  for (size_t i = 1; i < result.elapsed_seconds.size(); ++i)
    EXPECT_GE(result.elapsed_seconds[i], result.elapsed_seconds[i - 1]);
  EXPECT_LE(result.elapsed_seconds.back(), result.wall_seconds);
}

TEST(TuningTest, EarlyStoppingEndsARunThatStoppedImproving) {
  TuningOptions options = Quiet(200);
  options.batch_size = 1;
  options.early_stopping = 10;
  const TaskReport result =
      TuneFake([](const std::vector<double>&) { return 1.0; }, nullptr, options);
  EXPECT_EQ(result.evaluations, 11);  // the first success, then 10 without improvement
}

TEST(TuningTest, SameSeedSameChoices) {
  auto run = [&](uint64_t seed) {
    std::vector<Config> order;
    TuningCallbacks callbacks;
    callbacks.on_batch.push_back([&](const TaskBatch& batch) {
      order.insert(order.end(), batch.configs.begin(), batch.configs.end());
    });
    TuneFake(Bowl, nullptr, Quiet(40, "random", seed), callbacks);
    return order;
  };
  EXPECT_EQ(run(11), run(11));
  EXPECT_NE(run(11), run(12));
}

TEST(TuningTest, PredictedAllocationStopsTasksAndRecordsTheirEstimates) {
  TempDb db("predicted");
  RecordStore store(db.path());
  std::vector<TuningTask> tasks;
  for (const char* label : {"one", "two"})
    tasks.push_back(
        {label, 1, 0, std::make_unique<FakeProblem>(GridSpace(), Bowl, nullptr, label)});
  TuningOptions options = Quiet(0, "tessel");
  options.budget = 400;
  options.allocation = Allocation::kPredicted;
  options.round_size = 16;
  // Nothing is ever worth another round: each task stops once its model was asked twice.
  options.predicted.min_gain = 0.99;
  std::vector<std::string> log;
  const TuningReport report =
      Tune(tasks, &store, options, {{}, [&](const std::string& line) { log.push_back(line); }});
  for (const TaskReport& task : report.tasks) {
    EXPECT_EQ(task.evaluations, 32);  // the design and a plan, each followed by an estimate
    ASSERT_TRUE(task.expected_gain);
    EXPECT_LT(*task.expected_gain, 0.99);
    EXPECT_TRUE(task.stopped_by_model);
    const std::vector<TunerLogEntry> entries = store.TunerLog(task.task_id);
    std::vector<TunerLogEntry> estimates;
    std::copy_if(entries.begin(), entries.end(), std::back_inserter(estimates),
                 [](const TunerLogEntry& entry) { return entry.name == "expected_gain"; });
    ASSERT_EQ(estimates.size(), 2u);
    EXPECT_EQ(estimates[0].step, 16);
    EXPECT_EQ(estimates[1].step, 32);
    EXPECT_EQ(estimates[1].value, *task.expected_gain);
  }
  ASSERT_FALSE(log.empty());
  EXPECT_NE(log.back().find("336 of the 400 measurements left unspent"), std::string::npos);

  // With no stopping rule the budget is spent, and the tasks are not stopped.
  std::vector<TuningTask> again;
  for (const char* label : {"one", "two"})
    again.push_back({label, 1, 0, std::make_unique<FakeProblem>(GridSpace(), Bowl)});
  options.predicted.min_gain = 0;
  options.budget = 96;
  const TuningReport spent = Tune(again, nullptr, options, {{}, [](const std::string&) {}});
  EXPECT_EQ(spent.tasks[0].evaluations + spent.tasks[1].evaluations, 96);
  EXPECT_FALSE(spent.tasks[0].stopped_by_model || spent.tasks[1].stopped_by_model);
}

// The first pass covers the network even when the budget cannot give each task a full batch.
TEST(TuningTest, PredictedAllocationStartsEveryTaskOnASmallBudget) {
  std::vector<TuningTask> tasks;
  for (const char* label : {"one", "two", "three"})
    tasks.push_back({label, 1, 0, std::make_unique<FakeProblem>(GridSpace(), Bowl)});
  TuningOptions options = Quiet(0, "tessel");
  options.budget = 7;
  options.allocation = Allocation::kPredicted;
  options.round_size = 16;
  options.first_round_size = 8;
  const TuningReport report = Tune(tasks, nullptr, options, {{}, [](const std::string&) {}});
  int spent = 0;
  for (const TaskReport& task : report.tasks) {
    EXPECT_GE(task.evaluations, 2) << task.label;
    spent += task.evaluations;
  }
  EXPECT_EQ(spent, 7);
}

TEST(TuningTest, BadOptionsAreErrors) {
  EXPECT_THROW(Quiet(0).Validate(), Error);
  TuningOptions options = Quiet(1);
  options.early_stopping = -1;
  EXPECT_THROW(options.Validate(), Error);
  options = Quiet(1);
  options.budget = 10;  // and --trials
  EXPECT_THROW(options.Validate(), Error);
  EXPECT_THROW(FindPreset("annealing"), Error);
}

// Area is the first knob's share, so half the space breaks area<=0.5; the bowl's optimum
// (a=2) is inside the budget, the unconstrained best of a shifted bowl is not.
TEST(TuningTest, ConstraintsMakeEvaluationsInfeasibleAndNeverTheBest) {
  auto cost = [](const std::vector<double>& f) { return 1 + (f[0] - 0.9) * (f[0] - 0.9) + f[1]; };
  auto problem = std::make_unique<FakeProblem>(GridSpace(), cost);
  problem->SetMetrics({{"area", "mm2", "the first knob's share"}},
                      [](const std::vector<double>& f) {
                        return Metrics{{"area", f[0]}};
                      });
  std::vector<TuningTask> tasks = OneTask(std::move(problem));
  TuningOptions options = Quiet(1000, "grid");
  options.constraints = {Constraint::Parse("area<=0.5")};
  int infeasible = 0;
  TuningCallbacks callbacks;
  callbacks.on_batch.push_back([&](const TaskBatch& batch) {
    for (const Evaluation& evaluation : batch.evaluations) {
      if (evaluation.status != EvalStatus::kInfeasible) {
        EXPECT_LE(evaluation.metrics.at("area"), 0.5);
        continue;
      }
      ++infeasible;
      EXPECT_GT(evaluation.metrics.at("area"), 0.5);
      EXPECT_FALSE(std::isnan(evaluation.value));  // recorded with the value it would have had
      EXPECT_NE(evaluation.error.find("area"), std::string::npos);
    }
  });
  const TaskReport result = Tune(tasks, nullptr, options, callbacks).tasks[0];
  EXPECT_EQ(result.evaluations, 200);
  EXPECT_EQ(infeasible, 100);  // a = 5..9: 5 x 5 valid b x 4 c
  ASSERT_TRUE(result.best.has_value());
  EXPECT_LE(result.best_metrics.at("area"), 0.5);
  EXPECT_EQ(GridSpace().ToText(*result.best), "a=4;b=0;c=p");
  // A constraint on the objective itself works the same way.
  EXPECT_NO_THROW(CheckTuning(tasks, [&] {
    TuningOptions on_cost = options;
    on_cost.constraints = {Constraint::Parse("cost <= 1.5")};
    return on_cost;
  }()));
}

TEST(TuningTest, ConstraintsOnUnknownMetricsAndMalformedOnesAreErrors) {
  std::vector<TuningTask> tasks = OneTask(std::make_unique<FakeProblem>(GridSpace(), Bowl));
  TuningOptions options = Quiet(10);
  options.constraints = {Constraint::Parse("power<=2")};
  try {
    Tune(tasks, nullptr, options);
    FAIL() << "an unknown metric was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("no metric 'power'; it reports cost"), std::string::npos)
        << e.what();
  }
  for (const char* bad : {"area", "area<=", "<=3", "area<=big", "area<=inf", "area>=3"})
    EXPECT_THROW(Constraint::Parse(bad), Error) << bad;
  EXPECT_EQ(Constraint::Parse(" area <= 1e6 ").ToString(), "area<=1e+06");
  EXPECT_EQ(Constraint::Parse("power<=2.5").limit, 2.5);
  // An evaluation without the constrained metric (a record older than the metric) cannot be
  // shown to keep the limit.
  Evaluation old;
  old.value = 1;
  ApplyConstraints({Constraint::Parse("area<=3")}, {"cost", "units", true}, old);
  EXPECT_EQ(old.status, EvalStatus::kInfeasible);
  EXPECT_NE(old.error.find("no area"), std::string::npos) << old.error;
}

// Records go to the store with their metrics; a second run resumes from them, never proposes
// them again and judges their feasibility by its own constraints.
TEST(TuningTest, RecordsMetricsAndResumesUnderNewConstraints) {
  TempDb db("tuning_resume");
  auto make_tasks = [] {
    auto problem = std::make_unique<FakeProblem>(GridSpace(), Bowl);
    problem->SetMetrics({{"area", "mm2", "the first knob's share"}},
                        [](const std::vector<double>& f) {
                          return Metrics{{"area", f[0]}};
                        });
    problem->SetDefault({0, 0, 0});
    return OneTask(std::move(problem));
  };
  ConfigSet first_run;
  {
    RecordStore store(db.path());
    std::vector<TuningTask> tasks = make_tasks();
    TuningCallbacks callbacks;
    callbacks.on_batch.push_back([&](const TaskBatch& batch) {
      EXPECT_GT(batch.task_id, 0);
      for (const Config& config : batch.configs) first_run.insert(config);
    });
    const TuningReport report = Tune(tasks, &store, Quiet(30), callbacks);
    EXPECT_EQ(report.tasks[0].evaluations, 30);
    EXPECT_FALSE(std::isnan(report.tasks[0].default_value));
    const std::vector<MeasurementRecord> history = store.History(report.tasks[0].task_id);
    ASSERT_EQ(history.size(), 31u);  // the default first, then 30
    for (const MeasurementRecord& record : history)
      EXPECT_EQ(record.result.metrics.count("area"), 1u);
  }
  {
    RecordStore store(db.path());
    std::vector<TuningTask> tasks = make_tasks();
    TuningOptions options = Quiet(50);
    options.resume = true;
    options.constraints = {Constraint::Parse("area<=0.3")};
    int evaluated = 0;
    TuningCallbacks callbacks;
    callbacks.on_batch.push_back([&](const TaskBatch& batch) {
      EXPECT_FALSE(batch.is_default);  // a resumed task has its baseline already
      for (const Config& config : batch.configs) {
        ++evaluated;
        EXPECT_EQ(first_run.count(config), 0u);
      }
    });
    const TaskReport report = Tune(tasks, &store, options, callbacks).tasks[0];
    EXPECT_EQ(report.resumed, 31);
    EXPECT_EQ(evaluated, 19);  // 50 asked for, 31 recorded
    ASSERT_TRUE(report.best.has_value());
    EXPECT_LE(report.best_metrics.at("area"), 0.3);
  }
}

// A FakeProblem whose evaluations the loop may take from the records.
class RepeatableFake : public FakeProblem {
 public:
  using FakeProblem::FakeProblem;
  bool repeatable() const override { return true; }
};

TEST(TuningTest, ARepeatableProblemsStoredEvaluationsAreReusedNotRepeated) {
  TempDb db("tuning_reuse");
  // Configurations with a == 2 fail: failures are evaluated again, never reused.
  auto fails = [](const Config& config) { return config[0] == 2; };
  auto run = [&](TuningOptions options, const FakeProblem** problem_out) {
    RecordStore store(db.path());
    auto problem = std::make_unique<RepeatableFake>(GridSpace(), Bowl, fails);
    problem->SetMetrics({{"area", "mm2", "the first knob's share"}},
                        [](const std::vector<double>& f) {
                          return Metrics{{"area", f[0]}};
                        });
    *problem_out = problem.get();
    std::vector<TuningTask> tasks = OneTask(std::move(problem));
    TaskReport report = Tune(tasks, &store, options, {}).tasks[0];
    return std::pair{report, (*problem_out)->evaluated()};
  };
  const FakeProblem* problem = nullptr;
  const auto [first, first_evaluated] = run(Quiet(30, "random", 7), &problem);
  EXPECT_EQ(first.reused, 0);
  EXPECT_EQ(first_evaluated, 30);
  // Another run, same seed, hence the same choices, under a constraint the first lacked.
  TuningOptions constrained = Quiet(30, "random", 7);
  constrained.constraints = {Constraint::Parse("area<=0.3")};
  const auto [second, second_evaluated] = run(constrained, &problem);
  int failures = 0;
  {
    RecordStore store(db.path());
    for (const MeasurementRecord& record : store.History(first.task_id))
      if (record.run_id == 1 && record.result.status == EvalStatus::kRuntimeError) ++failures;
  }
  EXPECT_GT(failures, 0);
  EXPECT_EQ(second_evaluated, failures);
  EXPECT_EQ(second.reused, 30 - failures);
  EXPECT_EQ(second.evaluations, 30);
  ASSERT_TRUE(second.best.has_value());
  EXPECT_LE(second.best_metrics.at("area"), 0.3);
}

TEST(TuningTest, ABudgetIsSharedAndEveryTaskIsReported) {
  std::vector<TuningTask> tasks;
  for (const char* name : {"one", "two", "three"})
    tasks.push_back({name, 1, 0, std::make_unique<FakeProblem>(GridSpace(), Bowl, nullptr, name)});
  TuningOptions options = Quiet(0);
  options.budget = 50;
  const TuningReport report = Tune(tasks, nullptr, options);
  ASSERT_EQ(report.tasks.size(), 3u);
  EXPECT_EQ(report.tasks[0].evaluations + report.tasks[1].evaluations + report.tasks[2].evaluations,
            50);
  options.budget = 2;
  EXPECT_THROW(Tune(tasks, nullptr, options), Error);  // fewer than one per task
}

}  // namespace
}  // namespace tessel
