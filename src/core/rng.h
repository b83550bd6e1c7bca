// Seeded randomness. One root seed per run; every random component receives an Rng forked
// from it by name, so adding a component never shifts another component's stream.
// The distributions are our own: std::*_distribution differ between standard libraries.
#pragma once

#include <cstdint>
#include <random>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"

namespace tessel {

class Rng {
 public:
  explicit Rng(uint64_t seed) : seed_(seed), engine_(seed) {}

  uint64_t seed() const { return seed_; }
  uint64_t Next() { return engine_(); }

  // Uniform integer in [lo, hi] (inclusive), unbiased by rejection.
  int64_t UniformInt(int64_t lo, int64_t hi) {
    TESSEL_CHECK(lo <= hi) << lo << " > " << hi;
    const uint64_t span = static_cast<uint64_t>(hi - lo) + 1;
    if (span == 0) return static_cast<int64_t>(Next());  // the full 64-bit range
    const uint64_t limit = UINT64_MAX - UINT64_MAX % span;
    uint64_t draw;
    do {
      draw = Next();
    } while (draw >= limit);
    return lo + static_cast<int64_t>(draw % span);
  }

  // Shuffles `items` in place (Fisher-Yates with this stream, so the order is the same with
  // every standard library, which std::shuffle does not promise).
  template <typename T>
  void Shuffle(std::vector<T>& items) {
    for (size_t i = items.size(); i > 1; --i)
      std::swap(items[i - 1],
                items[static_cast<size_t>(UniformInt(0, static_cast<int64_t>(i) - 1))]);
  }

  // Uniform real in [0, 1) with 53 random bits.
  double UniformReal() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

  // A child stream whose seed depends only on this stream's seed, the name and the index.
  Rng Fork(std::string_view name, uint64_t index = 0) const {
    uint64_t h = Mix(seed_ ^ 0x9e3779b97f4a7c15ULL);
    for (char c : name) h = Mix(h ^ static_cast<unsigned char>(c));
    return Rng(Mix(h ^ Mix(index + 1)));
  }

 private:
  // SplitMix64 finaliser: a bijective, well-mixing hash of 64 bits.
  static uint64_t Mix(uint64_t x) {
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
  }

  uint64_t seed_;
  std::mt19937_64 engine_;
};

}  // namespace tessel
