// Which cost-model features predict better: AutoTVM's knob features or the loop-structure
// ("itervar") features, on measured configurations of real layers.
//
//   feature_compare --db PATH [--train 64,128] [--splits 5] [--seed 1] [--min-records 150]
//                   [--prior FILE]
//
// For every conv2d_cpu task in the database with at least --min-records measurements:
//   within-task: for each training size n and each of --splits seeded random splits, an XGBoost
//     ranker (Tessel's defaults) is fitted on n measured configurations and ranks the rest;
//   transfer: a base model fitted on every other task of the same target ranks all of this
//     task's configurations without seeing any of them (what --transfer starts from); with
//     --prior FILE, fitted instead on every task of the file (a `tessel export`, as
//     `tessel tune --prior` reads it) on any host but those of the task's own shape (in either
//     layout), so that the task is one the model was not trained on.
// Reported per task and feature set: Spearman's rank correlation between predicted score and
// measured speed (failures count as slowest), and top-10% recall (the share of the truly best
// tenth of the held-out configurations that the model puts in its best tenth); medians over
// splits. Prints Markdown tables. Bad arguments give one line on stderr and exit status 2.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <numeric>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/rng.h"
#include "core/stats.h"
#include "costmodel/xgb_cost_model.h"
#include "problems/schedule/loop_features.h"
#include "problems/schedule/operator_template.h"
#include "problems/schedule/transfer.h"
#include "problems/schedule/workload.h"
#include "records/record_store.h"
#include "records/records_file.h"

namespace tessel {
namespace {

struct TaskData {
  int64_t id = 0;
  ProblemKey key;
  std::unique_ptr<OperatorTemplate> op;
  std::vector<Config> configs;
  std::vector<double> times_ms;  // NaN for failures
};

// Average ranks (ties share the mean rank), 0-based.
std::vector<double> Ranks(const std::vector<double>& values) {
  std::vector<size_t> order(values.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return values[a] < values[b]; });
  std::vector<double> ranks(values.size());
  for (size_t i = 0; i < order.size();) {
    size_t j = i;
    while (j + 1 < order.size() && values[order[j + 1]] == values[order[i]]) ++j;
    for (size_t k = i; k <= j; ++k) ranks[order[k]] = (double(i) + double(j)) / 2;
    i = j + 1;
  }
  return ranks;
}

double Spearman(const std::vector<double>& a, const std::vector<double>& b) {
  const std::vector<double> ra = Ranks(a), rb = Ranks(b);
  const double n = double(a.size());
  const double mean = (n - 1) / 2;
  double cov = 0, va = 0, vb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    cov += (ra[i] - mean) * (rb[i] - mean);
    va += (ra[i] - mean) * (ra[i] - mean);
    vb += (rb[i] - mean) * (rb[i] - mean);
  }
  return va > 0 && vb > 0 ? cov / std::sqrt(va * vb) : 0;
}

// Share of the truly best tenth that the scores put in their best tenth.
double TopRecall(const std::vector<double>& scores, const std::vector<double>& speed) {
  const size_t k = std::max<size_t>(1, scores.size() / 10);
  auto top = [k](const std::vector<double>& values) {
    std::vector<size_t> order(values.size());
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return values[a] > values[b]; });
    order.resize(k);
    std::sort(order.begin(), order.end());
    return order;
  };
  const std::vector<size_t> predicted = top(scores), truth = top(speed);
  std::vector<size_t> both;
  std::set_intersection(predicted.begin(), predicted.end(), truth.begin(), truth.end(),
                        std::back_inserter(both));
  return double(both.size()) / double(k);
}

// Speed as the model should order it: 1 / time, 0 for failures.
std::vector<double> Speeds(const std::vector<double>& times_ms) {
  std::vector<double> speed;
  for (double t : times_ms) speed.push_back(std::isfinite(t) && t > 0 ? 1 / t : 0);
  return speed;
}

// A workload's shape: its spec without the activation layout.
std::string Shape(std::string workload) {
  const size_t layout = workload.find(",layout=");
  return layout == std::string::npos ? workload : workload.erase(layout);
}

