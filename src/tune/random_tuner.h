// Uniform random search without replacement over the valid configurations.
#pragma once

#include "space/space.h"
#include "tune/strategy.h"

namespace tessel {

class RandomTuner : public Strategy {
 public:
  // Spaces up to this many configurations are enumerated and shuffled, which makes the
  // search exhaustive; larger ones (beyond 2^64 too) are sampled by rejection.
  static constexpr uint64_t kEnumerateLimit = 1'000'000;
  // Rejection sampling gives up after this many draws without a new valid configuration.
  static constexpr int kMaxMisses = 200'000;

  RandomTuner(const Space& space, Rng rng);
  std::vector<Config> NextBatch(int max_count) override;
  void Update(const std::vector<Config>&, const std::vector<Evaluation>&) override {}
  void Resume(const std::vector<Config>& configs, const std::vector<Evaluation>&) override;

 private:
  const Space& space_;
  Rng rng_;
  ConfigSet resumed_;               // measured before: never drawn
  bool enumerated_ = false;         // small or listed spaces: drawn from a shuffled list
  std::vector<uint64_t> shuffled_;  // enumerated spaces: valid flat indices in random order
  size_t next_ = 0;
  ConfigSet visited_;  // sampled spaces (of any size, so not flat indices)
};

// Every valid configuration once, in flat-index order.
class GridTuner : public Strategy {
 public:
  static constexpr uint64_t kMaxSize = 10'000'000;

  explicit GridTuner(const Space& space);
  std::vector<Config> NextBatch(int max_count) override;
  void Update(const std::vector<Config>&, const std::vector<Evaluation>&) override {}
  void Resume(const std::vector<Config>& configs, const std::vector<Evaluation>&) override;

 private:
  const Space& space_;
  uint64_t next_ = 0;
  ConfigSet resumed_;
};

}  // namespace tessel
