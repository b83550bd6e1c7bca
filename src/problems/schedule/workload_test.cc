#include "problems/schedule/workload.h"

#include <gtest/gtest.h>

#include <set>

#include "core/error.h"
#include "problems/schedule/zoo.h"

namespace tessel {
namespace {

TEST(WorkloadTest, ConvFlopsAreExact) {
  const Workload r18_2 = ParseWorkloadSpec("conv2d:c=64,h=56,w=56,k=64,r=3,s=3,stride=1,pad=1");
  EXPECT_DOUBLE_EQ(Flops(r18_2), 2.0 * 64 * 56 * 56 * 64 * 9);  // 231,211,008
  const Conv2dShape conv = std::get<Conv2dShape>(
      ParseWorkloadSpec("conv2d:c=3,h=224,w=224,k=64,r=7,s=7,stride=2,pad=3"));
  EXPECT_EQ(conv.out_h(), 112);
  EXPECT_DOUBLE_EQ(Flops(conv), 2.0 * 64 * 112 * 112 * 3 * 49);
  // Depthwise: one input channel per output channel.
  const Workload depthwise =
      ParseWorkloadSpec("conv2d:c=32,h=112,w=112,k=32,r=3,s=3,stride=1,pad=1,groups=32");
  EXPECT_DOUBLE_EQ(Flops(depthwise), 2.0 * 32 * 112 * 112 * 9);
  EXPECT_DOUBLE_EQ(Flops(ParseWorkloadSpec("dense:in=512,out=1000,n=4")), 2.0 * 4 * 512 * 1000);
}

TEST(WorkloadTest, SpecRoundTrips) {
  for (const char* spec : {"conv2d:c=64,h=56,w=56,k=64,r=3,s=3,stride=1,pad=1",
                           "conv2d:n=2,c=8,h=9,w=7,k=4,r=3,s=1,stride=2,pad=0,groups=2",
                           "conv2d:c=32,h=14,w=14,k=64,r=1,s=1,stride=1,pad=0,layout=nhwc",
                           "dense:in=512,out=1000", "dense:n=3,in=5,out=7"}) {
    EXPECT_EQ(WorkloadSpec(ParseWorkloadSpec(spec)), spec);
  }
  // Defaults: batch 1, stride 1, no padding, one group.
  EXPECT_EQ(WorkloadSpec(ParseWorkloadSpec("conv2d:c=1,h=4,w=4,k=1,r=3,s=3")),
            "conv2d:c=1,h=4,w=4,k=1,r=3,s=3,stride=1,pad=0");
  // NCHW is the default layout and is left out of the spec, so NHWC is another task.
  const Workload nchw = ParseWorkloadSpec("conv2d:c=1,h=4,w=4,k=1,r=3,s=3,layout=nchw");
  EXPECT_EQ(WorkloadSpec(nchw), "conv2d:c=1,h=4,w=4,k=1,r=3,s=3,stride=1,pad=0");
  EXPECT_NE(ParseWorkloadSpec("conv2d:c=1,h=4,w=4,k=1,r=3,s=3,layout=nhwc"), nchw);
}

TEST(WorkloadTest, MalformedSpecsAreErrors) {
  for (const char* spec :
       {"conv3d:c=1", "conv2d", "conv2d:c=64,h=56", "conv2d:c=64,h=56,w=56,k=64,r=3,s=3,x=1",
        "conv2d:c=6,h=5,w=5,k=4,r=3,s=3,groups=4", "conv2d:c=1,h=2,w=2,k=1,r=3,s=3",
        "conv2d:c=0,h=5,w=5,k=1,r=1,s=1", "dense:in=5", "dense:in=five,out=2",
        "dense:in=5,out=2,in=3", "dense:in=-1,out=2", "dense:in=1,,out=2",
        "conv2d:c=1,h=4,w=4,k=1,r=3,s=3,layout=nc",
        "conv2d:c=1,h=4,w=4,k=1,r=1,s=1,layout=nhwc,layout=nhwc", "dense:in=5,out=2,layout=nhwc"}) {
    EXPECT_THROW(ParseWorkloadSpec(spec), Error) << spec;
  }
}

TEST(WorkloadTest, TensorsTooLargeAreRefusedBeforeAnythingIsAllocated) {
  // 100000 x 10000 x 10000 floats: 4e13 bytes (36 TiB) of input.
  try {
    ParseWorkloadSpec("conv2d:c=100000,h=10000,w=10000,k=100000,r=3,s=3");
    ADD_FAILURE() << "accepted";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("its input is"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("2 GiB"), std::string::npos) << error.what();
  }
  EXPECT_THROW(ParseWorkloadSpec("dense:in=100000,out=100000"), Error);  // 37 GiB of weights
  // Within Halide's limit, but not within a small machine's memory.
  const Workload big = ParseWorkloadSpec("dense:in=16384,out=16384");  // 1 GiB of weights
  EXPECT_THROW(CheckWorkloadFits(big, uint64_t{1} << 30), Error);
  EXPECT_NO_THROW(CheckWorkloadFits(big, uint64_t{16} << 30));
}

TEST(ZooTest, HasTheBenchmarkNetworks) {
  EXPECT_EQ(FindModel("resnet18").layers.size(), 12u);
  EXPECT_EQ(FindModel("alexnet").layers.size(), 8u);  // 5 convolutions, 3 dense
  EXPECT_EQ(FindModel("vgg16").layers.size(), 12u);   // 9 convolutions, 3 dense
  EXPECT_EQ(FindModel("mobilenet_v1").layers.size(), 20u);
  EXPECT_EQ(FindModel("squeezenet_v1.1").layers.size(), 18u);
  EXPECT_EQ(WorkloadSpec(FindLayer(FindModel("resnet18"), "r18.11").workload),
            "conv2d:c=512,h=7,w=7,k=512,r=3,s=3,stride=1,pad=1");
  EXPECT_EQ(WorkloadSpec(FindLayer(FindModel("resnet18"), "12").workload), "dense:in=512,out=1000");
  EXPECT_THROW(FindModel("resnet19"), Error);
  EXPECT_THROW(FindLayer(FindModel("alexnet"), "9"), Error);
  // Any model's layer by its full name, as `tessel zoo` lists them.
  EXPECT_EQ(&FindZooLayer("mb1.13"), &FindLayer(FindModel("mobilenet_v1"), "13"));
  EXPECT_THROW(FindZooLayer("13"), Error);
  EXPECT_THROW(FindZooLayer("r18.13"), Error);
}

TEST(ZooTest, TasksAreUniqueWithinEachModel) {
  for (const ZooModel& model : Zoo()) {
    std::set<std::string> specs;
    for (const ZooLayer& layer : model.layers) {
      EXPECT_TRUE(specs.insert(WorkloadSpec(layer.workload)).second)
          << model.name << " repeats " << layer.name;
      EXPECT_GT(layer.occurrences, 0);
    }
  }
  // ResNet-18's conv layers total 1.8 GFLOP per inference (the well-known figure).
  double total = 0;
  for (const ZooLayer& layer : FindModel("resnet18").layers)
    if (std::holds_alternative<Conv2dShape>(layer.workload))
      total += Flops(layer.workload) * layer.occurrences;
  EXPECT_NEAR(total / 1e9, 3.6, 0.05);  // 1.8 G multiply-adds
}

}  // namespace
}  // namespace tessel