// The prior's records, one exported line each, with the shape of its workload.
struct PriorLine {
  std::string shape;
  std::string text;
};

std::vector<PriorLine> ReadPrior(const std::string& path) {
  std::ostringstream exported;
  LoadRecordsFile(path)->ExportJsonl(exported);
  std::vector<PriorLine> lines;
  std::istringstream in(exported.str());
  for (std::string line; std::getline(in, line);)
    lines.push_back({Shape(nlohmann::json::parse(line).at("instance").get<std::string>()), line});
  return lines;
}

// The prior without the records of one shape, in memory.
std::unique_ptr<RecordStore> PriorWithout(const std::vector<PriorLine>& prior,
                                          const std::string& shape) {
  std::string kept;
  for (const PriorLine& line : prior)
    if (line.shape != shape) kept += line.text + "\n";
  auto store = std::make_unique<RecordStore>(":memory:");
  std::istringstream in(kept);
  store->ImportJsonl(in);
  return store;
}

struct Score {
  std::vector<double> spearman, recall;
};

std::string Cell(const Score& score) {
  if (score.spearman.empty()) return "-";
  char text[64];
  std::snprintf(text, sizeof(text), "%.2f / %.2f", Median(score.spearman), Median(score.recall));
  return text;
}

int Main(int argc, char** argv) {
  std::string db;
  std::string train_sizes = "64,128";
  int splits = 5;
  uint64_t seed = 1;
  size_t min_records = 150;
  std::string prior_path;
  CLI::App app("ranking quality of knob and loop features on measured configurations");
  app.add_option("--db", db, "records database")->required();
  app.add_option("--train", train_sizes, "training sizes, comma-separated")->capture_default_str();
  app.add_option("--splits", splits, "random splits per size")->capture_default_str();
  app.add_option("--seed", seed, "seed of the splits and models")->capture_default_str();
  app.add_option("--min-records", min_records, "skip tasks with fewer measurements")
      ->capture_default_str();
  app.add_option("--prior", prior_path,
                 "transfer from this records file's tasks of other shapes, on any host");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;
  }
  std::vector<size_t> sizes;
  for (size_t start = 0; start < train_sizes.size();) {
    size_t end = train_sizes.find(',', start);
    if (end == std::string::npos) end = train_sizes.size();
    sizes.push_back(std::stoul(train_sizes.substr(start, end - start)));
    start = end + 1;
  }

  RecordStore store(db);
  std::vector<TaskData> tasks;
  for (const auto& [id, key] : store.Tasks()) {
    if (key.evaluator != "conv2d_cpu") continue;
    TaskData task{id, key, MakeOperatorTemplate(ParseWorkloadSpec(key.instance)), {}, {}};
    if (task.op->version() != key.evaluator_version) continue;
    // One row per configuration: its median time over repeated measurements.
    std::map<std::string, std::vector<double>> by_config;
    for (const MeasurementRecord& record : store.History(id))
      by_config[record.config].push_back(record.result.ok() ? record.result.value : INFINITY);
    for (const auto& [text, times] : by_config) {
      task.configs.push_back(task.op->space().FromText(text));
      const double median = Median(times);
      task.times_ms.push_back(std::isfinite(median) ? median : std::nan(""));
    }
    if (task.configs.size() >= min_records) tasks.push_back(std::move(task));
  }
  if (tasks.empty()) throw ConfigError(db + " has no conv2d_cpu task with enough records");
  const std::vector<PriorLine> prior =
      prior_path.empty() ? std::vector<PriorLine>() : ReadPrior(prior_path);

  const FeatureKind kinds[] = {FeatureKind::kKnob, FeatureKind::kLoop, FeatureKind::kBoth};
  std::printf(
      "Spearman / top-10%% recall, median over %d splits (held-out configurations of "
      "the same task)\n\n| task | target threads | records |",
      splits);
  for (size_t n : sizes)
    for (FeatureKind kind : kinds)
      std::printf(" %s, train %zu |", std::string(FeatureKindName(kind)).c_str(), n);
  for (FeatureKind kind : kinds)
    std::printf(" %s, transfer |", std::string(FeatureKindName(kind)).c_str());
  std::printf("\n|---|---|---|");
  for (size_t i = 0; i < (sizes.size() + 1) * std::size(kinds); ++i) std::printf("---|");
  std::printf("\n");

  std::map<std::string, Score> overall;
  for (const TaskData& task : tasks) {
    const std::string threads = task.key.target.substr(task.key.target.rfind(':') + 1);
    std::printf("| %s | %s | %zu |", task.key.instance.substr(7).c_str(),
                threads.substr(0, threads.size() - 1).c_str(), task.configs.size());
    for (size_t n : sizes) {
      for (FeatureKind kind : kinds) {
        const auto featurizer = MakeFeaturizer(kind, *task.op);
        Score score;
        for (int split = 0; split < splits && n < task.configs.size(); ++split) {
          std::vector<size_t> order(task.configs.size());
          std::iota(order.begin(), order.end(), 0);
          Rng rng = Rng(seed).Fork(task.key.instance, split);
          for (size_t i = order.size(); i > 1; --i)
            std::swap(order[i - 1], order[rng.UniformInt(0, int64_t(i) - 1)]);
          std::vector<Config> train, test;
          std::vector<double> train_ms, test_ms;
          for (size_t i = 0; i < order.size(); ++i) {
            (i < n ? train : test).push_back(task.configs[order[i]]);
            (i < n ? train_ms : test_ms).push_back(task.times_ms[order[i]]);
          }
          XgbCostModel::Options options;
          options.seed = rng.Fork("model").seed();
          XgbCostModel model(*featurizer, options);
          model.Fit(train, train_ms);
          const std::vector<double> scores = model.Predict(test);
          score.spearman.push_back(Spearman(scores, Speeds(test_ms)));
          score.recall.push_back(TopRecall(scores, Speeds(test_ms)));
        }
        const std::string column =
            std::string(FeatureKindName(kind)) + ", train " + std::to_string(n);
        overall[column].spearman.push_back(Median(score.spearman));
        overall[column].recall.push_back(Median(score.recall));
        std::printf(" %s |", Cell(score).c_str());
      }
    }
    const std::unique_ptr<RecordStore> held_out =
        prior.empty() ? nullptr : PriorWithout(prior, Shape(task.key.instance));
    for (FeatureKind kind : kinds) {
      const TransferRows history =
          held_out
              ? LoadTransferHistory(*held_out, task.key, kind, TransferScope::kEveryTask)
              : LoadTransferHistory(store, task.key, kind, TransferScope::kOtherTasksOfThisTarget);
      const auto featurizer = MakeFeaturizer(kind, *task.op);
      XgbCostModel::Options options;
      options.seed = seed;
      XgbCostModel model(*featurizer, options);
      Score score;
      if (model.FitBaseModel(history.rows)) {
        const std::vector<double> scores = model.Predict(task.configs);
        score.spearman.push_back(Spearman(scores, Speeds(task.times_ms)));
        score.recall.push_back(TopRecall(scores, Speeds(task.times_ms)));
      }
      const std::string column = std::string(FeatureKindName(kind)) + ", transfer";
      if (!score.spearman.empty()) {
        overall[column].spearman.push_back(score.spearman[0]);
        overall[column].recall.push_back(score.recall[0]);
      }
      std::printf(" %s |", score.spearman.empty() ? "-" : Cell(score).c_str());
    }
    std::printf("\n");
    std::fflush(stdout);
  }
  std::printf("| **median over tasks** | | |");
  for (size_t n : sizes)
    for (FeatureKind kind : kinds)
      std::printf(" %s |",
                  Cell(overall[std::string(FeatureKindName(kind)) + ", train " + std::to_string(n)])
                      .c_str());
  for (FeatureKind kind : kinds)
    std::printf(" %s |", Cell(overall[std::string(FeatureKindName(kind)) + ", transfer"]).c_str());
  std::printf("\n");
  return 0;
}

}  // namespace
}  // namespace tessel

int main(int argc, char** argv) {
  try {
    return tessel::Main(argc, argv);
  } catch (const tessel::Error& e) {
    std::fprintf(stderr, "feature_compare: %s\n", e.what());
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "feature_compare: %s\n", e.what());
    return 2;
  }
}
