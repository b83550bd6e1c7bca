#include "network/passes.h"

#include <cmath>
#include <map>

namespace tessel {
namespace {

// The graph without the nodes that have a replacement: whatever read a dropped node reads
// its replacement (an earlier node) instead. `nodes` are the graph's nodes, edited.
Graph Rebuild(const Graph& graph, std::vector<Node> nodes, const std::vector<int>& replacement) {
  std::vector<int> new_index(nodes.size(), -1);
  auto resolve = [&](int node) {
    while (replacement[node] >= 0) node = replacement[node];
    return new_index[node];
  };
  Graph rebuilt;
  rebuilt.name = graph.name;
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (replacement[i] >= 0) continue;
    Node node = std::move(nodes[i]);
    for (int& input : node.inputs) input = resolve(input);
    if (node.residual >= 0) node.residual = resolve(node.residual);
    new_index[i] = static_cast<int>(rebuilt.nodes.size());
    rebuilt.nodes.push_back(std::move(node));
  }
  rebuilt.output = resolve(graph.output);
  return rebuilt;
}

bool HasEpilogue(const Node& node) { return node.residual >= 0 || node.relu; }

}  // namespace

Graph FoldBatchNorm(const Graph& graph) {
  std::vector<Node> nodes = graph.nodes;
  std::vector<int> replacement(nodes.size(), -1);
  const std::vector<int> consumers = graph.ConsumerCounts();
  for (size_t i = 0; i < nodes.size(); ++i) {
    const Node& norm = graph.nodes[i];
    if (norm.op != OpKind::kBatchNorm) continue;
    const int producer = norm.inputs[0];
    Node& conv = nodes[producer];
    if (conv.op != OpKind::kConv2d || consumers[producer] != 1 || HasEpilogue(conv)) continue;
    const int64_t channels = conv.conv.k;
    const size_t per_channel = conv.weights.size() / channels;
    if (conv.bias.empty()) conv.bias.assign(channels, 0.f);
    for (int64_t k = 0; k < channels; ++k) {
      const double gain = norm.scale[k] / std::sqrt(double(norm.var[k]) + norm.epsilon);
      for (size_t j = 0; j < per_channel; ++j) {
        float& w = conv.weights[k * per_channel + j];
        w = static_cast<float>(w * gain);
      }
      conv.bias[k] =
          static_cast<float>((double(conv.bias[k]) - norm.mean[k]) * gain + norm.shift[k]);
    }
    replacement[i] = producer;
  }
  return Rebuild(graph, std::move(nodes), replacement);
}

Graph FuseEpilogues(const Graph& graph) {
  std::vector<Node> nodes = graph.nodes;
  std::vector<int> replacement(nodes.size(), -1);
  const std::vector<int> consumers = graph.ConsumerCounts();
  // The node that now computes `node`'s output.
  auto target = [&](int node) {
    while (replacement[node] >= 0) node = replacement[node];
    return node;
  };
  for (size_t i = 0; i < nodes.size(); ++i) {
    const Node& node = graph.nodes[i];
    if (node.op == OpKind::kRelu) {
      const int input = node.inputs[0];
      if (consumers[input] != 1) continue;
      Node& producer = nodes[target(input)];
      const bool fusable = producer.op == OpKind::kConv2d || producer.op == OpKind::kDense ||
                           producer.op == OpKind::kAdd;
      if (!fusable || producer.relu) continue;
      producer.relu = true;
      replacement[i] = target(input);
    } else if (node.op == OpKind::kAdd && node.inputs[0] != node.inputs[1]) {
      // Into the later convolution operand, so that the other operand is ready when it runs.
      int chosen = -1, residual = -1;
      for (int side = 0; side < 2; ++side) {
        const int operand = node.inputs[side], other = target(node.inputs[1 - side]);
        if (consumers[operand] != 1) continue;
        const int conv = target(operand);
        if (nodes[conv].op != OpKind::kConv2d || HasEpilogue(nodes[conv]) || other >= conv)
          continue;
        if (conv > chosen) chosen = conv, residual = other;
      }
      if (chosen < 0) continue;
      nodes[chosen].residual = residual;
      replacement[i] = chosen;
    }
  }
  return Rebuild(graph, std::move(nodes), replacement);
}

