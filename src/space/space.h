// The design space of one tuning task: named knobs, each with an ordered, finite list of
// values, and a validity constraint. A configuration is an index vector (one index per knob),
// which keeps visited sets, neighbourhoods and random walks cheap (AutoTVM's habit).
// This module depends on nothing else of Tessel's but core/.
#pragma once

#include <cstdint>
#include <functional>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_set>
#include <variant>
#include <vector>

#include "core/rng.h"

namespace tessel {

// The factors of a multi-level split, outermost first; their product is the split extent.
using Factors = std::vector<int64_t>;

// A knob value: a number, a word, or the factors of a split.
using KnobValue = std::variant<int64_t, std::string, Factors>;

// Canonical text of a value: 16, nchwc, 2x4x8.
std::string KnobValueText(const KnobValue& value);

struct Knob {
  std::string name;
  std::vector<KnobValue> values;  // ordered: neighbours are adjacent entries
};

// One index per knob, in the order of Space::knobs().
using Config = std::vector<int32_t>;

// Hash of a configuration, for sets of configurations in spaces of any size: flat indices
// only exist while a space has fewer than 2^64 index vectors, and the spaces of a network's layers
// together (two knobs per layer, say) have far more.
struct ConfigHash {
  size_t operator()(const Config& config) const noexcept;
};
using ConfigSet = std::unordered_set<Config, ConfigHash>;

class Space {
 public:
  // True when the configuration can be built and measured.
  using Constraint = std::function<bool(const Space&, const Config&)>;

  explicit Space(std::vector<Knob> knobs, Constraint constraint = nullptr);

  const std::vector<Knob>& knobs() const { return knobs_; }
  size_t num_knobs() const { return knobs_.size(); }
  // Index of the knob with this name; throws tessel::Error when there is none.
  size_t KnobIndex(std::string_view name) const;

  // Number of index vectors, valid or not (the product of the knobs' sizes). Saturates at
  // the largest uint64_t when the product does not fit; such a space is never enumerated.
  uint64_t Size() const { return size_; }
  // True when Size() is exact (below the largest uint64_t), so that flat indices exist.
  bool indexable() const { return size_ < std::numeric_limits<uint64_t>::max(); }

  // Bijection between index vectors and [0, Size()); the last knob varies fastest. Only for
  // indexable spaces (checked): sets of configurations use ConfigSet, which works for all.
  uint64_t FlatIndex(const Config& config) const;
  Config FromFlatIndex(uint64_t index) const;

  // Canonical text form, "name=value;name=value" in knob order, and its parser. The parser
  // throws tessel::Error on unknown knobs, unknown values, missing knobs or malformed text.
  std::string ToText(const Config& config) const;
  Config FromText(std::string_view text) const;

  bool InRange(const Config& config) const;
  bool IsValid(const Config& config) const;

  const KnobValue& Value(const Config& config, size_t knob) const {
    return knobs_[knob].values[config[knob]];
  }
  int64_t IntValue(const Config& config, std::string_view knob) const;
  const Factors& FactorsValue(const Config& config, std::string_view knob) const;
  const std::string& TextValue(const Config& config, std::string_view knob) const;
  // The index of `value` among the knob's values; throws tessel::Error when it has none.
  int32_t ValueIndex(size_t knob, const KnobValue& value) const;

  // Valid configurations one step (+1 or -1) away along one knob, knob by knob. In a listed
  // space, where such steps almost never land on a row, the kListedNeighbours listed rows
  // nearest in normalised knob space instead (nearest first; empty for unlisted configs).
  std::vector<Config> Neighbours(const Config& config) const;
  static constexpr size_t kListedNeighbours = 8;

  // Each knob's index scaled to [0, 1] (0 for single-valued knobs).
  std::vector<double> NormalisedFeatures(const Config& config) const;
  // The squared Euclidean distance between two NormalisedFeatures vectors: how far apart two
  // configurations are when the space measures nearness (listed neighbours, nearest rows).
  static double SquaredDistance(const std::vector<double>& a, const std::vector<double>& b);

  // A uniformly drawn valid configuration: from the list when there is one, otherwise by
  // rejection (nullopt after max_tries misses).
  std::optional<Config> SampleValid(Rng& rng, int max_tries = 100000) const;

  // Declares the complete list of valid configurations (flat indices), for spaces that are a
  // table of measured rows: a handful of valid points among billions of index vectors, which
  // rejection sampling and random knob changes would almost never hit. The constraint must
  // accept exactly these. Called once, before the space is shared; the space must be
  // indexable (checked).
  void ListValid(std::vector<uint64_t> flat_indices);
  // The list given to ListValid, sorted; null when the space has none.
  const std::vector<uint64_t>* valid_list() const { return valid_list_ ? &*valid_list_ : nullptr; }

  // Number of valid configurations: exact when Size() <= exact_limit, otherwise estimated
  // from `samples` uniform draws (reported with the flag `exact`; the estimate is a double,
  // so it stays meaningful for spaces beyond 2^64).
  struct ValidCount {
    double count;
    bool exact;
  };
  ValidCount CountValid(uint64_t exact_limit = 2'000'000, int samples = 200'000,
                        uint64_t seed = 1) const;

 private:
  std::vector<Knob> knobs_;
  Constraint constraint_;
  uint64_t size_;  // saturated: see Size()
  std::optional<std::vector<uint64_t>> valid_list_;
  // Per listed row (same order as valid_list_): its nearest other rows, as flat indices.
  std::vector<std::vector<uint64_t>> listed_neighbours_;
};

// All ordered ways to write `extent` as a product of `levels` positive factors, outermost
// first, sorted lexicographically (TVM's split entity with an exact product).
std::vector<Factors> Factorizations(int64_t extent, int levels);

// A knob whose values are every split of `extent` into `levels` exact factors, outermost first
// (TVM's split entity).
inline Knob SplitKnob(std::string name, int64_t extent, int levels) {
  Knob knob{std::move(name), {}};
  for (Factors& factors : Factorizations(extent, levels)) knob.values.emplace_back(factors);
  return knob;
}

}  // namespace tessel
