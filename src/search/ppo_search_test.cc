#include "search/ppo_search.h"

#include <gtest/gtest.h>

#include <numeric>

#include "core/error.h"

namespace tessel {
namespace {

// Four knobs of 16 values; the score is minus the L1 distance to (12, 3, 9, 6).
Space SyntheticSpace() {
  std::vector<KnobValue> values;
  for (int64_t v = 0; v < 16; ++v) values.push_back(v);
  return Space({{"a", values}, {"b", values}, {"c", values}, {"d", values}});
}

class DistanceModel : public CostModel {
 public:
  void Fit(const std::vector<Config>&, const std::vector<double>&) override {}
  std::vector<double> Predict(const std::vector<Config>& configs) const override {
    std::vector<double> scores;
    for (const Config& c : configs)
      scores.push_back(-std::abs(c[0] - 12) - std::abs(c[1] - 3) - std::abs(c[2] - 9) -
                       std::abs(c[3] - 6));
    return scores;
  }
};

std::vector<Config> RandomStarts(const Space& space, int count, Rng& rng) {
  std::vector<Config> starts;
  for (int i = 0; i < count; ++i) starts.push_back(*space.SampleValid(rng));
  return starts;
}

// The mean score of where the walkers stood in the last tenth of the trajectory.
double LateMeanScore(const PpoSearch::Result& result, const CostModel& model) {
  const size_t from = result.trajectory.size() * 9 / 10;
  const std::vector<Config> late(result.trajectory.begin() + from, result.trajectory.end());
  const std::vector<double> scores = model.Predict(late);
  return std::accumulate(scores.begin(), scores.end(), 0.0) / scores.size();
}

PpoSearch::Options ShortEpisodes() {
  PpoSearch::Options options;
  options.max_steps = 32;
  options.early_stop = 32;
  options.stuck_share = 1.0;  // walkers run the whole episode
  return options;
}

TEST(PpoSearchTest, LearnsToClimbASyntheticObjectiveOverEpisodes) {
  const Space space = SyntheticSpace();
  const DistanceModel model;
  PpoSearch agent(space, ShortEpisodes(), Rng(11));
  Rng starts_rng(2);
  std::vector<double> late_scores;
  for (int episode = 0; episode < 16; ++episode) {
    const PpoSearch::Result result =
        agent.Search(model, RandomStarts(space, 32, starts_rng), 8, {});
    late_scores.push_back(LateMeanScore(result, model));
  }
  // Random walkers stay around the starts' mean score (about -19); after 16 short episodes
  // the agent ends its episodes much nearer the optimum (0).
  const double late = (late_scores[13] + late_scores[14] + late_scores[15]) / 3;
  EXPECT_LT(late_scores.front(), -15);
  EXPECT_GT(late, late_scores.front() + 6) << "first " << late_scores.front() << ", last " << late;
}

TEST(PpoSearchTest, ReturnsTheBestUnvisitedCandidates) {
  const Space space = SyntheticSpace();
  const DistanceModel model;
  PpoSearch agent(space, ShortEpisodes(), Rng(3));
  Rng starts_rng(4);
  const ConfigSet exclude{{12, 3, 9, 6}};
  const PpoSearch::Result result =
      agent.Search(model, RandomStarts(space, 16, starts_rng), 5, exclude);
  ASSERT_EQ(result.best.size(), 5u);
  EXPECT_EQ(result.steps, 32);
  std::vector<double> scores = model.Predict(result.best);
  EXPECT_TRUE(std::is_sorted(scores.rbegin(), scores.rend()));
  for (const Config& config : result.best) EXPECT_FALSE(exclude.count(config));
}

TEST(PpoSearchTest, SameSeedSameSearch) {
  const Space space = SyntheticSpace();
  const DistanceModel model;
  PpoSearch a(space, ShortEpisodes(), Rng(5)), b(space, ShortEpisodes(), Rng(5));
  Rng starts_a(6), starts_b(6);
  for (int episode = 0; episode < 2; ++episode) {
    const PpoSearch::Result ra = a.Search(model, RandomStarts(space, 8, starts_a), 4, {});
    const PpoSearch::Result rb = b.Search(model, RandomStarts(space, 8, starts_b), 4, {});
    EXPECT_EQ(ra.trajectory, rb.trajectory);
    EXPECT_EQ(ra.best, rb.best);
  }
}

TEST(PpoSearchTest, BadOptionsAreErrors) {
  const Space space = SyntheticSpace();
  PpoSearch::Options options;
  options.clip = 0;
  EXPECT_THROW(PpoSearch(space, options, Rng(1)), Error);
  options = {};
  options.stuck_share = 0;
  EXPECT_THROW(PpoSearch(space, options, Rng(1)), Error);
}

TEST(PpoSearchTest, OptionsParseFromKeyValuePairs) {
  const PpoSearch::Options options =
      PpoSearch::Options::Parse("clip=0.2,entropy=0.3,minibatch=32,hidden=20,temperature=0.1");
  EXPECT_DOUBLE_EQ(options.clip, 0.2);
  EXPECT_DOUBLE_EQ(options.entropy_coefficient, 0.3);
  EXPECT_EQ(options.minibatch, 32);
  EXPECT_EQ(options.hidden, 20);
  EXPECT_DOUBLE_EQ(options.temperature, 0.1);
  EXPECT_DOUBLE_EQ(options.learning_rate, 1e-3);  // untouched keys keep RELEASE's Table 2 values
  // ToString gives every key back in a form Parse reads.
  const PpoSearch::Options again = PpoSearch::Options::Parse(options.ToString());
  EXPECT_EQ(again.ToString(), options.ToString());
  EXPECT_EQ(PpoSearch::Options::Parse("").ToString(), PpoSearch::Options().ToString());

  EXPECT_THROW(PpoSearch::Options::Parse("clipp=0.2"), Error);
  EXPECT_THROW(PpoSearch::Options::Parse("clip"), Error);
  EXPECT_THROW(PpoSearch::Options::Parse("clip=abc"), Error);
  EXPECT_THROW(PpoSearch::Options::Parse("epochs=2.5"), Error);
  EXPECT_THROW(PpoSearch::Options::Parse("clip=-1"), Error);
}

}  // namespace
}  // namespace tessel
