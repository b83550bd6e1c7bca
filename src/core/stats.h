// Small statistics shared by measurement and records.
#pragma once

#include <algorithm>
#include <vector>

#include "core/error.h"

namespace tessel {

// The median, the mean of the two middle values for an even count.
inline double Median(std::vector<double> values) {
  TESSEL_CHECK(!values.empty()) << "median of nothing";
  std::sort(values.begin(), values.end());
  const size_t mid = values.size() / 2;
  return values.size() % 2 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

}  // namespace tessel
