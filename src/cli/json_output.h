// JSON values the commands print: configurations as knob -> value objects, metrics, and
// numbers that may be NaN (null in JSON).
#pragma once

#include <cmath>
#include <nlohmann/json.hpp>

#include "engine/evaluation.h"
#include "space/space.h"

namespace tessel::cli {

inline nlohmann::json NumberOrNull(double value) {
  return std::isfinite(value) ? nlohmann::json(value) : nlohmann::json(nullptr);
}

// {"knob": value, ...}: numbers as numbers, words as strings, split factors as arrays.
inline nlohmann::json ConfigJson(const Space& space, const Config& config) {
  nlohmann::json object = nlohmann::json::object();
  for (size_t i = 0; i < space.num_knobs(); ++i) {
    const KnobValue& value = space.Value(config, i);
    if (const auto* number = std::get_if<int64_t>(&value)) {
      object[space.knobs()[i].name] = *number;
    } else if (const auto* word = std::get_if<std::string>(&value)) {
      object[space.knobs()[i].name] = *word;
    } else {
      object[space.knobs()[i].name] = std::get<Factors>(value);
    }
  }
  return object;
}

inline nlohmann::json MetricsJson(const Metrics& metrics) {
  nlohmann::json object = nlohmann::json::object();
  for (const auto& [name, value] : metrics) object[name] = NumberOrNull(value);
  return object;
}

}  // namespace tessel::cli
