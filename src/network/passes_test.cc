#include "network/passes.h"

#include <gtest/gtest.h>

#include <map>

#include "core/rng.h"
#include "network/reference_executor.h"
#include "network/small_network_test_util.h"
#include "network/zoo_graphs.h"
#include "problems/schedule/local_measurer.h"
#include "problems/schedule/zoo.h"

namespace tessel {
namespace {

std::map<std::string, const Node*> ByName(const Graph& graph) {
  std::map<std::string, const Node*> nodes;
  for (const Node& node : graph.nodes) nodes[node.name] = &node;
  return nodes;
}

TEST(PassesTest, FoldingAndFusionKeepTheNetworksResult) {
  const Graph graph = SmallNetwork(3);
  Rng rng(4);
  const std::vector<float> input = RandomValues(rng, 4 * 12 * 12);
  const std::vector<float> expected = RunReference(graph, input);
  const Graph folded = FoldBatchNorm(graph);
  const Graph fused = OptimizeForInference(graph);
  EXPECT_LE(RelativeError(RunReference(folded, input), expected), 1e-5);
  EXPECT_LE(RelativeError(RunReference(fused, input), expected), 1e-5);

  // Every batch norm and every relu after a kernel is gone; the add after a relu-less
  // concatenation stays, with its relu fused.
  for (const Node& node : folded.nodes) EXPECT_NE(node.op, OpKind::kBatchNorm) << node.name;
  const auto nodes = ByName(fused);
  for (const char* name : {"stem", "block.conv1", "fire.squeeze", "fire.e1", "fire.e3", "fc1"}) {
    ASSERT_TRUE(nodes.count(name)) << name;
    EXPECT_TRUE(nodes.at(name)->relu) << name;
    EXPECT_EQ(nodes.at(name)->residual, -1) << name;
  }
  // The shortcut convolution runs after conv2, so the add goes into it, reading conv2.
  const Node& down = *nodes.at("block.down");
  ASSERT_GE(down.residual, 0);
  EXPECT_EQ(fused.nodes[down.residual].name, "block.conv2");
  EXPECT_TRUE(down.relu);
  EXPECT_FALSE(nodes.at("fc2")->relu);
  ASSERT_TRUE(nodes.count("sum"));
  EXPECT_TRUE(nodes.at("sum")->relu);
  for (const Node& node : fused.nodes) EXPECT_NE(node.op, OpKind::kRelu) << node.name;
  // The input, 9 kernels, the concatenation, the add, the pool and the flatten.
  EXPECT_EQ(fused.nodes.size(), 14u);
}

TEST(PassesTest, AKernelWhoseOutputIsReadTwiceKeepsItsOwnOutput) {
  // conv -> relu and conv -> pool: fusing the relu would change what the pool reads.
  GraphBuilder b("net", {1, 2, 4, 4});
  const int conv = b.Conv2d("conv", 0, 2, 1, 1, 0, 1, {1, -1, -1, 1}, {});
  const int relu = b.Relu("relu", conv);
  const Graph graph = std::move(b).Finish(b.Add("sum", relu, b.AvgPool("pool", conv, {})));
  const Graph fused = FuseEpilogues(graph);
  EXPECT_EQ(fused.nodes.size(), graph.nodes.size());
}

TEST(PassesTest, ZooGraphsHaveTheZoosTasks) {
  // The graphs' convolutions and dense layers are the zoo's tasks with their occurrence
  // counts.
  for (const ZooModel& model : Zoo()) {
    SCOPED_TRACE(model.name);
    const Graph graph = OptimizeForInference(ZooGraph(model.name, 1));
    std::map<std::string, int> tasks;
    for (const GraphTask& task : ExtractTasks(graph))
      tasks[WorkloadSpec(task.workload)] = task.occurrences;
    for (const ZooLayer& layer : model.layers) {
      EXPECT_EQ(tasks[WorkloadSpec(layer.workload)], layer.occurrences) << layer.name;
      tasks.erase(WorkloadSpec(layer.workload));
    }
    EXPECT_TRUE(tasks.empty()) << tasks.begin()->first;
    for (const Node& node : graph.nodes) {
      EXPECT_NE(node.op, OpKind::kBatchNorm) << node.name;
      EXPECT_NE(node.op, OpKind::kRelu) << node.name;
    }
    EXPECT_EQ(graph.nodes[graph.output].shape, (Shape{1, 1000}));
  }
}

TEST(PassesTest, ResNetBlocksBecomeConvolutionsWithResiduals) {
  const Graph graph = OptimizeForInference(ZooGraph("resnet18", 1));
  int residual_convs = 0;
  for (const Node& node : graph.nodes) {
    if (node.op == OpKind::kAdd) ADD_FAILURE() << "unfused add " << node.name;
    if (node.op == OpKind::kConv2d && node.residual >= 0) {
      ++residual_convs;
      EXPECT_TRUE(node.relu) << node.name;
    }
  }
  EXPECT_EQ(residual_convs, 8);  // one per basic block
}

// Channels-last networks convert only where NCHW is needed: the input, a flatten of more than
// one pixel and the network's output; their tasks are the NCHW ones in NHWC.
TEST(PassesTest, ChannelsLastGraphsConvertOnlyAtTheirEdges) {
  const std::map<std::string, std::vector<std::string>> transforms = {
      {"mobilenet_v1", {"input.to_nhwc"}},
      {"resnet18", {"input.to_nhwc"}},
      {"squeezenet_v1.1", {"input.to_nhwc"}},
      {"vgg16", {"input.to_nhwc", "features.30.to_nchw"}},
  };
  for (const auto& [name, expected] : transforms) {
    SCOPED_TRACE(name);
    const Graph nchw = OptimizeForInference(ZooGraph(name, 1));
    const Graph nhwc = OptimizeForInference(ZooGraph(name, 1), TensorLayout::kNhwc);
    std::vector<std::string> found;
    for (const Node& node : nhwc.nodes) {
      if (node.op == OpKind::kLayoutTransform) {
        found.push_back(node.name);
        EXPECT_EQ(node.shape, nhwc.nodes[node.inputs[0]].shape);
        EXPECT_NE(node.layout, nhwc.nodes[node.inputs[0]].layout);
      } else if (node.op == OpKind::kConv2d) {
        EXPECT_EQ(node.conv.layout, TensorLayout::kNhwc) << node.name;
        EXPECT_EQ(node.layout, TensorLayout::kNhwc) << node.name;
        if (node.residual >= 0) {
          EXPECT_EQ(nhwc.nodes[node.residual].layout, TensorLayout::kNhwc);
        }
      }
    }
    EXPECT_EQ(found, expected);
    EXPECT_EQ(nhwc.nodes.size(), nchw.nodes.size() + expected.size());
    const std::vector<GraphTask> nchw_tasks = ExtractTasks(nchw), nhwc_tasks = ExtractTasks(nhwc);
    ASSERT_EQ(nhwc_tasks.size(), nchw_tasks.size());
    for (size_t i = 0; i < nhwc_tasks.size(); ++i) {
      Workload workload = nhwc_tasks[i].workload;
      if (auto* conv = std::get_if<Conv2dShape>(&workload)) {
        EXPECT_EQ(conv->layout, TensorLayout::kNhwc);
        conv->layout = TensorLayout::kNchw;
      }
      EXPECT_EQ(workload, nchw_tasks[i].workload);
      EXPECT_EQ(nhwc_tasks[i].occurrences, nchw_tasks[i].occurrences);
    }
  }
  // NCHW leaves the graph as it is.
  EXPECT_EQ(ConvertLayout(SmallNetwork(1), TensorLayout::kNchw).nodes.size(),
            SmallNetwork(1).nodes.size());
}

// A tensor read in NCHW by two readers is converted once; a 4-D output is stored back in NCHW.
TEST(PassesTest, EachTensorIsConvertedOncePerLayout) {
  Rng rng(2);
  GraphBuilder b("two_readers", {1, 4, 6, 6});
  const int conv = b.Conv2d("conv", 0, 8, 3, 1, 1, 1, RandomValues(rng, 8 * 4 * 9), {});
  const int first = b.Flatten("flat1", conv);
  const int second = b.Flatten("flat2", conv);
  const Graph graph = std::move(b).Finish(b.Add("sum", b.Relu("relu", first), second));
  const Graph nhwc = ConvertLayout(graph, TensorLayout::kNhwc);
  int transforms = 0;
  for (const Node& node : nhwc.nodes) transforms += node.op == OpKind::kLayoutTransform;
  EXPECT_EQ(transforms, 2);  // the input to NHWC, the convolution back to NCHW
  const auto nodes = ByName(nhwc);
  EXPECT_EQ(nhwc.nodes[nodes.at("flat1")->inputs[0]].name, "conv.to_nchw");
  EXPECT_EQ(nodes.at("flat2")->inputs[0], nodes.at("flat1")->inputs[0]);

  GraphBuilder c("pool_out", {1, 4, 6, 6});
  const Graph pooled =
      ConvertLayout(std::move(c).Finish(c.MaxPool("max", 0, {})), TensorLayout::kNhwc);
  EXPECT_EQ(pooled.nodes[pooled.output].op, OpKind::kLayoutTransform);
  EXPECT_EQ(pooled.nodes[pooled.output].layout, TensorLayout::kNchw);
}

}  // namespace
}  // namespace tessel
