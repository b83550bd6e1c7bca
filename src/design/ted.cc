#include "design/ted.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "core/error.h"
#include "core/key_values.h"

namespace tessel {

namespace {

Eigen::MatrixXd SquaredDistances(const Eigen::MatrixXd& points) {
  const Eigen::VectorXd norms = points.rowwise().squaredNorm();
  Eigen::MatrixXd squared = -2.0 * points * points.transpose();
  squared.colwise() += norms;
  squared.rowwise() += norms.transpose();
  return squared.cwiseMax(0.0);  // rounding can leave tiny negatives
}

Eigen::MatrixXd KernelMatrix(const Eigen::MatrixXd& points, TedKernel kernel) {
  Eigen::MatrixXd squared = SquaredDistances(points);
  if (kernel == TedKernel::kDistance) return squared.cwiseSqrt();
  // The median heuristic for the width; a set of identical points gets width 1.
  std::vector<double> off_diagonal;
  const Eigen::Index n = squared.rows();
  off_diagonal.reserve(static_cast<size_t>(n * (n - 1) / 2));
  for (Eigen::Index j = 0; j < n; ++j)
    for (Eigen::Index i = j + 1; i < n; ++i) off_diagonal.push_back(squared(i, j));
  double width = 1;
  if (!off_diagonal.empty()) {
    auto middle = off_diagonal.begin() + static_cast<std::ptrdiff_t>(off_diagonal.size() / 2);
    std::nth_element(off_diagonal.begin(), middle, off_diagonal.end());
    if (*middle > 0) width = *middle;
  }
  return (-squared / (2.0 * width)).array().exp().matrix();
}

}  // namespace

std::vector<int> Ted(const Eigen::MatrixXd& points, int m, double mu, TedKernel kernel) {
  TESSEL_CHECK(m >= 0 && mu > 0) << "m " << m << ", mu " << mu;
  const Eigen::Index n = points.rows();
  std::vector<int> picked;
  if (n == 0 || m == 0) return picked;
  Eigen::MatrixXd k = KernelMatrix(points, kernel);
  const double scaled_mu = mu * std::max(k.maxCoeff(), 1e-12);
  std::vector<bool> taken(static_cast<size_t>(n), false);
  while (static_cast<int>(picked.size()) < m) {
    const Eigen::VectorXd column_norms = k.colwise().squaredNorm();
    int best = -1;
    double best_score = -std::numeric_limits<double>::infinity();
    for (Eigen::Index v = 0; v < n; ++v) {
      if (taken[static_cast<size_t>(v)]) continue;
      const double denominator = k(v, v) + scaled_mu;
      if (!(denominator > 1e-12 * scaled_mu)) continue;  // the distance kernel's dead points
      const double score = column_norms(v) / denominator;
      if (score > best_score) best_score = score, best = static_cast<int>(v);
    }
    if (best < 0) break;
    picked.push_back(best);
    taken[static_cast<size_t>(best)] = true;
    const Eigen::VectorXd column = k.col(best);
    k.noalias() -= column * column.transpose() / (column(best) + scaled_mu);
  }
  return picked;
}

void BtedOptions::Validate() const {
  if (!(mu > 0 && std::isfinite(mu))) throw ConfigError("BTED's mu must be positive");
  if (subset_size < 1) throw ConfigError("BTED's subset size M must be at least 1");
  if (subsets < 1) throw ConfigError("BTED needs at least one subset (B)");
  // TED holds an M x M kernel matrix: 10000 is 800 MB.
  if (subset_size > 10000) throw ConfigError("BTED's subset size M is at most 10000");
  if (subsets > 1000) throw ConfigError("BTED takes at most 1000 subsets (B)");
}

BtedOptions BtedOptions::Parse(std::string_view spec) {
  BtedOptions options;
  for (const auto& [name, text] : SplitKeyValues(spec, "--bted")) {
    if (name == "kernel") {
      if (text != "rbf" && text != "distance")
        throw ConfigError("--bted kernel must be rbf or distance, got '" + text + "'");
      options.kernel = text == "rbf" ? TedKernel::kRbf : TedKernel::kDistance;
    } else if (name == "encoding") {
      if (text != "index" && text != "onehot")
        throw ConfigError("--bted encoding must be index or onehot, got '" + text + "'");
      options.encoding = text == "index" ? TedEncoding::kIndex : TedEncoding::kOneHot;
    } else if (name == "mu") {
      options.mu = ParseOptionNumber(text, "--bted", name, false);
    } else if (name == "M") {
      options.subset_size = static_cast<int>(ParseOptionNumber(text, "--bted", name, true));
    } else if (name == "B") {
      options.subsets = static_cast<int>(ParseOptionNumber(text, "--bted", name, true));
    } else {
      throw ConfigError("unknown --bted key '" + name +
                        "'; known keys: kernel, encoding, mu, M, B");
    }
  }
  options.Validate();
  return options;
}

std::string BtedOptions::ToString() const {
  std::ostringstream text;
  text << "kernel=" << (kernel == TedKernel::kRbf ? "rbf" : "distance")
       << ",encoding=" << (encoding == TedEncoding::kIndex ? "index" : "onehot") << ",mu=" << mu
       << ",M=" << subset_size << ",B=" << subsets;
  return text.str();
}

namespace {

Eigen::MatrixXd FeatureMatrix(const Space& space, const std::vector<Config>& configs,
                              TedEncoding encoding) {
  const auto rows = static_cast<Eigen::Index>(configs.size());
  if (encoding == TedEncoding::kIndex) {
    Eigen::MatrixXd points(rows, static_cast<Eigen::Index>(space.num_knobs()));
    for (Eigen::Index row = 0; row < rows; ++row) {
      const std::vector<double> features =
          space.NormalisedFeatures(configs[static_cast<size_t>(row)]);
      for (size_t col = 0; col < features.size(); ++col)
        points(row, static_cast<Eigen::Index>(col)) = features[col];
    }
    return points;
  }
  // One-hot: knob i's values take columns offset[i] .. offset[i] + values - 1. The entry
  // 1/sqrt(2) puts two different values of one knob at squared distance 1.
  std::vector<Eigen::Index> offset(space.num_knobs() + 1, 0);
  for (size_t knob = 0; knob < space.num_knobs(); ++knob)
    offset[knob + 1] = offset[knob] + static_cast<Eigen::Index>(space.knobs()[knob].values.size());
  Eigen::MatrixXd points = Eigen::MatrixXd::Zero(rows, offset.back());
  for (Eigen::Index row = 0; row < rows; ++row)
    for (size_t knob = 0; knob < space.num_knobs(); ++knob)
      points(row, offset[knob] + configs[static_cast<size_t>(row)][knob]) = std::sqrt(0.5);
  return points;
}

// Up to `size` distinct valid configurations outside `excluded`, drawn uniformly. Gives up
// after a bounded number of draws, so small or nearly exhausted spaces yield fewer.
std::vector<Config> DrawSubset(const Space& space, int size, const ConfigSet& excluded, Rng& rng) {
  std::vector<Config> subset;
  ConfigSet seen;
  const int max_draws = 20 * size;
  for (int draw = 0; draw < max_draws && static_cast<int>(subset.size()) < size; ++draw) {
    std::optional<Config> config = space.SampleValid(rng);
    if (!config) break;  // (almost) nothing valid: more draws will not help
    if (excluded.count(*config) || !seen.insert(*config).second) continue;
    subset.push_back(std::move(*config));
  }
  return subset;
}

}  // namespace

std::vector<Config> BtedDesign(const Space& space, int m, const ConfigSet& visited,
                               const BtedOptions& options, Rng& rng) {
  options.Validate();
  TESSEL_CHECK(m >= 0) << "m " << m;
  std::vector<Config> united;
  ConfigSet in_union;
  for (int b = 0; b < options.subsets; ++b) {
    const std::vector<Config> subset = DrawSubset(space, options.subset_size, visited, rng);
    for (int row :
         Ted(FeatureMatrix(space, subset, options.encoding), m, options.mu, options.kernel))
      if (in_union.insert(subset[static_cast<size_t>(row)]).second)
        united.push_back(subset[static_cast<size_t>(row)]);
  }
  std::vector<Config> design;
  for (int row : Ted(FeatureMatrix(space, united, options.encoding), m, options.mu, options.kernel))
    design.push_back(united[static_cast<size_t>(row)]);
  return design;
}

}  // namespace tessel
