// A small space with a known cost, shared by the cost model tests: two 3-level splits of 64
// and a text knob (28 x 28 x 3 configurations), fastest with inner factors near 8 and 4 and
// mode q.
#pragma once

#include <cmath>
#include <string>

#include "space/space.h"

namespace tessel {

inline Space SyntheticCostSpace() {
  auto split = [](const char* name) {
    Knob knob{name, {}};
    for (Factors& f : Factorizations(64, 3)) knob.values.emplace_back(f);
    return knob;
  };
  return Space({split("tile_a"),
                split("tile_b"),
                {"mode", {std::string("p"), std::string("q"), std::string("r")}}});
}

inline double SyntheticCostTime(const Space& space, const Config& c) {
  const double a = std::log2(double(space.FactorsValue(c, "tile_a")[2])) - 3;
  const double b = std::log2(double(space.FactorsValue(c, "tile_b")[2])) - 2;
  const double mode = space.TextValue(c, "mode") == "q" ? 0 : 1.5;
  return 1 + a * a + 0.5 * b * b + mode;
}

}  // namespace tessel
