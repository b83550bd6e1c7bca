#include "costmodel/xgb_cost_model.h"

#include <xgboost/c_api.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <mutex>
#include <numeric>

#include "core/error.h"
#include "core/fnv1a.h"
#include "core/stop_request.h"

namespace tessel {
namespace {

// The one adapter from XGBoost's return codes to tessel::Error.
void Check(int status, const char* call) {
  if (status != 0) throw Error(ErrorKind::kBackend, std::string(call) + ": " + XGBGetLastError());
}

// Owns a DMatrix of feature rows, with optional labels (one ranking group) and base margins.
class FeatureMatrix {
 public:
  FeatureMatrix(const std::vector<const std::vector<float>*>& rows,
                const std::vector<float>* labels, const std::vector<float>* margins) {
    std::vector<float> data;
    const size_t columns = rows.empty() ? 0 : rows[0]->size();
    data.reserve(rows.size() * columns);
    for (const std::vector<float>* row : rows) {
      TESSEL_CHECK(row->size() == columns) << "feature vectors of one length";
      data.insert(data.end(), row->begin(), row->end());
    }
    Check(XGDMatrixCreateFromMat(data.data(), rows.size(), columns, std::nanf(""), &handle_),
          "XGDMatrixCreateFromMat");
    if (labels) {
      Check(XGDMatrixSetFloatInfo(handle_, "label", labels->data(), labels->size()),
            "XGDMatrixSetFloatInfo");
      const unsigned group = static_cast<unsigned>(rows.size());
      Check(XGDMatrixSetUIntInfo(handle_, "group", &group, 1), "XGDMatrixSetUIntInfo");
    }
    if (margins)
      Check(XGDMatrixSetFloatInfo(handle_, "base_margin", margins->data(), margins->size()),
            "XGDMatrixSetFloatInfo");
  }
  ~FeatureMatrix() { XGDMatrixFree(handle_); }
  FeatureMatrix(const FeatureMatrix&) = delete;
  FeatureMatrix& operator=(const FeatureMatrix&) = delete;
  DMatrixHandle get() const { return handle_; }

 private:
  DMatrixHandle handle_ = nullptr;
};

std::vector<double> PredictRounds(BoosterHandle booster, DMatrixHandle matrix, int rounds) {
  // type 1: the raw margin, which is what rank:pairwise predicts and what base margins add to.
  const std::string config = R"({"type": 1, "training": false, "iteration_begin": 0, )"
                             R"("iteration_end": )" +
                             std::to_string(rounds) + R"(, "strict_shape": false})";
  const bst_ulong* shape = nullptr;
  bst_ulong dims = 0;
  const float* result = nullptr;
  Check(XGBoosterPredictFromDMatrix(booster, matrix, config.c_str(), &shape, &dims, &result),
        "XGBoosterPredictFromDMatrix");
  bst_ulong count = 1;
  for (bst_ulong d = 0; d < dims; ++d) count *= shape[d];
  return std::vector<double>(result, result + count);
}

// Fraction of pairs with different targets that the scores put in the same order.
double ConcordantPairs(const std::vector<double>& scores, const std::vector<float>& targets) {
  double agree = 0, pairs = 0;
  for (size_t i = 0; i < scores.size(); ++i)
    for (size_t j = i + 1; j < scores.size(); ++j) {
      if (targets[i] == targets[j]) continue;
      pairs += 1;
      agree += (scores[i] < scores[j]) == (targets[i] < targets[j]) ? 1 : 0;
    }
  return pairs > 0 ? agree / pairs : 1.0;
}

template <typename T>
std::vector<T> Select(const std::vector<T>& values, const std::vector<size_t>& rows) {
  std::vector<T> selected;
  selected.reserve(rows.size());
  for (size_t row : rows) selected.push_back(values[row]);
  return selected;
}

std::vector<const std::vector<float>*> Pointers(const std::vector<std::vector<float>>& rows,
                                                const std::vector<size_t>& selected) {
  std::vector<const std::vector<float>*> pointers;
  pointers.reserve(selected.size());
  for (size_t row : selected) pointers.push_back(&rows[row]);
  return pointers;
}

std::vector<size_t> AllRows(size_t count) {
  std::vector<size_t> rows(count);
  std::iota(rows.begin(), rows.end(), 0);
  return rows;
}

}  // namespace

// A trained booster and the number of rounds its predictions use.
class XgbCostModel::Booster {
 public:
  ~Booster() {
    if (handle_) XGBoosterFree(handle_);
  }