namespace {

bool TakesLayout(OpKind op) {
  switch (op) {
    case OpKind::kConv2d:
    case OpKind::kBatchNorm:
    case OpKind::kRelu:
    case OpKind::kMaxPool:
    case OpKind::kAvgPool:
    case OpKind::kGlobalAvgPool:
    case OpKind::kAdd:
    case OpKind::kConcat:
      return true;
    case OpKind::kInput:
    case OpKind::kDense:
    case OpKind::kFlatten:
    case OpKind::kSoftmax:
    case OpKind::kLayoutTransform:
      return false;
  }
  return false;
}

// Whether the tensor's bytes are the same in every layout.
bool LayoutFree(const Shape& shape) {
  return shape.size() != 4 || shape[1] == 1 || shape[2] * shape[3] == 1;
}

}  // namespace

Graph ConvertLayout(const Graph& graph, TensorLayout layout) {
  if (layout == TensorLayout::kNchw) return graph;
  Graph converted;
  converted.name = graph.name;
  std::vector<int> index(graph.nodes.size(), -1);  // the nodes' positions in `converted`
  std::map<std::pair<int, TensorLayout>, int> transforms;
  // The position of original node `node`'s tensor stored in `wanted`.
  auto read = [&](int node, TensorLayout wanted) {
    const int source = index[node];
    const Node& producer = converted.nodes[source];
    if (producer.layout == wanted || LayoutFree(producer.shape)) return source;
    const auto [it, added] =
        transforms.emplace(std::pair(source, wanted), static_cast<int>(converted.nodes.size()));
    if (added) {
      Node transform;
      transform.op = OpKind::kLayoutTransform;
      transform.name = producer.name + ".to_" + std::string(TensorLayoutName(wanted));
      transform.inputs = {source};
      transform.shape = producer.shape;
      transform.layout = wanted;
      converted.nodes.push_back(std::move(transform));
    }
    return it->second;
  };
  for (size_t i = 0; i < graph.nodes.size(); ++i) {
    Node node = graph.nodes[i];
    if (TakesLayout(node.op)) node.layout = layout;
    if (node.op == OpKind::kConv2d) node.conv.layout = node.layout;
    const TensorLayout wanted = node.op == OpKind::kFlatten ? TensorLayout::kNchw : node.layout;
    for (int& input : node.inputs) input = read(input, wanted);
    if (node.residual >= 0) node.residual = read(node.residual, node.layout);
    index[i] = static_cast<int>(converted.nodes.size());
    converted.nodes.push_back(std::move(node));
  }
  converted.output = read(graph.output, TensorLayout::kNchw);
  return converted;
}

Graph OptimizeForInference(const Graph& graph, TensorLayout layout) {
  return ConvertLayout(FuseEpilogues(FoldBatchNorm(graph)), layout);
}

std::vector<GraphTask> ExtractTasks(const Graph& graph) {
  std::vector<GraphTask> tasks;
  std::map<std::string, size_t> index;
  for (const Node& node : graph.nodes) {
    Workload workload;
    if (node.op == OpKind::kConv2d) {
      workload = node.conv;
    } else if (node.op == OpKind::kDense) {
      workload = node.dense;
    } else {
      continue;
    }
    const auto [it, added] = index.emplace(WorkloadSpec(workload), tasks.size());
    if (added) tasks.push_back({workload, 0, {}});
    GraphTask& task = tasks[it->second];
    ++task.occurrences;
    task.nodes.push_back(node.name);
  }
  return tasks;
}

}  // namespace tessel
