// Transductive experimental design (TED) and its batch form (BTED, Algorithm 2 of "Deep Neural
// Network Hardware Deployment Optimization via Advanced Active Learning"): an initial design that
// spreads the first measurements over the space instead of drawing them at random, so that the
// first cost model sees diverse configurations.
//
// TED greedily picks the point v maximising ||K_v||^2 / (K_vv + mu) and then deflates the
// kernel matrix, K <- K - K_v K_v^T / (K_vv + mu), so that points like the ones picked score
// less. BTED runs TED on B random subsets of M points each (a kernel matrix of the whole space
// would not fit) and then once more on the union of their picks.
//
// Two kernels: kRbf, the textbook TED (exp(-d^2 / 2 s^2), s^2 the median squared distance of
// the set), and kDistance, the paper's "Euclidean distance matrix" (K_ij = ||x_i - x_j||). With
// distances the first pick is the point farthest from the rest (a corner), and the deflation
// only stays meaningful while K_vv + mu > 0: points whose denominator has fallen to zero or
// below are passed over. mu is relative to the kernel's largest entry, so one value serves
// spaces of any number of knobs.
#pragma once

#include <Eigen/Dense>
#include <string>
#include <string_view>
#include <vector>

#include "core/rng.h"
#include "space/space.h"

namespace tessel {

enum class TedKernel { kRbf, kDistance };

// How a configuration becomes a point for TED. kIndex: each knob's value index scaled to
// [0, 1], so that values far apart in a knob's list are far apart. kOneHot: one coordinate
// per value of each knob, so that two configurations are as far apart as the number of knobs
// on which they differ; no value of a knob is nearer the middle than another, and the picks
// spread over each knob's values instead of gathering on its middle ones.
enum class TedEncoding { kIndex, kOneHot };

// Rows of `points` (n x d) in the order TED picks them: up to m distinct indices, fewer when
// n < m or (kDistance) no remaining point has a positive denominator. Deterministic: ties go
// to the lower index.
std::vector<int> Ted(const Eigen::MatrixXd& points, int m, double mu, TedKernel kernel);

struct BtedOptions {
  TedKernel kernel = TedKernel::kRbf;
  TedEncoding encoding = TedEncoding::kOneHot;  // measured better on the real templates
  double mu = 0.1;                              // relative to the kernel's largest entry
  int subset_size = 512;                        // M: configurations per random subset
  int subsets = 8;                              // B: random subsets

  void Validate() const;  // throws tessel::Error naming the offending option
  // Sets options from "key=value,..." (keys: kernel=rbf|distance, encoding=index|onehot, mu,
  // M, B) over the defaults; throws tessel::Error for an unknown key or a bad value.
  static BtedOptions Parse(std::string_view spec);
  std::string ToString() const;
};

// BTED over a space: m distinct valid configurations, none in `visited`, chosen
// on their encoded knob values. Fewer when the space has fewer unvisited valid
// configurations than TED can pick. Draws all randomness from `rng`.
std::vector<Config> BtedDesign(const Space& space, int m, const ConfigSet& visited,
                               const BtedOptions& options, Rng& rng);

}  // namespace tessel
