// ConfuciuX's GA fine-tuning (docs/maestro_model.md 9.3; main.py genetic_search and
// ga_confx.py), a direct strategy over a problem described as decision steps. It starts from
// one evaluated configuration (ConfuciuX: the RL agent's best) and improves it generation by
// generation:
//   1. parents: max(1, min(parents, population - invalid individuals of the last generation));
//   2. selection: the population sorted by fitness (minus the objective value), best first
//      (a stable sort: ties keep their order); the parents are the first ones;
//   3. mutation, budget-aware: individual idx becomes a copy of parent idx % parents and takes
//      three tries, each moving one gene (a knob position, at a random step) by
//      trunc(U(-alpha, alpha) x max(1, bound / 2)), clamped to the knob's range; a try is
//      undone when the step's constraint (DecisionSteps::step_constraint, not an evaluation)
//      grows by more than the budget left, which starts at the budget minus the constraint of
//      the individual that sat at idx after sorting (ConfuciuX's bookkeeping, kept as is) and
//      pays for each kept try. An individual with no kept try is tried again; 2 x population
//      attempts in all, after which the rest keep their old configurations;
//   4. crossover: each individual but the first, with probability `crossover`, swaps one
//      gene's values between two steps (which may coincide);
//   5. elitism: the first individual is the best parent;
//   6. evaluation: known configurations reuse their evaluations and are never proposed again;
//      the others are proposed (once each, however many individuals share them) and the
//      generation ends when all came back. An individual that is not ok, breaks the budget, or
//      breaks the space's validity rule (then never proposed) gets fitness -infinity and
//      counts as invalid.
//
// Genes move over the knob's full range, not only the agent's levels (ConfuciuX's PE counts
// become any integer in 1..128): a knob whose values are consecutive integers moves on its
// values, its bound being its largest value. Any other knob moves on its value indices as if
// they were 1..count, the nearest ConfuciuX's rule has to offer. Without step_constraint or a
// finite budget every try is kept (over-budget individuals are then caught as infeasible).
#pragma once

#include <string>
#include <vector>

#include "core/rng.h"
#include "engine/decision_steps.h"
#include "tune/step_results.h"
#include "tune/strategy.h"

namespace tessel {

class ConfuciuxGa : public Strategy {
 public:
  struct Options {
    int population = 20;
    int parents = 8;
    // The mutation's range (ConfuciuX's --mul, which also sets its budget: 0.5 in its runs).
    double alpha = 0.5;
    double crossover = 0.2;  // per individual, the probability of one gene swap

    void Validate() const;  // throws tessel::Error naming the offending option
  };

  // Starts from `seed`, whose evaluation is `seed_result`; `known` holds every evaluation seen
  // so far (never proposed again). `steps` must outlive the GA. Throws ConfigError when the
  // steps do not fit the space.
  ConfuciuxGa(const Space& space, const DecisionSteps& steps, const Options& options, Rng rng,
              const Config& seed, const Evaluation& seed_result, KnownEvaluations known);

  // Up to `max_count` of the current generation's new configurations; breeds the next
  // generation when this one is done. None when many generations in a row bred nothing new.
  std::vector<Config> NextBatch(int max_count) override;
  void Update(const std::vector<Config>& configs, const std::vector<Evaluation>& results) override;
  void Resume(const std::vector<Config>& configs, const std::vector<Evaluation>& results) override;

  int generations() const { return generations_; }  // bred so far
  int parents() const { return parents_; }          // the last generation's parents
  // The last finished generation's invalid individuals.
  int invalid() const { return invalid_; }

 private:
  struct Individual {
    Config config;
    double fitness;     // minus the objective value; -infinity when invalid or over budget
    double constraint;  // the sum of the steps' constraints (infinity when unknown)
    bool scored;
  };
  // How one knob moves: its value is bottom + index, up to bound.
  struct Gene {
    int64_t bottom;
    int64_t bound;
  };

  void Breed();
  void Select();
  void Mutate(const std::vector<Individual>& parents);
  // Three tries on one individual; true when one was kept.
  bool MutateOnce(Config& config, double budget_left);
  void Crossover();
  void Score(Individual& individual, const Evaluation& evaluation) const;
  void ScoreKnown();
  void FinishGeneration();

  const Space& space_;
  const DecisionSteps& steps_;
  Options options_;
  Rng rng_;
  std::vector<Gene> genes_;  // per knob of the space
  KnownEvaluations known_;
  std::vector<Individual> population_;
  std::vector<Config> to_propose_;  // this generation's new configurations not yet proposed
  size_t awaiting_ = 0;             // proposed, not yet fed back
  int generations_ = 0;
  int parents_ = 0;
  int invalid_ = 0;
};

}  // namespace tessel
