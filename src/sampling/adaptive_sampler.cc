#include "sampling/adaptive_sampler.h"

#include <cmath>
#include <deque>
#include <map>

#include "core/error.h"
#include "core/key_values.h"

namespace tessel {

void AdaptiveSampler::Options::Validate() const {
  if (k_min < 1) throw ConfigError("adaptive sampling needs k_min >= 1");
  if (k_max < k_min) throw ConfigError("adaptive sampling needs k_max >= k_min");
  if (k_step < 1) throw ConfigError("adaptive sampling needs k_step >= 1");
  if (k_max > 4096) throw ConfigError("adaptive sampling needs k_max <= 4096");
  if (max_replacement_steps > 1000000)
    throw ConfigError("adaptive sampling's replacement steps are at most 1000000");
  if (!(min_loss_drop >= 1)) throw ConfigError("the knee's loss drop must be at least 1");
  if (max_replacement_steps < 0) throw ConfigError("replacement steps must not be negative");
  if (!(top_share > 0 && top_share <= 1))
    throw ConfigError("adaptive sampling's top share must be in (0, 1]");
  kmeans.Validate();
}

AdaptiveSampler::Options AdaptiveSampler::Options::Parse(std::string_view spec) {
  Options options;
  for (const auto& [name, text] : SplitKeyValues(spec, "--sampling")) {
    if (name == "pick") {
      if (text != "centroid" && text != "best")
        throw ConfigError("--sampling pick must be centroid or best, got '" + text + "'");
      options.pick = text == "best" ? Pick::kBestMember : Pick::kCentroid;
    } else if (name == "knee") {
      if (text != "elbow" && text != "loss-drop")
        throw ConfigError("--sampling knee must be elbow or loss-drop, got '" + text + "'");
      options.knee = text == "elbow" ? Knee::kElbow : Knee::kLossDrop;
    } else if (name == "top") {
      options.top_share = ParseOptionNumber(text, "--sampling", name, false);
    } else if (name == "k_min" || name == "k_max" || name == "k_step") {
      const int value = static_cast<int>(ParseOptionNumber(text, "--sampling", name, true));
      (name == "k_min" ? options.k_min : name == "k_max" ? options.k_max : options.k_step) = value;
    } else {
      throw ConfigError("unknown --sampling key '" + name +
                        "'; known keys: knee, k_min, k_max, k_step, top, pick");
    }
  }
  options.Validate();
  return options;
}

AdaptiveSampler::AdaptiveSampler(const Space& space, const Options& options, Rng rng)
    : space_(space), options_(options), rng_(std::move(rng)) {
  options_.Validate();
}

Config ModeConfig(const Space& space, const std::vector<Config>& configs) {
  TESSEL_CHECK(!configs.empty()) << "the mode of no configurations";
  Config mode(space.num_knobs(), 0);
  for (size_t knob = 0; knob < space.num_knobs(); ++knob) {
    std::map<int32_t, int> counts;
    for (const Config& config : configs) ++counts[config[knob]];
    int best = -1;
    for (const auto& [index, count] : counts)
      if (count > best) best = count, mode[knob] = index;
  }
  return mode;
}

KMeansResult AdaptiveSampler::LossDropKnee(const Eigen::MatrixXd& points) {
  // Scan k until the loss stops dropping fast.
  KMeansResult knee;
  for (int k = options_.k_min; k <= options_.k_max; k += options_.k_step) {
    KMeansResult result = KMeans(points, k, rng_, options_.kmeans);
    last_losses_.push_back(result.loss);
    const bool first = last_losses_.size() == 1;
    if (!first && options_.min_loss_drop * result.loss > knee.loss) break;
    knee = std::move(result);
    if (knee.loss == 0 || knee.centroids.rows() >= points.rows()) break;
  }
  return knee;
}

KMeansResult AdaptiveSampler::ElbowKnee(const Eigen::MatrixXd& points) {
  std::vector<KMeansResult> results;
  for (int k = options_.k_min; k <= options_.k_max; k += options_.k_step) {
    results.push_back(KMeans(points, k, rng_, options_.kmeans));
    last_losses_.push_back(results.back().loss);
    // More clusters than distinct points cannot lower the loss further.
    if (results.back().loss == 0 || results.back().centroids.rows() >= points.rows()) break;
  }
  // Both axes scaled to [0, 1]; the chord runs from (0, 1) to (1, 0), and the knee is the point
  // furthest below it (the first on ties; the first k when the curve never bends down).
  const double first_loss = last_losses_.front(), last_loss = last_losses_.back();
  const double loss_range = first_loss - last_loss;
  const size_t n = results.size();
  size_t best = 0;
  double best_gap = 0;
  for (size_t i = 1; n > 1 && loss_range > 0 && i < n; ++i) {
    const double x = static_cast<double>(i) / static_cast<double>(n - 1);
    const double y = (last_losses_[i] - last_loss) / loss_range;
    if (1 - x - y > best_gap + 1e-12) best_gap = 1 - x - y, best = i;
  }
  return std::move(results[best]);
}

Config AdaptiveSampler::Snap(const Eigen::RowVectorXd& centroid, const Eigen::MatrixXd& points,
                             const std::vector<Config>& configs, const std::vector<int>& assignment,
                             int cluster) const {
  Config snapped(space_.num_knobs());
  for (size_t knob = 0; knob < space_.num_knobs(); ++knob) {
    const int last = static_cast<int>(space_.knobs()[knob].values.size()) - 1;
    snapped[knob] = last > 0 ? static_cast<int32_t>(std::lround(centroid(knob) * last)) : 0;
  }
  if (space_.IsValid(snapped)) return snapped;
  // The member of the cluster nearest to its centroid: valid, since the trajectory is.
  double best = INFINITY;
  size_t nearest = 0;
  for (size_t i = 0; i < configs.size(); ++i) {
    if (assignment[i] != cluster) continue;
    const double distance = (points.row(i) - centroid).squaredNorm();
    if (distance < best) best = distance, nearest = i;
  }
  return configs[nearest];
}

std::optional<Config> AdaptiveSampler::NearestUnvisitedMember(const Eigen::RowVectorXd& centroid,
                                                              const Eigen::MatrixXd& points,
                                                              const std::vector<Config>& configs,
                                                              const std::vector<int>& assignment,
                                                              int cluster,
                                                              const ConfigSet& taken) const {
  double best = INFINITY;
  std::optional<Config> nearest;
  for (size_t i = 0; i < configs.size(); ++i) {
    if (assignment[i] != cluster || taken.count(configs[i])) continue;
    const double distance = (points.row(i) - centroid).squaredNorm();
    if (distance < best) best = distance, nearest = configs[i];
  }
  return nearest;
}

std::optional<Config> AdaptiveSampler::NearestUnvisited(const Config& start,
                                                        const ConfigSet& taken) const {
  std::deque<Config> frontier{start};
  ConfigSet seen{start};
  int steps = 0;
  while (!frontier.empty() && steps++ < options_.max_replacement_steps) {
    const Config current = std::move(frontier.front());
    frontier.pop_front();
    for (Config& next : space_.Neighbours(current)) {
      if (!seen.insert(next).second) continue;
      if (!taken.count(next)) return next;
      frontier.push_back(std::move(next));
    }
  }
  return std::nullopt;
}

std::vector<Config> AdaptiveSampler::Select(const std::vector<Config>& trajectory,
                                            const ConfigSet& visited,
                                            const std::vector<double>& scores) {
  TESSEL_CHECK(scores.empty() || scores.size() == trajectory.size())
      << "one score per trajectory entry";
  last_k_ = 0;
  last_losses_.clear();
  std::vector<Config> configs;
  std::vector<double> config_scores;
  for (size_t i = 0; i < trajectory.size(); ++i) {
    if (!space_.IsValid(trajectory[i])) continue;
    configs.push_back(trajectory[i]);
    if (!scores.empty()) config_scores.push_back(scores[i]);
  }
  if (configs.empty()) return {};
  const bool best_member = options_.pick == Options::Pick::kBestMember && !scores.empty();

  Eigen::MatrixXd points(configs.size(), space_.num_knobs());
  for (size_t i = 0; i < configs.size(); ++i) {
    const std::vector<double> features = space_.NormalisedFeatures(configs[i]);
    for (size_t knob = 0; knob < features.size(); ++knob) points(i, knob) = features[knob];
  }

  KMeansResult knee = options_.knee == Knee::kElbow ? ElbowKnee(points) : LossDropKnee(points);
  last_k_ = static_cast<int>(knee.centroids.rows());

  ConfigSet taken = visited;
  const Config mode = ModeConfig(space_, configs);
  std::vector<Config> batch;
  for (Eigen::Index cluster = 0; cluster < knee.centroids.rows(); ++cluster) {
    if (best_member) {
      // The member the model likes best among those not measured or picked yet.
      int best = -1;
      for (size_t i = 0; i < configs.size(); ++i) {
        if (knee.assignment[i] != cluster || taken.count(configs[i])) continue;
        if (best < 0 || config_scores[i] > config_scores[best]) best = static_cast<int>(i);
      }
      if (best >= 0) {
        taken.insert(configs[best]);
        batch.push_back(configs[best]);
        continue;
      }
    }
    Config pick = Snap(knee.centroids.row(cluster), points, configs, knee.assignment,
                       static_cast<int>(cluster));
    if (taken.count(pick)) {
      if (space_.IsValid(mode) && !taken.count(mode)) {
        pick = mode;
      } else if (std::optional<Config> member =
                     NearestUnvisitedMember(knee.centroids.row(cluster), points, configs,
                                            knee.assignment, static_cast<int>(cluster), taken)) {
        pick = std::move(*member);
      } else {
        std::optional<Config> nearby = NearestUnvisited(pick, taken);
        if (!nearby) continue;
        pick = std::move(*nearby);
      }
    }
    taken.insert(pick);
    batch.push_back(std::move(pick));
  }
  return batch;
}

}  // namespace tessel
