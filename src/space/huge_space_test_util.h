// A space far beyond 2^64 configurations, for tests of what works without flat indices.
#pragma once

#include <cstdio>
#include <vector>

#include "space/space.h"

namespace tessel {

// 60 knobs of 1536 values, 1536^60 (about 1e191) index vectors, as the accelerator problem's
// spaces have (two knobs per network layer); valid when the first knob's index is even, so
// that sampling rejects and neighbours are filtered.
inline Space HugeSpace() {
  std::vector<KnobValue> values;
  for (int64_t v = 0; v < 1536; ++v) values.emplace_back(v);
  std::vector<Knob> knobs;
  for (int k = 0; k < 60; ++k) {
    char name[8];  // not "k" + std::to_string(k), which GCC 12 wrongly flags (-Wrestrict)
    std::snprintf(name, sizeof(name), "k%d", k);
    knobs.push_back({name, values});
  }
  return Space(std::move(knobs), [](const Space&, const Config& c) { return c[0] % 2 == 0; });
}

}  // namespace tessel
