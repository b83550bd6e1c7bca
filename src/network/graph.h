// A whole network: operations over fp32 tensors (NCHW activations, (N, F) after a flatten;
// shapes and coordinates are NCHW whatever layout a node's output is stored in),
// stored in an order where every node's inputs come before it, so that running the nodes in
// order runs the network. Nodes are added through GraphBuilder, which infers each output
// shape and rejects inputs whose shapes do not fit the operation.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "problems/schedule/workload.h"

namespace tessel {

enum class OpKind {
  kInput,
  kConv2d,
  kDense,
  kBatchNorm,
  kRelu,
  kMaxPool,
  kAvgPool,
  kGlobalAvgPool,
  kAdd,
  kConcat,
  kFlatten,
  kSoftmax,
  // Stores its input in the node's layout (ConvertLayout inserts it): the same tensor.
  kLayoutTransform,
};

std::string_view OpKindName(OpKind kind);

struct PoolAttrs {
  int64_t kernel = 1;
  int64_t stride = 1;
  int64_t pad = 0;
  bool ceil_mode = false;
  bool count_include_pad = false;  // average pooling: padding taps count in the divisor

  // PyTorch's and ONNX's output size: with ceil_mode a last window that would start in the
  // right padding is dropped.
  int64_t OutputSize(int64_t input) const;
};

using Shape = std::vector<int64_t>;

std::string ShapeText(const Shape& shape);  // "1x64x56x56"
int64_t ElementCount(const Shape& shape);

// The most elements a tensor may have (4 TiB of fp32, beyond any network Tessel runs), and so
// the largest size, kernel, stride or pad. GraphBuilder refuses more, so that no product of a
// graph's sizes overflows 64-bit integers, whatever a model file claims.
inline constexpr int64_t kMaxTensorElements = int64_t{1} << 40;

struct Node {
  OpKind op = OpKind::kInput;
  std::string name;
  std::vector<int> inputs;  // indices of earlier nodes
  Shape shape;              // the output's shape

  Conv2dShape conv;  // kConv2d
  DenseShape dense;  // kDense
  PoolAttrs pool;    // kMaxPool, kAvgPool
  // kConv2d: OIHW weights (k, c / groups, r, s); kDense: (out, in) row-major.
  std::vector<float> weights;
  std::vector<float> bias;  // per output channel or feature; empty: none
  // kBatchNorm: per channel y = (x - mean) / sqrt(var + epsilon) * scale + shift.
  std::vector<float> scale, shift, mean, var;
  float epsilon = 1e-5f;

  // Epilogues folded in by FuseEpilogues: the output plus node `residual` (kConv2d: -1 none),
  // then ReLU (kConv2d, kDense, kAdd).
  int residual = -1;
  bool relu = false;

  // How the output is stored when it is an activation (4 dimensions): NCHW unless
  // ConvertLayout chose otherwise. A kConv2d's conv.layout is the same.
  TensorLayout layout = TensorLayout::kNchw;
};

struct Graph {
  std::string name;
  std::vector<Node> nodes;
  int output = -1;  // the node whose tensor is the network's result

  const Node& input() const { return nodes.front(); }
  // How many times each node's output is read: as an input, as a residual, and once more
  // for the network's output.
  std::vector<int> ConsumerCounts() const;
};

// Builds a Graph node by node. Every method checks its inputs' shapes and throws
// tessel::Error naming the node and the mismatch; weights must have the sizes the
// operation needs.
class GraphBuilder {
 public:
  GraphBuilder(std::string name, const Shape& input_shape);

  int Conv2d(std::string name, int input, int64_t out_channels, int64_t kernel, int64_t stride,
             int64_t pad, int64_t groups, std::vector<float> weights, std::vector<float> bias);
  int Dense(std::string name, int input, int64_t out_features, std::vector<float> weights,
            std::vector<float> bias);
  int BatchNorm(std::string name, int input, std::vector<float> scale, std::vector<float> shift,
                std::vector<float> mean, std::vector<float> var, float epsilon);
  int Relu(std::string name, int input);
  int MaxPool(std::string name, int input, const PoolAttrs& attrs);
  int AvgPool(std::string name, int input, const PoolAttrs& attrs);
  int GlobalAvgPool(std::string name, int input);
  int Add(std::string name, int a, int b);
  int Concat(std::string name, const std::vector<int>& inputs);  // along channels
  int Flatten(std::string name, int input);
  int Softmax(std::string name, int input);

  // The graph with `output` as its result.
  Graph Finish(int output) &&;

  const Shape& shape(int node) const;

 private:
  int Append(Node node);
  const Node& At(int node, const std::string& reader) const;

  Graph graph_;
};

}  // namespace tessel
