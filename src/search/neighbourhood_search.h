// BAO's search ("Deep Neural Network Hardware Deployment Optimization via Advanced Active
// Learning"): instead of walking the whole space, score configurations drawn from the
// neighbourhoods of the best measured ones, and size the neighbourhood adaptively: its radius is
// kept while the measured batches improve the best time enough, and enlarged by a factor tau
// otherwise (the paper's figure: R, R, then tau R).
//
// The neighbourhood of radius R around c: every configuration whose index on each knob lies
// within ceil(R * (values - 1)) of c's, a box in normalised knob space in which every knob
// may move at least one step. R = 1 covers the whole space.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/rng.h"
#include "costmodel/cost_model.h"
#include "search/simulated_annealing.h"
#include "space/space.h"

namespace tessel {

class RadiusRule {
 public:
  struct Options {
    // Chosen on the real templates at 40 measurements per task (bench/bted): a radius of
    // 0.05 held by 1% gains kept runs that began in a slow region there.
    double initial = 0.2;
    double tau = 2;                 // the factor the radius grows by
    double min_improvement = 0.05;  // the relative gain in best time that keeps the radius

    void Validate() const;  // throws tessel::Error naming the offending option
  };

  explicit RadiusRule(const Options& options);

  double radius() const { return radius_; }
  // After a batch, with the best time before and after it (NaN or infinity: nothing worked
  // yet). Keeps the radius when (before - after) / before >= min_improvement; otherwise
  // multiplies it by tau, up to 1.
  void Update(double best_before_ms, double best_after_ms);

 private:
  Options options_;
  double radius_;
};

class NeighbourhoodSearch {
 public:
  struct Options {
    int centres = 8;        // the best measured configurations whose neighbourhoods are searched
    int candidates = 4096;  // configurations drawn and scored per search
    // 0: the plan is the best-scoring draws. Otherwise simulated annealing (AutoTVM's, 500
    // iterations at most) refines the best `anneal_chains` draws, each chain kept inside the
    // neighbourhood it was drawn from: a stronger optimiser of the model in the same region.
    int anneal_chains = 0;
    // 0: the batch is the best-scoring draws, however alike. N > 0: going down the ranking, a
    // draw joins the batch only if it differs from every earlier pick on at least N knobs
    // (the batch is filled from the skipped draws, best first, when too few qualify): a
    // model that has found one plateau otherwise spends a whole batch on its near-copies.
    // 3 measured best on the real templates (bench/bted). Applies to the ranked draws,
    // not to annealing's answer (anneal_chains > 0).
    int min_knobs_apart = 3;

    void Validate() const;  // throws tessel::Error naming the offending option
  };

  NeighbourhoodSearch(const Space& space, const Options& options, Rng rng);

  // Up to `count` distinct valid configurations, none in `exclude`, with the highest scores
  // (best first) among up to `candidates` drawn uniformly from the radius-`radius`
  // neighbourhoods of `centres`, taken in turn (and kept `min_knobs_apart`). No centres:
  // drawn from the whole space.
  std::vector<Config> FindMaximums(const CostModel& model, const std::vector<Config>& centres,
                                   double radius, int count, const ConfigSet& exclude);

  // Candidates the last search drew and scored (its search steps).
  int last_candidates() const { return last_candidates_; }

 private:
  // Uniform draws from the neighbourhoods (boxes[i]: centre i's), each with the index of a
  // box that holds it (-1 with no centres: the whole space).
  struct Draws {
    std::vector<Config> configs;
    std::vector<int> box_of;
    std::vector<SimulatedAnnealing::Box> boxes;
  };
  Draws DrawCandidates(const std::vector<Config>& centres, double radius, const ConfigSet& exclude);
  SimulatedAnnealing::Box WholeSpace() const;

  const Space& space_;
  Options options_;
  Rng rng_;
  SimulatedAnnealing annealing_;
  int last_candidates_ = 0;
};

}  // namespace tessel