  // Boosts on `features`/`fitness` (plus `margins` when given). With a held-back part the
  // rounds stop when its ranking stops improving; without one, a quarter of max_rounds.
  static std::unique_ptr<Booster> Train(const Options& options,
                                        const std::vector<std::vector<float>>& features,
                                        const std::vector<float>& fitness,
                                        const std::vector<float>* margins,
                                        const std::vector<size_t>& train,
                                        const std::vector<size_t>& held) {
    auto booster = std::unique_ptr<Booster>(new Booster());
    const std::vector<float> train_labels = Select(fitness, train);
    std::vector<float> train_margins;
    if (margins) train_margins = Select(*margins, train);
    const FeatureMatrix train_matrix(Pointers(features, train), &train_labels,
                                     margins ? &train_margins : nullptr);
    DMatrixHandle train_handle = train_matrix.get();
    Check(XGBoosterCreate(&train_handle, 1, &booster->handle_), "XGBoosterCreate");
    const std::pair<const char*, std::string> params[] = {
        {"objective", options.objective == Objective::kRank ? "rank:pairwise" : "reg:squarederror"},
        {"max_depth", std::to_string(options.max_depth)},
        {"eta", std::to_string(options.eta)},
        {"gamma", std::to_string(options.gamma)},
        {"min_child_weight", std::to_string(options.min_child_weight)},
        {"nthread", std::to_string(options.threads)},
        {"seed", std::to_string(options.seed % 2147483647)},
        {"verbosity", "0"},
    };
    for (const auto& [name, value] : params)
      Check(XGBoosterSetParam(booster->handle_, name, value.c_str()), "XGBoosterSetParam");

    if (held.empty()) {
      booster->rounds_ = options.max_rounds / 4;
      for (int round = 0; round < booster->rounds_; ++round) {
        Check(XGBoosterUpdateOneIter(booster->handle_, round, train_handle),
              "XGBoosterUpdateOneIter");
        // A stop request (Ctrl-C) cuts the fit short: the run is ending.
        if (StopRequested()) {
          booster->rounds_ = round + 1;
          break;
        }
      }
      return booster;
    }
    std::vector<float> held_margins;
    if (margins) held_margins = Select(*margins, held);
    const FeatureMatrix held_matrix(Pointers(features, held), nullptr,
                                    margins ? &held_margins : nullptr);
    const std::vector<float> held_fitness = Select(fitness, held);
    double best_score = -1;
    for (int round = 0; round < options.max_rounds; ++round) {
      Check(XGBoosterUpdateOneIter(booster->handle_, round, train_handle),
            "XGBoosterUpdateOneIter");
      const double score = ConcordantPairs(
          PredictRounds(booster->handle_, held_matrix.get(), round + 1), held_fitness);
      if (score > best_score) {
        best_score = score;
        booster->rounds_ = round + 1;
      } else if (round + 1 - booster->rounds_ >= options.early_stopping_rounds) {
        break;
      }
      if (StopRequested()) break;  // the run is ending; the best rounds so far serve
    }
    return booster;
  }

  std::vector<double> Predict(const std::vector<const std::vector<float>*>& rows,
                              const std::vector<float>* margins) const {
    const FeatureMatrix matrix(rows, nullptr, margins);
    return PredictRounds(handle_, matrix.get(), rounds_);
  }

  int rounds() const { return rounds_; }

