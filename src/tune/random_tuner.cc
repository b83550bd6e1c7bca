#include "tune/random_tuner.h"

#include "core/error.h"

namespace tessel {

RandomTuner::RandomTuner(const Space& space, Rng rng) : space_(space), rng_(std::move(rng)) {
  if (const std::vector<uint64_t>* listed = space_.valid_list()) {
    shuffled_ = *listed;
    enumerated_ = true;
  } else if (space_.Size() <= kEnumerateLimit) {
    for (uint64_t index = 0; index < space_.Size(); ++index)
      if (space_.IsValid(space_.FromFlatIndex(index))) shuffled_.push_back(index);
    enumerated_ = true;
  } else {
    return;
  }
  rng_.Shuffle(shuffled_);  // our own Fisher-Yates: the same order on every platform
}

std::vector<Config> RandomTuner::NextBatch(int max_count) {
  std::vector<Config> batch;
  if (enumerated_) {
    while (static_cast<int>(batch.size()) < max_count && next_ < shuffled_.size()) {
      Config config = space_.FromFlatIndex(shuffled_[next_++]);
      if (!resumed_.count(config)) batch.push_back(std::move(config));
    }
    return batch;
  }
  int misses = 0;
  while (static_cast<int>(batch.size()) < max_count && misses < kMaxMisses) {
    std::optional<Config> config = space_.SampleValid(rng_, 1);
    if (config && visited_.insert(*config).second) {
      batch.push_back(std::move(*config));
      misses = 0;
    } else {
      ++misses;
    }
  }
  return batch;
}

void RandomTuner::Resume(const std::vector<Config>& configs, const std::vector<Evaluation>&) {
  for (const Config& config : configs) {
    resumed_.insert(config);
    visited_.insert(config);
  }
}

GridTuner::GridTuner(const Space& space) : space_(space) {
  // Size() saturates past 2^64: such a space is refused with a bound, not a wrong count.
  if (space_.Size() > kMaxSize)
    throw ConfigError("grid search enumerates at most " + std::to_string(kMaxSize) +
                      " configurations and this space has " +
                      (space_.indexable() ? std::to_string(space_.Size()) : "over 2^64") +
                      "; use --tuner random");
}

std::vector<Config> GridTuner::NextBatch(int max_count) {
  std::vector<Config> batch;
  while (static_cast<int>(batch.size()) < max_count && next_ < space_.Size()) {
    Config config = space_.FromFlatIndex(next_++);
    if (!resumed_.count(config) && space_.IsValid(config)) batch.push_back(std::move(config));
  }
  return batch;
}

void GridTuner::Resume(const std::vector<Config>& configs, const std::vector<Evaluation>&) {
  for (const Config& config : configs) resumed_.insert(config);
}

}  // namespace tessel
