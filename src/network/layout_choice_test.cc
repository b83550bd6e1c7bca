#include "network/layout_choice.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "network/passes.h"
#include "network/small_network_test_util.h"

namespace tessel {
namespace {

std::optional<Config> DefaultSchedules(const OperatorTemplate&) { return std::nullopt; }

// The small network's input, through convolutions a hundred times its work: a candidate that
// is clearly slower whatever the machine's noise.
Graph HeavyNetwork() {
  Rng rng(3);
  GraphBuilder b("heavy", {1, 4, 12, 12});
  int x = b.Conv2d("widen", 0, 128, 3, 1, 1, 1, RandomValues(rng, 128 * 4 * 9, 0.3), {});
  for (int i = 0; i < 2; ++i)
    x = b.Conv2d("conv" + std::to_string(i), x, 128, 3, 1, 1, 1,
                 RandomValues(rng, 128 * 128 * 9, 0.03), {});
  return std::move(b).Finish(b.Flatten("flat", b.GlobalAvgPool("gap", x)));
}

TEST(LayoutChoiceTest, TimesEveryCandidateAlikeAndChoosesTheFastest) {
  NetworkExecutor heavy(OptimizeForInference(HeavyNetwork(), TensorLayout::kNchw),
                        DefaultSchedules);
  NetworkExecutor small(OptimizeForInference(SmallNetwork(5), TensorLayout::kNhwc),
                        DefaultSchedules);
  Rng rng(6);
  const std::vector<float> input = RandomValues(rng, 4 * 12 * 12);
  const LayoutChoice choice = ChooseFastestLayout(
      {&heavy, &small}, {TensorLayout::kNchw, TensorLayout::kNhwc}, input, 4, 0, 20);
  ASSERT_EQ(choice.timings.size(), 2u);
  EXPECT_EQ(choice.timings[0].layout, TensorLayout::kNchw);
  EXPECT_EQ(choice.timings[1].layout, TensorLayout::kNhwc);
  for (const LayoutTiming& timing : choice.timings) {
    EXPECT_EQ(timing.ms.size(), 4u);  // min_total_ms 0: the minimum rounds
    EXPECT_GT(timing.median_ms, 0);
  }
  EXPECT_EQ(choice.chosen, 1u);
  EXPECT_GT(choice.timings[0].median_ms, choice.timings[1].median_ms);

  // More rounds until they have lasted min_total_ms, but never more than max_rounds.
  const LayoutChoice longer = ChooseFastestLayout(
      {&small, &heavy}, {TensorLayout::kNhwc, TensorLayout::kNchw}, input, 2, 1e9, 7);
  EXPECT_EQ(longer.timings[0].ms.size(), 7u);
  EXPECT_EQ(longer.timings[1].ms.size(), 7u);
  EXPECT_EQ(longer.chosen, 0u);
}

TEST(LayoutChoiceTest, RefusesMismatchedCandidatesAndRounds) {
  NetworkExecutor small(OptimizeForInference(SmallNetwork(5)), DefaultSchedules);
  const std::vector<float> input(4 * 12 * 12, 0.5f);
  EXPECT_THROW(ChooseFastestLayout({}, {}, input), Error);
  EXPECT_THROW(ChooseFastestLayout({&small}, {TensorLayout::kNchw, TensorLayout::kNhwc}, input),
               Error);
  EXPECT_THROW(ChooseFastestLayout({&small}, {TensorLayout::kNchw}, input, 0), Error);
  EXPECT_THROW(ChooseFastestLayout({&small}, {TensorLayout::kNchw}, input, 5, 0, 4), Error);
}

}  // namespace
}  // namespace tessel
