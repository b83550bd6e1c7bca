#include "costmodel/xgb_cost_model.h"

#include <xgboost/c_api.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "core/error.h"

namespace tessel {
namespace {

// The one adapter from XGBoost's return codes to tessel::Error.
void Check(int status, const char* call) {
  if (status != 0) throw Error(ErrorKind::kBackend, std::string(call) + ": " + XGBGetLastError());
}

// Owns a DMatrix of the configurations' features, with optional labels as one ranking group.
class FeatureMatrix {
 public:
  FeatureMatrix(const Space& space, const std::vector<Config>& configs,
                const std::vector<size_t>& rows, const std::vector<float>* labels) {
    std::vector<float> data;
    size_t columns = 0;
    for (size_t row : rows) {
      const std::vector<float> features = KnobFeatures(space, configs[row]);
      columns = features.size();
      data.insert(data.end(), features.begin(), features.end());
    }
    Check(XGDMatrixCreateFromMat(data.data(), rows.size(), columns, std::nanf(""), &handle_),
          "XGDMatrixCreateFromMat");
    if (labels) {
      std::vector<float> selected;
      for (size_t row : rows) selected.push_back((*labels)[row]);
      Check(XGDMatrixSetFloatInfo(handle_, "label", selected.data(), selected.size()),
            "XGDMatrixSetFloatInfo");
      const unsigned group = static_cast<unsigned>(rows.size());
      Check(XGDMatrixSetUIntInfo(handle_, "group", &group, 1), "XGDMatrixSetUIntInfo");
    }
  }
  ~FeatureMatrix() { XGDMatrixFree(handle_); }
  FeatureMatrix(const FeatureMatrix&) = delete;
  FeatureMatrix& operator=(const FeatureMatrix&) = delete;
  DMatrixHandle get() const { return handle_; }

 private:
  DMatrixHandle handle_ = nullptr;
};

std::vector<double> PredictRounds(BoosterHandle booster, DMatrixHandle matrix, int rounds) {
  const std::string config = R"({"type": 0, "training": false, "iteration_begin": 0, )"
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

}  // namespace

void XgbCostModel::Options::Validate() const {
  if (max_depth < 1) throw ConfigError("the cost model's max_depth must be positive");
  if (!(eta > 0)) throw ConfigError("the cost model's eta must be positive");
  if (max_rounds < 1) throw ConfigError("the cost model needs at least one boosting round");
  if (early_stopping_rounds < 1) throw ConfigError("early_stopping_rounds must be positive");
  if (!(holdout_fraction >= 0 && holdout_fraction < 1))
    throw ConfigError("holdout_fraction must be in [0, 1)");
  if (threads < 1) throw ConfigError("the cost model needs at least one thread");
}

XgbCostModel::XgbCostModel(const Space& space, const Options& options)
    : space_(space), options_(options) {
  options_.Validate();
}

XgbCostModel::~XgbCostModel() {
  if (booster_) XGBoosterFree(static_cast<BoosterHandle>(booster_));
}

void XgbCostModel::Fit(const std::vector<Config>& configs, const std::vector<double>& times_ms) {
  TESSEL_CHECK(configs.size() == times_ms.size()) << "one time per configuration";
  if (booster_) XGBoosterFree(static_cast<BoosterHandle>(booster_));
  booster_ = nullptr;
  rounds_ = 0;
  if (configs.empty()) return;

  // AutoTVM's fitness: best time over time, 0 for a failure.
  double best = INFINITY;
  for (double t : times_ms)
    if (std::isfinite(t) && t > 0) best = std::min(best, t);
  std::vector<float> fitness(times_ms.size(), 0.f);
  for (size_t i = 0; i < times_ms.size(); ++i)
    if (std::isfinite(times_ms[i]) && times_ms[i] > 0)
      fitness[i] = static_cast<float>(best / times_ms[i]);

  // A seeded shuffle picks the held-back part, so the same data and seed fit the same model.
  std::vector<size_t> order(configs.size());
  std::iota(order.begin(), order.end(), 0);
  Rng rng = Rng(options_.seed).Fork("holdout", configs.size());
  for (size_t i = order.size(); i > 1; --i)
    std::swap(order[i - 1], order[rng.UniformInt(0, static_cast<int64_t>(i) - 1)]);
  const size_t holdout =
      configs.size() >= 20 ? static_cast<size_t>(options_.holdout_fraction * configs.size()) : 0;
  const std::vector<size_t> held(order.begin(), order.begin() + holdout);
  const std::vector<size_t> train(order.begin() + holdout, order.end());

  const FeatureMatrix train_matrix(space_, configs, train, &fitness);
  BoosterHandle booster = nullptr;
  DMatrixHandle train_handle = train_matrix.get();
  Check(XGBoosterCreate(&train_handle, 1, &booster), "XGBoosterCreate");
  booster_ = booster;
  const std::pair<const char*, std::string> params[] = {
      {"objective", options_.objective == Objective::kRank ? "rank:pairwise" : "reg:squarederror"},
      {"max_depth", std::to_string(options_.max_depth)},
      {"eta", std::to_string(options_.eta)},
      {"gamma", std::to_string(options_.gamma)},
      {"min_child_weight", std::to_string(options_.min_child_weight)},
      {"nthread", std::to_string(options_.threads)},
      {"seed", std::to_string(options_.seed % 2147483647)},
      {"verbosity", "0"},
  };
  for (const auto& [name, value] : params)
    Check(XGBoosterSetParam(booster, name, value.c_str()), "XGBoosterSetParam");

  if (held.empty()) {
    for (int round = 0; round < options_.max_rounds / 4; ++round)
      Check(XGBoosterUpdateOneIter(booster, round, train_handle), "XGBoosterUpdateOneIter");
    rounds_ = options_.max_rounds / 4;
    return;
  }
  const FeatureMatrix held_matrix(space_, configs, held, nullptr);
  std::vector<float> held_fitness;
  for (size_t row : held) held_fitness.push_back(fitness[row]);
  double best_score = -1;
  for (int round = 0; round < options_.max_rounds; ++round) {
    Check(XGBoosterUpdateOneIter(booster, round, train_handle), "XGBoosterUpdateOneIter");
    const double score =
        ConcordantPairs(PredictRounds(booster, held_matrix.get(), round + 1), held_fitness);
    if (score > best_score) {
      best_score = score;
      rounds_ = round + 1;
    } else if (round + 1 - rounds_ >= options_.early_stopping_rounds) {
      break;
    }
  }
}

std::vector<double> XgbCostModel::Predict(const std::vector<Config>& configs) const {
  if (!booster_ || configs.empty()) return std::vector<double>(configs.size(), 0.0);
  std::vector<size_t> rows(configs.size());
  std::iota(rows.begin(), rows.end(), 0);
  const FeatureMatrix matrix(space_, configs, rows, nullptr);
  return PredictRounds(static_cast<BoosterHandle>(booster_), matrix.get(), rounds_);
}

}  // namespace tessel
