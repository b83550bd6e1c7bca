#include "search/uniform_screen.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace tessel {
namespace {

// 40 x 40 configurations; those whose knobs sum to a multiple of 5 are invalid.
Space GridSpace() {
  std::vector<Knob> knobs;
  for (const char* name : {"a", "b"}) {
    Knob knob{name, {}};
    for (int64_t v = 0; v < 40; ++v) knob.values.emplace_back(v);
    knobs.push_back(knob);
  }
  return Space(knobs, [](const Space&, const Config& c) { return (c[0] + c[1]) % 5 != 0; });
}

// Scores a configuration by its first knob, then its second.
class LexicographicModel : public CostModel {
 public:
  void Fit(const std::vector<Config>&, const std::vector<double>&) override {}
  std::vector<double> Predict(const std::vector<Config>& configs) const override {
    std::vector<double> scores;
    for (const Config& c : configs) scores.push_back(100.0 * c[0] + c[1]);
    return scores;
  }
};

TEST(UniformScreenTest, ReturnsTheBestScoredOfTheDrawsBestFirst) {
  const Space space = GridSpace();
  LexicographicModel model;
  Rng rng(3);
  const ScreenResult screened = ScreenUniformDraws(space, model, 200, 10, {}, rng);
  ASSERT_EQ(screened.best.size(), 10u);
  EXPECT_GT(screened.scored, 150);  // 200 draws from 1,280 valid configurations, few repeats
  EXPECT_LE(screened.scored, 200);
  const std::vector<double> scores = model.Predict(screened.best);
  EXPECT_TRUE(std::is_sorted(scores.rbegin(), scores.rend()));
  for (const Config& config : screened.best) EXPECT_TRUE(space.IsValid(config));
  // Drawn, not searched: the same stream drawn again holds every configuration returned, and
  // none it holds scores above the last of them.
  Rng again(3);
  ConfigSet drawn;
  for (int i = 0; i < 200; ++i) drawn.insert(*space.SampleValid(again));
  for (const Config& config : screened.best) EXPECT_TRUE(drawn.count(config));
  for (const Config& config : drawn) {
    if (!std::count(screened.best.begin(), screened.best.end(), config)) {
      EXPECT_LE(model.Predict({config})[0], scores.back());
    }
  }
}

TEST(UniformScreenTest, LeavesOutExcludedConfigurationsAndIsReproducible) {
  const Space space = GridSpace();
  LexicographicModel model;
  Rng first_rng(5);
  const ScreenResult first = ScreenUniformDraws(space, model, 300, 4, {}, first_rng);
  ASSERT_EQ(first.best.size(), 4u);
  const ConfigSet exclude = {first.best[0], first.best[1]};
  Rng second_rng(5);
  const ScreenResult second = ScreenUniformDraws(space, model, 300, 4, exclude, second_rng);
  ASSERT_EQ(second.best.size(), 4u);
  for (const Config& config : second.best) EXPECT_FALSE(exclude.count(config));
  EXPECT_EQ(second.best[0], first.best[2]);
  EXPECT_EQ(second.best[1], first.best[3]);
  Rng third_rng(5);
  EXPECT_EQ(ScreenUniformDraws(space, model, 300, 4, {}, third_rng).best, first.best);
}

TEST(UniformScreenTest, ReturnsWhatThereIsWhenThePoolIsSmall) {
  const Space space = GridSpace();
  LexicographicModel model;
  Rng rng(1);
  EXPECT_EQ(ScreenUniformDraws(space, model, 3, 8, {}, rng).best.size(), 3u);
  EXPECT_TRUE(ScreenUniformDraws(space, model, 0, 8, {}, rng).best.empty());
}

}  // namespace
}  // namespace tessel
