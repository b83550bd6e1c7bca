#include "problems/schedule/operator_template.h"

#include <gtest/gtest.h>

#include "problems/schedule/local_measurer.h"
#include "problems/schedule/zoo.h"

namespace tessel {
namespace {

// Builds the default and `samples` random configurations and checks each against the
// reference loops.
void ExpectConfigurationsCorrect(const std::string& spec, int samples, uint64_t seed) {
  const auto tmpl = MakeOperatorTemplate(ParseWorkloadSpec(spec));
  Rng rng(seed);
  const OperatorData data = tmpl->RandomData(rng);
  const std::vector<float> reference = tmpl->Reference(data);
  std::vector<Config> configs = {tmpl->DefaultConfig()};
  for (int i = 0; i < samples; ++i) configs.push_back(*tmpl->space().SampleValid(rng));
  for (const Config& config : configs) {
    SCOPED_TRACE(spec + " " + tmpl->space().ToText(config));
    ASSERT_TRUE(tmpl->space().IsValid(config));
    std::unique_ptr<Kernel> kernel;
    ASSERT_NO_THROW(kernel = tmpl->Build(config, data));
    kernel->Run();
    EXPECT_LE(RelativeError(kernel->Output(), reference), 1e-4);
  }
}

TEST(Conv2dTemplateTest, OddShapesStridesAndPadding) {
  // Prime and odd extents, so tiles, vectors and the padded border meet awkward sizes.
  ExpectConfigurationsCorrect("conv2d:c=3,h=11,w=13,k=12,r=3,s=3,stride=2,pad=1", 6, 1);
  ExpectConfigurationsCorrect("conv2d:c=5,h=9,w=9,k=16,r=5,s=3,stride=1,pad=2", 6, 2);
  ExpectConfigurationsCorrect("conv2d:c=16,h=7,w=7,k=32,r=1,s=1,stride=1,pad=0", 6, 3);
}

TEST(Conv2dTemplateTest, ChannelsThatNoVectorDivides) {
  // Computed rounded up to a multiple of 4 with zero weights; the tail tile is cut short.
  ExpectConfigurationsCorrect("conv2d:c=4,h=6,w=6,k=10,r=3,s=3,stride=1,pad=1", 6, 12);
  ExpectConfigurationsCorrect("conv2d:c=3,h=13,w=11,k=7,r=3,s=3,stride=2,pad=1", 6, 13);
  ExpectConfigurationsCorrect("conv2d:c=6,h=7,w=7,k=6,r=3,s=3,stride=1,pad=1,groups=6", 6, 14);
  ExpectConfigurationsCorrect("conv2d:c=5,h=5,w=5,k=1,r=1,s=1", 3, 15);
}

TEST(Conv2dTemplateTest, GroupsDepthwiseAndBatch) {
  ExpectConfigurationsCorrect("conv2d:c=16,h=10,w=10,k=16,r=3,s=3,stride=1,pad=1,groups=16", 6, 4);
  ExpectConfigurationsCorrect("conv2d:c=8,h=8,w=8,k=16,r=3,s=3,stride=2,pad=1,groups=2", 4, 5);
  ExpectConfigurationsCorrect("conv2d:n=2,c=4,h=6,w=6,k=8,r=3,s=3,stride=1,pad=1", 4, 6);
}

TEST(Conv2dTemplateTest, ResNetLayerSpaceIsLarge) {
  // The space of every ResNet-18 conv layer holds at least 10^5 configurations.
  for (const ZooLayer& layer : FindModel("resnet18").layers) {
    if (!std::holds_alternative<Conv2dShape>(layer.workload)) continue;
    const auto tmpl = MakeOperatorTemplate(layer.workload);
    EXPECT_GE(tmpl->space().CountValid(0, 20000).count, 1e5) << layer.name;
    EXPECT_TRUE(tmpl->space().IsValid(tmpl->DefaultConfig())) << layer.name;
  }
}

TEST(DenseTemplateTest, MatchesReference) {
  ExpectConfigurationsCorrect("dense:in=37,out=24", 6, 7);
  ExpectConfigurationsCorrect("dense:n=3,in=64,out=40", 6, 8);
}

TEST(DenseTemplateTest, OutputsThatNoVectorDivides) {
  // Computed rounded up to a multiple of 4 with zero weights; the tail tile is cut short.
  ExpectConfigurationsCorrect("dense:in=300,out=70", 6, 9);
  ExpectConfigurationsCorrect("dense:n=2,in=37,out=13", 6, 10);
  ExpectConfigurationsCorrect("dense:in=11,out=1", 3, 11);
}

TEST(TemplateTest, NamesAndVersionsIdentifyTemplates) {
  EXPECT_EQ(MakeOperatorTemplate(ParseWorkloadSpec("dense:in=4,out=4"))->name(), "dense_cpu");
  const auto conv = MakeOperatorTemplate(ParseWorkloadSpec("conv2d:c=1,h=3,w=3,k=4,r=1,s=1"));
  EXPECT_EQ(conv->name(), "conv2d_cpu");
  EXPECT_GE(conv->version(), 1);
}

}  // namespace
}  // namespace tessel
