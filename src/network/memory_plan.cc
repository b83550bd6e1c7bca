#include "network/memory_plan.h"

#include <algorithm>

namespace tessel {

int64_t MemoryPlan::TotalElements() const {
  int64_t total = 0;
  for (int64_t size : buffer_sizes) total += size;
  return total;
}

MemoryPlan PlanMemory(const Graph& graph) {
  const size_t count = graph.nodes.size();
  const std::vector<int> consumers = graph.ConsumerCounts();

  // Tensors that live inside another node's: a node read only by one NCHW concatenation (once)
  // writes into its slice, a flatten is its input. owner[i] is the node whose storage holds
  // node i's output, at offset[i].
  std::vector<int> owner(count);
  std::vector<int64_t> offset(count, 0);
  for (size_t i = 0; i < count; ++i) owner[i] = static_cast<int>(i);
  for (size_t i = 0; i < count; ++i) {
    const Node& node = graph.nodes[i];
    if (node.op == OpKind::kFlatten) {
      owner[i] = owner[node.inputs[0]];  // inputs come first, so theirs is final
      offset[i] = offset[node.inputs[0]];
      continue;
    }
    // (In NHWC a pixel's channels are concatenated: the slices interleave.)
    if (node.op != OpKind::kConcat || node.shape[0] != 1 || node.layout != TensorLayout::kNchw)
      continue;
    int64_t slice = 0;
    for (int input : node.inputs) {
      const Node& producer = graph.nodes[input];
      const bool writes_own_buffer = producer.op != OpKind::kInput &&
                                     producer.op != OpKind::kFlatten &&
                                     producer.op != OpKind::kConcat;
      if (writes_own_buffer && consumers[input] == 1 && owner[input] == input) {
        owner[input] = static_cast<int>(i);
        offset[input] = slice;
      }
      slice += ElementCount(producer.shape);
    }
  }

  // Each storage's lifetime: from the first node writing into it to the last one reading it.
  const int end_of_run = static_cast<int>(count);
  std::vector<int> first(count, end_of_run), last(count, -1);
  auto read = [&](int node, int reader) {
    last[owner[node]] = std::max(last[owner[node]], reader);
  };
  for (size_t i = 0; i < count; ++i) {
    const Node& node = graph.nodes[i];
    first[owner[i]] = std::min(first[owner[i]], static_cast<int>(i));
    last[owner[i]] = std::max(last[owner[i]], static_cast<int>(i));
    for (int input : node.inputs) read(input, static_cast<int>(i));
    if (node.residual >= 0) read(node.residual, static_cast<int>(i));
  }
  if (graph.output >= 0) read(graph.output, end_of_run);

  // Storages in order of their first writer; a buffer is free once its tenant's last reader ran.
  std::vector<int> storages;
  for (size_t i = 0; i < count; ++i)
    if (owner[i] == static_cast<int>(i) && graph.nodes[i].op != OpKind::kFlatten)
      storages.push_back(static_cast<int>(i));
  std::stable_sort(storages.begin(), storages.end(),
                   [&](int a, int b) { return first[a] < first[b]; });
  MemoryPlan plan;
  std::vector<int> free_after;  // per buffer: its tenant's last reader
  std::vector<int> buffer_of(count, -1);
  for (int storage : storages) {
    const int64_t size = ElementCount(graph.nodes[storage].shape);
    int chosen = -1, fitting = -1;
    for (size_t b = 0; b < free_after.size(); ++b) {
      if (free_after[b] >= first[storage]) continue;
      if (chosen < 0 || free_after[b] > free_after[chosen]) chosen = static_cast<int>(b);
      if (plan.buffer_sizes[b] >= size && (fitting < 0 || free_after[b] > free_after[fitting]))
        fitting = static_cast<int>(b);
    }
    if (fitting >= 0) chosen = fitting;
    if (chosen < 0) {
      chosen = static_cast<int>(plan.buffer_sizes.size());
      plan.buffer_sizes.push_back(0);
      free_after.push_back(-1);
    }
    plan.buffer_sizes[chosen] = std::max(plan.buffer_sizes[chosen], size);
    free_after[chosen] = last[storage];
    buffer_of[storage] = chosen;
  }
  plan.places.resize(count);
  for (size_t i = 0; i < count; ++i) plan.places[i] = {buffer_of[owner[i]], offset[i]};
  return plan;
}

}  // namespace tessel
