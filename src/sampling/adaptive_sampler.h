// RELEASE's adaptive sampling (Algorithm 1 of "Reinforcement Learning and Adaptive Sampling for
// Optimized DNN Compilation"): instead of measuring the top of the search's candidates, cluster the
// configurations the search visited (its trajectory) and measure one configuration per cluster,
// with the number of clusters taken at the knee of the k-means loss curve. Configurations the
// search dwelt on form tight clusters, so a few measurements cover where the search went.
//
// The knee: k runs from k_min in steps of k_step up to k_max. Rule kElbow scans them all and
// takes the k whose loss lies furthest below the chord from the first to the last point of
// the normalised loss curve (the textbook elbow; like any chord rule it picks neither the
// first nor the last k scanned, and it under-counts many clusters: 16-32 well separated
// clusters are found exactly). Rule kLossDrop is the public code's: the
// first step that divides the loss by less than min_loss_drop ends the scan, and the last k
// that still passed is used (the pseudocode keeps the centroids of the k that failed; the
// knee is the one before it).
// Centroids are snapped to the nearest index vector, or to the valid member of their cluster
// nearest to them. A centroid already measured (or already in the batch) is replaced by the
// per-knob mode of the trajectory, then by the unvisited member of its cluster nearest to it,
// then by the nearest unvisited valid configuration (breadth-first over +-1 steps of one knob),
// as the paper's "replace visited configurations with new ones" asks.
#pragma once

#include <string_view>
#include <vector>

#include "core/rng.h"
#include "sampling/kmeans.h"
#include "space/space.h"

namespace tessel {

class AdaptiveSampler {
 public:
  enum class Knee { kElbow, kLossDrop };
  struct Options {
    Knee knee = Knee::kElbow;
    int k_min = 8;
    int k_max = 64;
    int k_step = 8;
    double min_loss_drop = 2.5;        // kLossDrop: the public code's threshold per k step
    int max_replacement_steps = 2000;  // configurations the neighbour search may look at
    KMeansOptions kmeans;
    // The share of the trajectory that is clustered, best predicted first (1: all of it, as
    // the paper's Algorithm 1). Applied by the tuner, which holds the cost model.
    double top_share = 1.0;
    // A cluster's configuration: its snapped centroid (the paper's Algorithm 1), or its
    // unvisited member the cost model scores best (needs the scores; centroid without them).
    enum class Pick { kCentroid, kBestMember };
    Pick pick = Pick::kCentroid;

    void Validate() const;  // throws tessel::Error naming the offending option
    // Sets options from "key=value,..." (keys: knee=elbow|loss-drop, k_min, k_max, k_step,
    // top, pick=centroid|best) over the defaults; throws tessel::Error for an unknown key or a bad
    // value.
    static Options Parse(std::string_view spec);
  };

  AdaptiveSampler(const Space& space, const Options& options, Rng rng);

  // Distinct valid configurations, none in `visited`, one per cluster of the
  // trajectory's valid configurations (fewer when replacements run out). Empty trajectory,
  // empty result. `scores` (the cost model's, one per trajectory entry, higher is better)
  // serve Pick::kBestMember.
  std::vector<Config> Select(const std::vector<Config>& trajectory, const ConfigSet& visited,
                             const std::vector<double>& scores = {});

  // The k the last Select clustered with, and the loss curve it scanned (one per k tried).
  int last_k() const { return last_k_; }
  const std::vector<double>& last_losses() const { return last_losses_; }

 private:
  KMeansResult LossDropKnee(const Eigen::MatrixXd& points);
  KMeansResult ElbowKnee(const Eigen::MatrixXd& points);
  Config Snap(const Eigen::RowVectorXd& centroid, const Eigen::MatrixXd& points,
              const std::vector<Config>& members_source, const std::vector<int>& assignment,
              int cluster) const;
  std::optional<Config> NearestUnvisitedMember(const Eigen::RowVectorXd& centroid,
                                               const Eigen::MatrixXd& points,
                                               const std::vector<Config>& configs,
                                               const std::vector<int>& assignment, int cluster,
                                               const ConfigSet& taken) const;
  std::optional<Config> NearestUnvisited(const Config& start, const ConfigSet& taken) const;

  const Space& space_;
  Options options_;
  Rng rng_;
  int last_k_ = 0;
  std::vector<double> last_losses_;
};

// The per-knob mode of the configurations (ties go to the lower index). Not empty.
Config ModeConfig(const Space& space, const std::vector<Config>& configs);

}  // namespace tessel
