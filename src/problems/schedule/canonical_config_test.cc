// Configurations that a template's Canonical() maps together must compile to the same code:
// checked on the lowered statements Halide hands to LLVM, and through the schedule problem,
// which measures only one of them.
#include <gtest/gtest.h>

#include <map>
#include <regex>
#include <sstream>
#include <string>

#include "problems/schedule/halide_kernel.h"
#include "problems/schedule/schedule_problem.h"

namespace tessel {
namespace {

// The lowered module of a configuration, with what differs between two compiles of the same
// code made equal: the suffixes that make Halide's names unique ("conv$14", "padded__1_s0",
// and in the names of parallel loops' functions "par_for_padded_134_s0_c__4"),
// its numbered temporaries (t1273) renumbered in order of appearance, and the names of split
// reduction loops (a split [n, 1] keeps the outer loop, ryo, where [1, n] keeps the inner
// one, ryi).
std::string LoweredCode(const OperatorTemplate& tmpl, const Config& config,
                        const OperatorData& data) {
  SetTimeBuildPhases(true);
  tmpl.Build(config, data);
  SetTimeBuildPhases(false);
  static const std::regex unique_suffix(R"(\$\d+|__\d+\b|__\d+(?=_)|_\d+(?=_s\d))");
  static const std::regex split_loop_name(R"(\.(r[xy]?)[io]\b)");
  static const std::regex temporary(R"(\bt\d+\b)");
  std::string text = std::regex_replace(LastBuildPhases().lowered_text, unique_suffix, "");
  text = std::regex_replace(text, split_loop_name, ".$1");
  std::map<std::string, std::string> renamed;
  std::ostringstream result;
  size_t copied = 0;
  for (std::sregex_iterator it(text.begin(), text.end(), temporary), end; it != end; ++it) {
    const size_t at = static_cast<size_t>(it->position());
    result << std::string_view(text).substr(copied, at - copied);
    const auto [entry, added] = renamed.emplace(it->str(), std::to_string(renamed.size()));
    result << 't' << entry->second;
    copied = at + static_cast<size_t>(it->length());
  }
  result << std::string_view(text).substr(copied);
  return result.str();
}

// Every configuration that differs from `config` only in the knobs Canonical() may change.
std::vector<Config> Variants(const Space& space, const Config& config,
                             const std::vector<std::string>& knobs) {
  std::vector<Config> variants = {config};
  for (const std::string& name : knobs) {
    const size_t knob = space.KnobIndex(name);
    std::vector<Config> more;
    for (const Config& variant : variants)
      for (size_t value = 0; value < space.knobs()[knob].values.size(); ++value) {
        Config changed = variant;
        changed[knob] = static_cast<int32_t>(value);
        if (space.IsValid(changed)) more.push_back(changed);
      }
    variants = std::move(more);
  }
  return variants;
}

void ExpectTwinsCompileAlike(const std::string& spec, const std::vector<std::string>& knobs,
                             const std::vector<std::string>& fixed, int samples) {
  const auto tmpl = MakeOperatorTemplate(ParseWorkloadSpec(spec));
  const Space& space = tmpl->space();
  Rng rng(11);
  const OperatorData data = tmpl->RandomData(rng);
  int twins = 0, distinct = 0;
  std::vector<Config> configs;
  for (const std::string& text : fixed) configs.push_back(space.FromText(text));
  for (int sample = 0; sample < samples; ++sample) configs.push_back(*space.SampleValid(rng));
  for (const Config& config : configs) {
    const Config canonical = tmpl->Canonical(config);
    ASSERT_TRUE(space.IsValid(canonical)) << space.ToText(config);
    EXPECT_EQ(tmpl->Canonical(canonical), canonical) << "not idempotent: " << space.ToText(config);
    const std::string expected = LoweredCode(*tmpl, canonical, data);
    for (const Config& variant : Variants(space, config, knobs)) {
      if (tmpl->Canonical(variant) != canonical) {
        ++distinct;
        continue;
      }
      ++twins;
      // Two compiles of one configuration have, once in many runs, printed differently (a
      // mismatch that did not recur), so a mismatch is looked at again: a real difference
      // between twins repeats.
      bool alike = LoweredCode(*tmpl, variant, data) == expected;
      if (!alike) alike = LoweredCode(*tmpl, variant, data) == LoweredCode(*tmpl, canonical, data);
      // Not EXPECT_EQ: the texts run to thousands of lines.
      EXPECT_TRUE(alike) << space.ToText(variant) << " and " << space.ToText(canonical)
                         << " compile to different code";
    }
  }
  // The check has something to check both ways.
  EXPECT_GT(twins, static_cast<int>(configs.size()));
  EXPECT_GT(distinct, 0);
}

TEST(CanonicalConfig, Conv2dTwinsCompileToTheSameCode) {
  ExpectTwinsCompileAlike(
      "conv2d:c=8,h=8,w=8,k=16,r=3,s=3,stride=1,pad=1",
      {"tile_ry", "tile_rx", "auto_unroll_max_step", "unroll_explicit"},
      {"tile_f=8x2x1;tile_y=2x2x2;tile_x=1x1x8;tile_rc=4x2;tile_ry=1x3;tile_rx=1x3;"
       "auto_unroll_max_step=512;unroll_explicit=0;vec=4;parallel=k_y_x;layout=nchw;"
       "winograd=0;wino_tile_k=1x16;wino_tile_t=1;wino_parallel_tiles=0;depthwise=0;"
       "dw_padding=exterior;dw_rows=1;dw_channels=1;pointwise=0;pw_rows=4;pw_cols=2;pw_tiles_p=1;"
       "pw_tiles_k=1;pw_pack=0;pw_block_c=0;pw_channel_vectors=0"},
      0);
}

// A configuration of one algorithm ignores the other's knobs: Winograd's the direct ones.
TEST(CanonicalConfig, Conv2dWinogradTwinsCompileToTheSameCode) {
  ExpectTwinsCompileAlike(
      "conv2d:c=8,h=8,w=8,k=16,r=3,s=3,stride=1,pad=1", {"winograd", "layout", "parallel"},
      {"tile_f=8x2x1;tile_y=2x2x2;tile_x=1x1x8;tile_rc=4x2;tile_ry=1x3;tile_rx=1x3;"
       "auto_unroll_max_step=512;unroll_explicit=0;vec=8;parallel=k_y_x;layout=nchw;"
       "winograd=2;wino_tile_k=2x8;wino_tile_t=4;wino_parallel_tiles=0;depthwise=0;"
       "dw_padding=exterior;dw_rows=1;dw_channels=1;pointwise=0;pw_rows=4;pw_cols=2;pw_tiles_p=1;"
       "pw_tiles_k=1;pw_pack=0;pw_block_c=0;pw_channel_vectors=0"},
      0);
}

// On a depthwise layer, the depthwise kernel ignores the direct knobs but vec, and direct
// convolution ignores the depthwise knobs.
TEST(CanonicalConfig, Conv2dDepthwiseTwinsCompileToTheSameCode) {
  const std::string direct =
      "tile_f=2x2x4;tile_y=2x1x4;tile_x=1x1x8;tile_rc=1x1;tile_ry=1x3;tile_rx=1x3;"
      "auto_unroll_max_step=0;unroll_explicit=0;vec=8;parallel=k_y;layout=nchw;"
      "winograd=0;wino_tile_k=1x16;wino_tile_t=1;wino_parallel_tiles=0;";
  const std::string pointwise =
      "pointwise=0;pw_rows=4;pw_cols=2;pw_tiles_p=1;pw_tiles_k=1;pw_pack=0;pw_block_c=0;pw_channel_"
      "vectors=0";
  ExpectTwinsCompileAlike(
      "conv2d:c=16,h=8,w=8,k=16,r=3,s=3,stride=1,pad=1,groups=16",
      {"depthwise", "layout", "tile_ry"},
      {direct + "depthwise=1;dw_padding=plane;dw_rows=2;dw_channels=4;" + pointwise}, 0);
  ExpectTwinsCompileAlike(
      "conv2d:c=16,h=8,w=8,k=16,r=3,s=3,stride=1,pad=1,groups=16", {"dw_padding", "depthwise"},
      {direct + "depthwise=0;dw_padding=rows;dw_rows=4;dw_channels=1;" + pointwise}, 0);
}

// On a pointwise layer, the pointwise kernel ignores the direct knobs but vec, and direct
// convolution ignores the pointwise knobs.
TEST(CanonicalConfig, Conv2dPointwiseTwinsCompileToTheSameCode) {
  const std::string direct =
      "tile_f=2x2x4;tile_y=2x1x4;tile_x=1x1x8;tile_rc=2x8;tile_ry=1x1;tile_rx=1x1;"
      "auto_unroll_max_step=0;unroll_explicit=0;vec=8;parallel=k_y;layout=nchw;"
      "winograd=0;wino_tile_k=1x16;wino_tile_t=1;wino_parallel_tiles=0;depthwise=0;"
      "dw_padding=exterior;dw_rows=1;dw_channels=1;";
  ExpectTwinsCompileAlike("conv2d:c=16,h=8,w=8,k=16,r=1,s=1,stride=1,pad=0",
                          {"pointwise", "layout", "tile_rc"},
                          {direct + "pointwise=1;pw_rows=4;pw_cols=2;pw_tiles_p=2;pw_tiles_k=2;"
                                    "pw_pack=1;pw_block_c=0;pw_channel_vectors=0"},
                          0);
  ExpectTwinsCompileAlike("conv2d:c=16,h=8,w=8,k=16,r=1,s=1,stride=1,pad=0",
                          {"pw_pack", "pointwise"},
                          {direct + "pointwise=0;pw_rows=2;pw_cols=1;pw_tiles_p=4;pw_tiles_k=1;"
                                    "pw_pack=0;pw_block_c=0;pw_channel_vectors=0"},
                          0);
}

TEST(CanonicalConfig, DenseTwinsCompileToTheSameCode) {
  ExpectTwinsCompileAlike("dense:in=48,out=32",
                          {"tile_i", "auto_unroll_max_step", "unroll_explicit"}, {}, 2);
}

TEST(CanonicalConfig, ScheduleProblemMeasuresOneOfTwins) {
  LocalMeasurerOptions options;
  options.min_repeat_ms = 1;
  options.warmup_ms = 1;
  ScheduleProblem problem(ParseWorkloadSpec("dense:in=64,out=32"), options, FeatureKind::kKnob);
  const Space& space = problem.space();
  const std::string base = "tile_o=2x1x16;tile_i=1x64;vec=16;parallel=o;layout=packed;";
  const Config a = space.FromText(base + "auto_unroll_max_step=0;unroll_explicit=0");
  const Config twin = space.FromText(base + "auto_unroll_max_step=512;unroll_explicit=0");
  const Config other = space.FromText(base + "auto_unroll_max_step=512;unroll_explicit=1");
  const std::vector<Evaluation> first = problem.Evaluate({a, twin, other});
  ASSERT_EQ(first.size(), 3u);
  ASSERT_TRUE(first[0].ok()) << first[0].error;
  ASSERT_TRUE(first[2].ok()) << first[2].error;
  // The twin's evaluation is the measured one's, repeats and all, and cost no compile.
  EXPECT_EQ(first[1].value, first[0].value);
  EXPECT_EQ(first[1].repeats, first[0].repeats);
  EXPECT_GT(first[0].compile_ms, 0);
  EXPECT_EQ(first[1].compile_ms, 0);
  // The other one unrolls its reduction: measured on its own.
  EXPECT_NE(first[2].repeats, first[0].repeats);
  // A twin proposed in a later batch is answered from the first measurement too.
  const Config late_twin = space.FromText(base + "auto_unroll_max_step=16;unroll_explicit=0");
  const std::vector<Evaluation> later = problem.Evaluate({late_twin});
  EXPECT_EQ(later[0].repeats, first[0].repeats);
  EXPECT_EQ(later[0].compile_ms, 0);
}

}  // namespace
}  // namespace tessel
