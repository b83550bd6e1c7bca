#include "sampling/kmeans.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace tessel {
namespace {

// `per_blob` points within +-0.01 of each centre.
Eigen::MatrixXd Blobs(const std::vector<Eigen::Vector2d>& centres, int per_blob, Rng& rng) {
  Eigen::MatrixXd points(centres.size() * per_blob, 2);
  for (size_t c = 0; c < centres.size(); ++c)
    for (int i = 0; i < per_blob; ++i)
      for (int d = 0; d < 2; ++d)
        points(c * per_blob + i, d) = centres[c](d) + (rng.UniformReal() - 0.5) * 0.02;
  return points;
}

TEST(KMeansTest, FindsSeparatedBlobs) {
  Rng rng(4);
  const std::vector<Eigen::Vector2d> centres = {{0, 0}, {1, 0}, {0, 1}, {1, 1}};
  const Eigen::MatrixXd points = Blobs(centres, 25, rng);
  const KMeansResult result = KMeans(points, 4, rng);
  ASSERT_EQ(result.centroids.rows(), 4);
  for (const Eigen::Vector2d& centre : centres) {
    const double nearest =
        (result.centroids.rowwise() - centre.transpose()).rowwise().norm().minCoeff();
    EXPECT_LT(nearest, 0.02);
  }
  for (int c = 0; c < 4; ++c)  // each blob is one cluster
    for (int i = 1; i < 25; ++i)
      EXPECT_EQ(result.assignment[c * 25 + i], result.assignment[c * 25]);
  EXPECT_LT(result.loss, 100 * 2 * 0.01 * 0.01);
}

TEST(KMeansTest, IsDeterministicForASeedAndClampsK) {
  Rng data_rng(1);
  const Eigen::MatrixXd points = Blobs({{0, 0}, {1, 1}, {2, 0}}, 10, data_rng);
  Rng a(9), b(9);
  const KMeansResult first = KMeans(points, 5, a), second = KMeans(points, 5, b);
  EXPECT_EQ(first.assignment, second.assignment);
  EXPECT_EQ(first.loss, second.loss);
  Rng c(2);
  EXPECT_EQ(KMeans(points.topRows(3), 8, c).centroids.rows(), 3);  // k > n: one per point
  KMeansOptions bad;
  bad.restarts = 0;
  EXPECT_THROW(KMeans(points, 2, c, bad), Error);
}

}  // namespace
}  // namespace tessel
