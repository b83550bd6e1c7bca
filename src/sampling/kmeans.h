// k-means clustering (Lloyd's algorithm, k-means++ seeding, best of several restarts) and the
// loss curve's knee, for RELEASE's adaptive sampling. Written on Eigen: Debian bookworm has
// no mlpack, and dlib's k-means seeds its centres with its own random generator, which would
// take the choice of centres out of Tessel's seeded Rng.
#pragma once

#include <Eigen/Dense>
#include <vector>

#include "core/rng.h"

namespace tessel {

struct KMeansOptions {
  int max_iterations = 100;  // Lloyd iterations per restart (stops earlier when stable)
  int restarts = 3;          // independent seedings; the lowest loss wins

  void Validate() const;  // throws tessel::Error naming the offending option
};

struct KMeansResult {
  Eigen::MatrixXd centroids;    // k x d
  std::vector<int> assignment;  // cluster of each point
  double loss = 0;              // sum of squared distances to the assigned centroid (inertia)
};

// Clusters the rows of `points` (n x d) into min(k, n) clusters. k must be positive and
// `points` non-empty. Deterministic for a given `rng` state.
KMeansResult KMeans(const Eigen::MatrixXd& points, int k, Rng& rng,
                    const KMeansOptions& options = {});

}  // namespace tessel
