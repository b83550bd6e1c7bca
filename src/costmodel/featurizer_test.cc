#include "costmodel/featurizer.h"

#include <gtest/gtest.h>

#include <cmath>

#include "core/error.h"

namespace tessel {
namespace {

TEST(KnobFeaturesTest, LogFactorsNumbersAndIndicators) {
  const Space space({{"tile", {Factors{2, 8}}},
                     {"step", {int64_t{0}, int64_t{15}}},
                     {"mode", {std::string("a"), std::string("b")}}});
  EXPECT_EQ(KnobFeatures(space, {0, 1, 1}), (std::vector<float>{1, 3, 4, 0, 1}));
}

}  // namespace
}  // namespace tessel
