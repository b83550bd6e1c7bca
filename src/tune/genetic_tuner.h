// A genetic algorithm, a direct strategy: it learns from evaluations alone, without a cost
// model. Each generation keeps the `population` best configurations evaluated so far (elitism:
// the best ever survive), takes its `parents` best as parents, and breeds `population`
// children, each by uniform crossover of two parents drawn at random and a mutation that
// redraws each knob with probability `mutation`. Children that break the space's validity
// rule or were proposed before are bred again, up to a limit, and then replaced by uniform
// random draws (which is all a listed space such as a replay table mostly allows). The first
// generation is uniform random. ConfuciuX fine-tunes its RL agent's best with such a GA
// (population 20, 8 parents, elitism).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/rng.h"
#include "space/space.h"
#include "tune/random_tuner.h"
#include "tune/strategy.h"

namespace tessel {

class GeneticTuner : public Strategy {
 public:
  struct Options {
    int population = 20;
    int parents = 8;
    double mutation = 0.1;  // per knob

    void Validate() const;  // throws tessel::Error naming the offending option
    // "key=value,..." over the defaults (keys population, parents, mutation), as --ga takes it.
    static Options Parse(std::string_view spec);
    std::string ToString() const;
  };

  GeneticTuner(const Space& space, const Options& options, Rng rng);

  std::vector<Config> NextBatch(int max_count) override;
  void Update(const std::vector<Config>& configs, const std::vector<Evaluation>& results) override;
  void Resume(const std::vector<Config>& configs, const std::vector<Evaluation>& results) override;

 private:
  void Breed();
  Config Child(const std::vector<Config>& parents);

  const Space& space_;
  Options options_;
  Rng rng_;
  RandomTuner random_;  // the first generation and the children that could not be bred
  ConfigSet proposed_;
  std::vector<Config> pending_;  // this generation's children not yet proposed
  std::vector<Config> evaluated_;
  std::vector<double> values_;  // NaN for anything not ok
};

}  // namespace tessel
