#include "space/space.h"

#include <algorithm>
#include <limits>
#include <sstream>

#include "core/error.h"

namespace tessel {

std::string KnobValueText(const KnobValue& value) {
  if (const auto* number = std::get_if<int64_t>(&value)) return std::to_string(*number);
  if (const auto* word = std::get_if<std::string>(&value)) return *word;
  std::string text;
  for (int64_t factor : std::get<Factors>(value)) {
    if (!text.empty()) text += 'x';
    text += std::to_string(factor);
  }
  return text;
}

size_t ConfigHash::operator()(const Config& config) const noexcept {
  // Boost's hash_combine (1.81 and later, 64 bits): each index is added into the state, which
  // is then mixed by two multiply-xorshift rounds, so that configurations that differ in one
  // index by one step land in unrelated buckets.
  auto mix = [](uint64_t x) {
    constexpr uint64_t kMultiplier = 0xe9846af9b1a615dULL;
    x ^= x >> 32;
    x *= kMultiplier;
    x ^= x >> 32;
    x *= kMultiplier;
    x ^= x >> 28;
    return x;
  };
  uint64_t seed = config.size();
  for (int32_t index : config)
    seed = mix(seed + 0x9e3779b9ULL + static_cast<uint64_t>(static_cast<uint32_t>(index)));
  return static_cast<size_t>(seed);
}

Space::Space(std::vector<Knob> knobs, Constraint constraint)
    : knobs_(std::move(knobs)), constraint_(std::move(constraint)), size_(1) {
  constexpr uint64_t kSaturated = std::numeric_limits<uint64_t>::max();
  for (const Knob& knob : knobs_) {
    if (knob.values.empty()) throw ConfigError("knob '" + knob.name + "' has no values");
    const uint64_t n = knob.values.size();
    // A product past the largest uint64_t saturates there: such a space is sampled and
    // walked, never enumerated, so its exact count does not matter.
    size_ = size_ > kSaturated / n ? kSaturated : size_ * n;
  }
}

size_t Space::KnobIndex(std::string_view name) const {
  for (size_t i = 0; i < knobs_.size(); ++i)
    if (knobs_[i].name == name) return i;
  throw ConfigError("unknown knob '" + std::string(name) + "'");
}

uint64_t Space::FlatIndex(const Config& config) const {
  TESSEL_CHECK(indexable()) << "flat index in a space of over 2^64 configurations";
  TESSEL_CHECK(InRange(config)) << "configuration out of range";
  uint64_t index = 0;
  for (size_t i = 0; i < knobs_.size(); ++i) index = index * knobs_[i].values.size() + config[i];
  return index;
}

Config Space::FromFlatIndex(uint64_t index) const {
  TESSEL_CHECK(indexable()) << "flat index in a space of over 2^64 configurations";
  TESSEL_CHECK(index < size_) << "flat index " << index << " >= " << size_;
  Config config(knobs_.size());
  for (size_t i = knobs_.size(); i-- > 0;) {
    const uint64_t n = knobs_[i].values.size();
    config[i] = static_cast<int32_t>(index % n);
    index /= n;
  }
  return config;
}

std::string Space::ToText(const Config& config) const {
  TESSEL_CHECK(InRange(config)) << "configuration out of range";
  std::string text;
  for (size_t i = 0; i < knobs_.size(); ++i) {
    if (i) text += ';';
    text += knobs_[i].name + '=' + KnobValueText(Value(config, i));
  }
  return text;
}

Config Space::FromText(std::string_view text) const {
  Config config(knobs_.size(), -1);
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(';', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view item = text.substr(start, end - start);
    start = end + 1;
    if (item.empty()) continue;
    const size_t eq = item.find('=');
    if (eq == std::string_view::npos)
      throw ConfigError("malformed configuration item '" + std::string(item) +
                        "': expected name=value");
    const size_t knob = KnobIndex(item.substr(0, eq));
    const std::string value(item.substr(eq + 1));
    const auto& values = knobs_[knob].values;
    auto it = std::find_if(values.begin(), values.end(),
                           [&](const KnobValue& v) { return KnobValueText(v) == value; });
    if (it == values.end()) {
      std::string known;
      for (size_t i = 0; i < values.size() && i < 12; ++i)
        known += (i ? ", " : "") + KnobValueText(values[i]);
      if (values.size() > 12) known += ", ... (" + std::to_string(values.size()) + " values)";
      throw ConfigError("knob '" + knobs_[knob].name + "' has no value '" + value +
                        "'; its values are " + known);
    }
    config[knob] = static_cast<int32_t>(it - values.begin());
  }
  for (size_t i = 0; i < knobs_.size(); ++i)
    if (config[i] < 0) throw ConfigError("configuration lacks knob '" + knobs_[i].name + "'");
  return config;
}

bool Space::InRange(const Config& config) const {
  if (config.size() != knobs_.size()) return false;
  for (size_t i = 0; i < knobs_.size(); ++i)
    if (config[i] < 0 || static_cast<size_t>(config[i]) >= knobs_[i].values.size()) return false;
  return true;
}

bool Space::IsValid(const Config& config) const {
  return InRange(config) && (!constraint_ || constraint_(*this, config));
}

int64_t Space::IntValue(const Config& config, std::string_view knob) const {
  const KnobValue& value = Value(config, KnobIndex(knob));
  TESSEL_CHECK(std::holds_alternative<int64_t>(value)) << "knob " << knob << " is not numeric";
  return std::get<int64_t>(value);
}

const Factors& Space::FactorsValue(const Config& config, std::string_view knob) const {
  const KnobValue& value = Value(config, KnobIndex(knob));
  TESSEL_CHECK(std::holds_alternative<Factors>(value)) << "knob " << knob << " is not a split";
  return std::get<Factors>(value);
}

const std::string& Space::TextValue(const Config& config, std::string_view knob) const {
  const KnobValue& value = Value(config, KnobIndex(knob));
  TESSEL_CHECK(std::holds_alternative<std::string>(value)) << "knob " << knob << " is not text";
  return std::get<std::string>(value);
}

int32_t Space::ValueIndex(size_t knob, const KnobValue& value) const {
  const std::vector<KnobValue>& values = knobs_.at(knob).values;
  const auto found = std::find(values.begin(), values.end(), value);
  if (found == values.end())
    throw ConfigError("knob " + knobs_[knob].name + " has no value " + KnobValueText(value));
  return static_cast<int32_t>(found - values.begin());
}

std::vector<Config> Space::Neighbours(const Config& config) const {
  std::vector<Config> result;
  if (valid_list_) {
    if (!InRange(config)) return result;
    const auto it = std::lower_bound(valid_list_->begin(), valid_list_->end(), FlatIndex(config));
    if (it == valid_list_->end() || *it != FlatIndex(config)) return result;
    for (uint64_t index : listed_neighbours_[static_cast<size_t>(it - valid_list_->begin())])
      result.push_back(FromFlatIndex(index));
    return result;
  }
  for (size_t i = 0; i < knobs_.size(); ++i) {
    for (int step : {-1, +1}) {
      Config next = config;
      next[i] += step;
      if (IsValid(next)) result.push_back(std::move(next));
    }
  }
  return result;
}

double Space::SquaredDistance(const std::vector<double>& a, const std::vector<double>& b) {
  TESSEL_CHECK(a.size() == b.size()) << "distance between feature vectors of different sizes";
  double distance = 0;
  for (size_t k = 0; k < a.size(); ++k) distance += (a[k] - b[k]) * (a[k] - b[k]);
  return distance;
}

std::vector<double> Space::NormalisedFeatures(const Config& config) const {
  std::vector<double> features(knobs_.size());
  for (size_t i = 0; i < knobs_.size(); ++i) {
    const size_t n = knobs_[i].values.size();
    features[i] = n > 1 ? static_cast<double>(config[i]) / static_cast<double>(n - 1) : 0.0;
  }
  return features;
}

void Space::ListValid(std::vector<uint64_t> flat_indices) {
  TESSEL_CHECK(indexable()) << "a listed space of over 2^64 configurations";
  std::sort(flat_indices.begin(), flat_indices.end());
  flat_indices.erase(std::unique(flat_indices.begin(), flat_indices.end()), flat_indices.end());
  const size_t rows = flat_indices.size();
  std::vector<std::vector<double>> points(rows);
  for (size_t row = 0; row < rows; ++row) {
    TESSEL_CHECK(flat_indices[row] < size_)
        << "listed configuration " << flat_indices[row] << " out of range";
    points[row] = NormalisedFeatures(FromFlatIndex(flat_indices[row]));
  }
  // All pairs: quadratic, a fraction of a second for the few thousand rows of a measured
  // table; ties go to the lower flat index so the graph does not depend on the platform.
  listed_neighbours_.assign(rows, {});
  std::vector<std::pair<double, size_t>> distances;
  for (size_t row = 0; row < rows; ++row) {
    distances.clear();
    for (size_t other = 0; other < rows; ++other) {
      if (other == row) continue;
      distances.emplace_back(SquaredDistance(points[row], points[other]), other);
    }
    const size_t keep = std::min(kListedNeighbours, distances.size());
    std::partial_sort(distances.begin(), distances.begin() + static_cast<ptrdiff_t>(keep),
                      distances.end());
    for (size_t i = 0; i < keep; ++i)
      listed_neighbours_[row].push_back(flat_indices[distances[i].second]);
  }
  valid_list_ = std::move(flat_indices);
}

std::optional<Config> Space::SampleValid(Rng& rng, int max_tries) const {
  if (valid_list_) {
    if (valid_list_->empty()) return std::nullopt;
    return FromFlatIndex(
        (*valid_list_)[rng.UniformInt(0, static_cast<int64_t>(valid_list_->size()) - 1)]);
  }
  Config config(knobs_.size());
  for (int attempt = 0; attempt < max_tries; ++attempt) {
    for (size_t i = 0; i < knobs_.size(); ++i)
      config[i] = static_cast<int32_t>(
          rng.UniformInt(0, static_cast<int64_t>(knobs_[i].values.size()) - 1));
    if (IsValid(config)) return config;
  }
  return std::nullopt;
}

Space::ValidCount Space::CountValid(uint64_t exact_limit, int samples, uint64_t seed) const {
  if (valid_list_) return {static_cast<double>(valid_list_->size()), true};
  if (size_ <= exact_limit) {
    uint64_t valid = 0;
    for (uint64_t index = 0; index < size_; ++index) valid += IsValid(FromFlatIndex(index));
    return {static_cast<double>(valid), true};
  }
  Rng rng(seed);
  int hits = 0;
  for (int s = 0; s < samples; ++s) hits += SampleValid(rng, 1).has_value();
  // The size as a double, since Size() saturates for spaces beyond 2^64.
  double size = 1;
  for (const Knob& knob : knobs_) size *= static_cast<double>(knob.values.size());
  return {size * hits / samples, false};
}

namespace {

void ExtendFactorizations(int64_t remaining, int levels_left, Factors& prefix,
                          std::vector<Factors>& out) {
  if (levels_left == 1) {
    prefix.push_back(remaining);
    out.push_back(prefix);
    prefix.pop_back();
    return;
  }
  for (int64_t factor = 1; factor <= remaining; ++factor) {
    if (remaining % factor) continue;
    prefix.push_back(factor);
    ExtendFactorizations(remaining / factor, levels_left - 1, prefix, out);
    prefix.pop_back();
  }
}

}  // namespace

std::vector<Factors> Factorizations(int64_t extent, int levels) {
  TESSEL_CHECK(extent >= 1 && levels >= 1) << extent << " " << levels;
  std::vector<Factors> out;
  Factors prefix;
  ExtendFactorizations(extent, levels, prefix, out);
  return out;
}

}  // namespace tessel
