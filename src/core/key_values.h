// Option strings of the form "key=value,key=value" (as `--ppo` and `--sampling` take them).
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"

namespace tessel {

// The pairs in order; throws ConfigError naming `flag` for an item without '='.
inline std::vector<std::pair<std::string, std::string>> SplitKeyValues(std::string_view spec,
                                                                       std::string_view flag) {
  std::vector<std::pair<std::string, std::string>> pairs;
  while (!spec.empty()) {
    const size_t comma = spec.find(',');
    const std::string_view item = spec.substr(0, comma);
    spec = comma == std::string_view::npos ? std::string_view() : spec.substr(comma + 1);
    const size_t equals = item.find('=');
    if (equals == std::string_view::npos)
      throw ConfigError(std::string(flag) + " expects key=value pairs separated by commas, got '" +
                        std::string(item) + "'");
    pairs.emplace_back(item.substr(0, equals), item.substr(equals + 1));
  }
  return pairs;
}

// The whole of `text` as a number (a whole one when `whole`); throws ConfigError naming the
// flag and key otherwise.
inline double ParseOptionNumber(const std::string& text, std::string_view flag,
                                const std::string& key, bool whole) {
  double value = 0;
  size_t used = 0;
  try {
    value = std::stod(text, &used);
  } catch (const std::logic_error&) {
    used = 0;
  }
  if (used == 0 || used != text.size())
    throw ConfigError(std::string(flag) + " " + key + " needs a number, got '" + text + "'");
  // The range is checked first: converting NaN or a double beyond long long is undefined.
  if (whole &&
      !(value > -1e9 && value < 1e9 && value == static_cast<double>(static_cast<long long>(value))))
    throw ConfigError(std::string(flag) + " " + key + " needs a whole number, got '" + text + "'");
  return value;
}

}  // namespace tessel
