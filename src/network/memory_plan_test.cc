#include "network/memory_plan.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "network/passes.h"
#include "network/small_network_test_util.h"
#include "network/zoo_graphs.h"

namespace tessel {
namespace {

struct Region {
  int buffer;
  int64_t begin, end;  // elements
  bool Overlaps(const Region& other) const {
    return buffer == other.buffer && begin < other.end && other.begin < end;
  }
};

Region RegionOf(const Graph& graph, const MemoryPlan& plan, int node) {
  const MemoryPlan::Place& place = plan.places[node];
  return {place.buffer, place.offset, place.offset + ElementCount(graph.nodes[node].shape)};
}

// No tensor is overwritten while a later node still reads it: for every node, the tensors
// written from its own up to its last reader (the graph's output: the end) lie elsewhere, but
// for the concatenation its slice belongs to and the flatten that is its tensor.
void ExpectNoTensorIsOverwrittenWhileRead(const Graph& graph, const MemoryPlan& plan) {
  const int count = static_cast<int>(graph.nodes.size());
  std::vector<int> last_reader(count, -1);
  for (int i = 0; i < count; ++i) {
    for (int input : graph.nodes[i].inputs) last_reader[input] = std::max(last_reader[input], i);
    if (graph.nodes[i].residual >= 0) last_reader[graph.nodes[i].residual] = i;
  }
  last_reader[graph.output] = count;
  auto same_tensor = [&](int a, int b) {
    const Node& later = graph.nodes[b];
    const bool flatten_of_a = later.op == OpKind::kFlatten && later.inputs[0] == a;
    const Region slice = RegionOf(graph, plan, a), whole = RegionOf(graph, plan, b);
    const bool slice_of = later.op == OpKind::kConcat &&
                          std::count(later.inputs.begin(), later.inputs.end(), a) == 1 &&
                          slice.buffer == whole.buffer && slice.begin >= whole.begin &&
                          slice.end <= whole.end;
    return flatten_of_a || slice_of;
  };
  for (int a = 0; a < count; ++a) {
    ASSERT_GE(plan.places[a].buffer, 0) << graph.nodes[a].name;
    ASSERT_LE(RegionOf(graph, plan, a).end, plan.buffer_sizes[plan.places[a].buffer]);
    for (int b = a + 1; b < count && b <= last_reader[a]; ++b) {
      if (same_tensor(a, b)) continue;
      // b writes its tensor while a's is still to be read (by b itself, or later).
      EXPECT_FALSE(RegionOf(graph, plan, a).Overlaps(RegionOf(graph, plan, b)))
          << graph.name << ": " << graph.nodes[b].name << " overwrites " << graph.nodes[a].name;
    }
  }
}

TEST(MemoryPlanTest, NoTensorIsOverwrittenWhileItIsRead) {
  for (const TensorLayout layout : {TensorLayout::kNchw, TensorLayout::kNhwc}) {
    const Graph small = OptimizeForInference(SmallNetwork(3), layout);
    ExpectNoTensorIsOverwrittenWhileRead(small, PlanMemory(small));
    for (const char* model : {"resnet18", "squeezenet_v1.1", "mobilenet_v1"}) {
      const Graph graph = OptimizeForInference(ZooGraph(model, 1), layout);
      ExpectNoTensorIsOverwrittenWhileRead(graph, PlanMemory(graph));
    }
  }
}

// A chain of layers needs two buffers of its largest tensor and little more; a residual block
// keeps its shortcut's tensor alive across the block.
TEST(MemoryPlanTest, ChainsShareAFewBuffers) {
  const Graph mobilenet = OptimizeForInference(ZooGraph("mobilenet_v1", 1));
  const MemoryPlan plan = PlanMemory(mobilenet);
  int64_t largest = 0, every_tensor = 0;
  for (const Node& node : mobilenet.nodes) {
    largest = std::max(largest, ElementCount(node.shape));
    if (node.op != OpKind::kFlatten) every_tensor += ElementCount(node.shape);
  }
  EXPECT_LE(plan.buffer_sizes.size(), 3u);
  EXPECT_LE(plan.TotalElements(), 2 * largest + largest / 2);
  EXPECT_LT(plan.TotalElements(), every_tensor / 4);

  const Graph resnet = OptimizeForInference(ZooGraph("resnet18", 1));
  EXPECT_LE(PlanMemory(resnet).buffer_sizes.size(), 4u);
}

// The slices of an NCHW concatenation are its inputs' tensors.
TEST(MemoryPlanTest, ConcatenatedBranchesWriteIntoTheirSlices) {
  const Graph graph = OptimizeForInference(SmallNetwork(3));
  const MemoryPlan plan = PlanMemory(graph);
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    const Node& node = graph.nodes[i];
    if (node.op != OpKind::kConcat) continue;
    int64_t offset = plan.places[i].offset;
    for (int input : node.inputs) {
      EXPECT_EQ(plan.places[input].buffer, plan.places[i].buffer) << graph.nodes[input].name;
      EXPECT_EQ(plan.places[input].offset, offset) << graph.nodes[input].name;
      offset += ElementCount(graph.nodes[input].shape);
    }
  }
}

}  // namespace
}  // namespace tessel