 private:
  Booster() = default;
  BoosterHandle handle_ = nullptr;
  int rounds_ = 0;
};

std::vector<float> Fitness(const std::vector<double>& times_ms) {
  double best = INFINITY;
  for (double t : times_ms)
    if (std::isfinite(t) && t > 0) best = std::min(best, t);
  std::vector<float> fitness(times_ms.size(), 0.f);
  for (size_t i = 0; i < times_ms.size(); ++i)
    if (std::isfinite(times_ms[i]) && times_ms[i] > 0)
      fitness[i] = static_cast<float>(best / times_ms[i]);
  return fitness;
}

void XgbCostModel::Options::Validate() const {
  if (max_depth < 1) throw ConfigError("the cost model's max_depth must be positive");
  if (!(eta > 0)) throw ConfigError("the cost model's eta must be positive");
  if (max_rounds < 1) throw ConfigError("the cost model needs at least one boosting round");
  if (early_stopping_rounds < 1) throw ConfigError("early_stopping_rounds must be positive");
  if (!(holdout_fraction >= 0 && holdout_fraction < 1))
    throw ConfigError("holdout_fraction must be in [0, 1)");
  if (threads < 1) throw ConfigError("the cost model needs at least one thread");
}

XgbCostModel::XgbCostModel(const Featurizer& featurizer, const Options& options)
    : featurizer_(featurizer), options_(options) {
  options_.Validate();
}

XgbCostModel::~XgbCostModel() = default;

int XgbCostModel::rounds() const { return booster_ ? booster_->rounds() : 0; }

double XgbCostModel::BaseDiscount() const {
  // AutoTVM's schedule: the base model's say halves with every 64 measurements of the task.
  return std::pow(2.0, -double(fitted_size_) / 64.0);
}

namespace {

// A hash of the rows, their fitness and the options that shape a base model.
uint64_t BaseModelKey(const XgbCostModel::Options& options, const FeatureRows& history) {
  const double shape[] = {
      double(options.objective), double(options.max_depth), options.eta, options.gamma,
      options.min_child_weight,  double(options.max_rounds)};
  uint64_t hash = Fnv1a(shape, sizeof(shape));
  for (const std::vector<float>& row : history.features)
    hash = Fnv1a(row.data(), row.size() * sizeof(float), hash);
  return Fnv1a(history.fitness.data(), history.fitness.size() * sizeof(float), hash);
}

}  // namespace

bool XgbCostModel::FitBaseModel(const FeatureRows& history) {
  TESSEL_CHECK(history.features.size() == history.fitness.size()) << "one fitness per row";
  base_.reset();
  if (history.features.empty()) return false;
  // Fitting 10,000 rows of a prior takes seconds; tuning a network fitted the same model once
  // per task. A few entries serve a run's templates.
  // Never destroyed: freeing boosters after XGBoost's own statics are gone crashes the exit.
  static std::mutex mutex;
  static auto& fitted = *new std::map<uint64_t, std::shared_ptr<const Booster>>();
  const uint64_t key = BaseModelKey(options_, history);
  std::lock_guard<std::mutex> lock(mutex);
  if (const auto found = fitted.find(key); found != fitted.end()) {
    base_ = found->second;
    return true;
  }
  // Every row trains: the base model's quality on the new task cannot be held out anyway. The
  // seed is fixed, so that every task and ensemble member fitting these rows gets this model.
  Options base_options = options_;
  base_options.seed = 0;
  base_ = Booster::Train(base_options, history.features, history.fitness, nullptr,
                         AllRows(history.features.size()), {});
  if (StopRequested()) return true;  // cut short: not kept for others
  if (fitted.size() >= 8) fitted.clear();
  fitted[key] = base_;
  return true;
}

void XgbCostModel::Fit(const std::vector<Config>& configs, const std::vector<double>& times_ms) {
  TESSEL_CHECK(configs.size() == times_ms.size()) << "one time per configuration";
  const std::vector<std::vector<float>> features = FeatureRowsOf(featurizer_, configs);
  // A seeded shuffle picks the held-back part, so the same data and seed fit the same model.
  std::vector<size_t> order = AllRows(configs.size());
  Rng(options_.seed).Fork("holdout", configs.size()).Shuffle(order);
  const size_t holdout = configs.size() >= kMinRowsToHoldOut
                             ? static_cast<size_t>(options_.holdout_fraction * configs.size())
                             : 0;
  const std::vector<size_t> held(order.begin(), order.begin() + holdout);
  const std::vector<size_t> train(order.begin() + holdout, order.end());
  FitFeatures(features, times_ms, train, held);
}

void XgbCostModel::FitFeatures(const std::vector<std::vector<float>>& features,
                               const std::vector<double>& times_ms,
                               const std::vector<size_t>& train, const std::vector<size_t>& held) {
  TESSEL_CHECK(features.size() == times_ms.size()) << "one time per row";
  booster_.reset();
  fitted_size_ = features.size();
  if (base_ && BaseDiscount() < 0.05) base_.reset();
  if (train.empty()) return;

  const std::vector<float> fitness = Fitness(times_ms);
  std::vector<float> margins;
  if (base_) {
    const double discount = BaseDiscount();
    for (double margin : base_->Predict(Pointers(features, AllRows(features.size())), nullptr))
      margins.push_back(static_cast<float>(discount * margin));
  }
  booster_ = Booster::Train(options_, features, fitness, base_ ? &margins : nullptr, train, held);
}

std::vector<double> XgbCostModel::PredictFeatures(
    const std::vector<std::vector<float>>& rows) const {
  if ((!booster_ && !base_) || rows.empty()) return std::vector<double>(rows.size(), 0.0);
  const std::vector<const std::vector<float>*> pointers = Pointers(rows, AllRows(rows.size()));
  if (!booster_) return base_->Predict(pointers, nullptr);
  if (!base_) return booster_->Predict(pointers, nullptr);
  const double discount = BaseDiscount();
  std::vector<float> margins;
  for (double margin : base_->Predict(pointers, nullptr))
    margins.push_back(static_cast<float>(discount * margin));
  return booster_->Predict(pointers, &margins);
}

std::vector<double> XgbCostModel::Predict(const std::vector<Config>& configs) const {
  if (!booster_ && !base_) return std::vector<double>(configs.size(), 0.0);  // skip featurizing
  const std::vector<std::vector<float>> rows = FeatureRowsOf(featurizer_, configs);
  return PredictFeatures(rows);
}

}  // namespace tessel
