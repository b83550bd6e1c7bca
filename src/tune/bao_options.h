// The options of BAO (the bootstrap-guided adaptive optimization of "Deep Neural Network Hardware
// Deployment Optimization via Advanced Active Learning"), as `--bao` sets them: the bootstrap
// ensemble that scores, the neighbourhood search and its radius rule, and the size of the batches
// measured between refits (the radius is revised after each).
#pragma once

#include <string>
#include <string_view>

#include "costmodel/bootstrap_ensemble.h"
#include "search/neighbourhood_search.h"

namespace tessel {

struct BaoOptions {
  int members = 8;
  double spread_weight = 0;
  NeighbourhoodSearch::Options search;
  RadiusRule::Options radius;
  int batch = 16;

  void Validate() const;  // throws tessel::Error naming the offending option
  // Sets options from "key=value,..." (keys: members, spread, centres, candidates, anneal, apart,
  // radius, tau, threshold, batch) over the defaults; throws tessel::Error for an unknown key or a
  // bad value.
  static BaoOptions Parse(std::string_view spec);
  std::string ToString() const;
};

}  // namespace tessel
