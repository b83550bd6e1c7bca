// A small space with a known cost, shared by the cost model tests: two 3-level splits of 64
// and a text knob (28 x 28 x 3 configurations), fastest with inner factors near 8 and 4 and
// mode q.
#pragma once

#include <cmath>
#include <string>

#include "space/space.h"

namespace tessel {

inline Space SyntheticCostSpace() {
  return Space({SplitKnob("tile_a", 64, 3),
                SplitKnob("tile_b", 64, 3),
                {"mode", {std::string("p"), std::string("q"), std::string("r")}}});
}

inline double SyntheticCostTime(const Space& space, const Config& c) {
  const double a = std::log2(double(space.FactorsValue(c, "tile_a")[2])) - 3;
  const double b = std::log2(double(space.FactorsValue(c, "tile_b")[2])) - 2;
  const double mode = space.TextValue(c, "mode") == "q" ? 0 : 1.5;
  return 1 + a * a + 0.5 * b * b + mode;
}

}  // namespace tessel
