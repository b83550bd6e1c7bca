#include "sampling/kmeans.h"

#include <algorithm>
#include <limits>

#include "core/error.h"

namespace tessel {
namespace {

// k-means++ (Arthur and Vassilvitskii 2007): each next centre is a point drawn with
// probability proportional to its squared distance to the nearest centre so far.
Eigen::MatrixXd SeedCentroids(const Eigen::MatrixXd& points, int k, Rng& rng) {
  const Eigen::Index n = points.rows();
  Eigen::MatrixXd centroids(k, points.cols());
  centroids.row(0) = points.row(rng.UniformInt(0, n - 1));
  Eigen::VectorXd nearest = (points.rowwise() - centroids.row(0)).rowwise().squaredNorm();
  for (int c = 1; c < k; ++c) {
    const double total = nearest.sum();
    Eigen::Index pick = 0;
    if (total > 0) {
      double draw = rng.UniformReal() * total;
      for (pick = 0; pick < n - 1; ++pick) {
        draw -= nearest(pick);
        if (draw < 0) break;
      }
    } else {
      pick = rng.UniformInt(0, n - 1);  // every point coincides with a centre already
    }
    centroids.row(c) = points.row(pick);
    nearest = nearest.cwiseMin((points.rowwise() - centroids.row(c)).rowwise().squaredNorm());
  }
  return centroids;
}

// Assigns every point to its nearest centroid; returns the loss.
double Assign(const Eigen::MatrixXd& points, const Eigen::MatrixXd& centroids,
              std::vector<int>& assignment) {
  double loss = 0;
  for (Eigen::Index i = 0; i < points.rows(); ++i) {
    Eigen::Index best;
    loss += (centroids.rowwise() - points.row(i)).rowwise().squaredNorm().minCoeff(&best);
    assignment[i] = static_cast<int>(best);
  }
  return loss;
}

KMeansResult Lloyd(const Eigen::MatrixXd& points, int k, Rng& rng, int max_iterations) {
  KMeansResult result;
  result.centroids = SeedCentroids(points, k, rng);
  result.assignment.assign(points.rows(), -1);
  result.loss = Assign(points, result.centroids, result.assignment);
  for (int iteration = 0; iteration < max_iterations; ++iteration) {
    Eigen::MatrixXd sums = Eigen::MatrixXd::Zero(k, points.cols());
    std::vector<int> counts(k, 0);
    for (Eigen::Index i = 0; i < points.rows(); ++i) {
      sums.row(result.assignment[i]) += points.row(i);
      ++counts[result.assignment[i]];
    }
    for (int c = 0; c < k; ++c)  // an emptied cluster keeps its centroid
      if (counts[c] > 0) result.centroids.row(c) = sums.row(c) / counts[c];
    const std::vector<int> before = result.assignment;
    result.loss = Assign(points, result.centroids, result.assignment);
    if (result.assignment == before) break;
  }
  return result;
}

}  // namespace

void KMeansOptions::Validate() const {
  if (max_iterations < 1) throw ConfigError("k-means needs at least one iteration");
  if (restarts < 1) throw ConfigError("k-means needs at least one restart");
  if (max_iterations > 100000 || restarts > 1000)
    throw ConfigError("k-means takes at most 100000 iterations and 1000 restarts");
}

KMeansResult KMeans(const Eigen::MatrixXd& points, int k, Rng& rng, const KMeansOptions& options) {
  options.Validate();
  TESSEL_CHECK(points.rows() > 0) << "k-means of no points";
  TESSEL_CHECK(k > 0) << "k-means with k = " << k;
  k = static_cast<int>(std::min<Eigen::Index>(k, points.rows()));
  KMeansResult best;
  best.loss = std::numeric_limits<double>::infinity();
  for (int restart = 0; restart < options.restarts; ++restart) {
    KMeansResult result = Lloyd(points, k, rng, options.max_iterations);
    if (result.loss < best.loss) best = std::move(result);
  }
  return best;
}

}  // namespace tessel
