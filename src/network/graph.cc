#include "network/graph.h"

#include <initializer_list>

#include "core/error.h"

namespace tessel {

std::string_view OpKindName(OpKind kind) {
  switch (kind) {
    case OpKind::kInput:
      return "input";
    case OpKind::kConv2d:
      return "conv2d";
    case OpKind::kDense:
      return "dense";
    case OpKind::kBatchNorm:
      return "batch_norm";
    case OpKind::kRelu:
      return "relu";
    case OpKind::kMaxPool:
      return "max_pool";
    case OpKind::kAvgPool:
      return "avg_pool";
    case OpKind::kGlobalAvgPool:
      return "global_avg_pool";
    case OpKind::kAdd:
      return "add";
    case OpKind::kConcat:
      return "concat";
    case OpKind::kFlatten:
      return "flatten";
    case OpKind::kSoftmax:
      return "softmax";
    case OpKind::kLayoutTransform:
      return "layout_transform";
  }
  TESSEL_CHECK(false) << "unnamed op kind";
  return {};
}

int64_t PoolAttrs::OutputSize(int64_t input) const {
  const int64_t span = input + 2 * pad - kernel;
  if (!ceil_mode) return span / stride + 1;
  int64_t size = (span + stride - 1) / stride + 1;
  if ((size - 1) * stride >= input + pad) --size;
  return size;
}

std::string ShapeText(const Shape& shape) {
  std::string text;
  for (int64_t d : shape) {
    if (!text.empty()) text += 'x';
    text += std::to_string(d);
  }
  return text;
}

int64_t ElementCount(const Shape& shape) {
  int64_t count = 1;
  for (int64_t d : shape) count *= d;
  return count;
}

std::vector<int> Graph::ConsumerCounts() const {
  std::vector<int> counts(nodes.size(), 0);
  for (const Node& node : nodes) {
    for (int input : node.inputs) ++counts[input];
    if (node.residual >= 0) ++counts[node.residual];
  }
  if (output >= 0) ++counts[output];
  return counts;
}

GraphBuilder::GraphBuilder(std::string name, const Shape& input_shape) {
  graph_.name = std::move(name);
  int64_t count = 1;
  for (int64_t d : input_shape) {
    if (d < 1)
      throw ConfigError("the input shape " + ShapeText(input_shape) + " has an empty dimension");
    if (d > kMaxTensorElements / count)
      throw ConfigError("the input shape " + ShapeText(input_shape) +
                        " has more than 2^40 elements");
    count *= d;
  }
  Node input;
  input.op = OpKind::kInput;
  input.name = "input";
  input.shape = input_shape;
  graph_.nodes.push_back(std::move(input));
}

const Shape& GraphBuilder::shape(int node) const { return graph_.nodes.at(node).shape; }

namespace {

Error ShapeError(const std::string& node, const std::string& what) {
  return ConfigError("node '" + node + "': " + what);
}

// Every output is checked, so the sizes the next node computes with stay far from overflow.
void RequireFits(const std::string& node, const Shape& shape) {
  int64_t count = 1;
  for (int64_t d : shape) {
    if (d < 1) throw ShapeError(node, "the output " + ShapeText(shape) + " is empty");
    if (d > kMaxTensorElements / count)
      throw ShapeError(node, "the output " + ShapeText(shape) + " has more than 2^40 elements");
    count *= d;
  }
}

// The product of sizes (each >= 0), or kMaxTensorElements + 1 when it exceeds that: a count no
// buffer can match.
int64_t CappedProduct(std::initializer_list<int64_t> factors) {
  for (int64_t factor : factors)
    if (factor == 0) return 0;
  int64_t product = 1;
  for (int64_t factor : factors) {
    if (factor > kMaxTensorElements / product) return kMaxTensorElements + 1;
    product *= factor;
  }
  return product;
}

}  // namespace

const Node& GraphBuilder::At(int node, const std::string& reader) const {
  TESSEL_CHECK(node >= 0 && node < static_cast<int>(graph_.nodes.size()))
      << "node " << reader << " reads node " << node << ", which does not exist yet";
  return graph_.nodes[node];
}

int GraphBuilder::Append(Node node) {
  RequireFits(node.name, node.shape);
  graph_.nodes.push_back(std::move(node));
  return static_cast<int>(graph_.nodes.size()) - 1;
}

namespace {

void RequireRank(const std::string& node, const Shape& shape, size_t rank, const char* op) {
  if (shape.size() != rank)
    throw ShapeError(node, std::string(op) + " needs a " + std::to_string(rank) + "-d input, got " +
                               ShapeText(shape));
}

void RequireSize(const std::string& node, const char* what, size_t got, int64_t want) {
  if (static_cast<int64_t>(got) != want)
    throw ShapeError(node, std::string(what) + " has " + std::to_string(got) + " values, " +
                               std::to_string(want) + " expected");
}

}  // namespace

int GraphBuilder::Conv2d(std::string name, int input, int64_t out_channels, int64_t kernel,
                         int64_t stride, int64_t pad, int64_t groups, std::vector<float> weights,
                         std::vector<float> bias) {
  const Shape& in = At(input, name).shape;
  RequireRank(name, in, 4, "conv2d");
  Conv2dShape conv;
  conv.n = in[0];
  conv.c = in[1];
  conv.h = in[2];
  conv.w = in[3];
  conv.k = out_channels;
  conv.r = conv.s = kernel;
  conv.stride = stride;
  conv.pad = pad;
  conv.groups = groups;
  if (out_channels < 1 || kernel < 1 || stride < 1 || pad < 0 || groups < 1)
    throw ShapeError(name, "conv2d needs positive channels, kernel, stride and groups");
  if (kernel > kMaxTensorElements || stride > kMaxTensorElements || pad > kMaxTensorElements)
    throw ShapeError(name, "conv2d kernel, stride or pad over 2^40");
  if (conv.c % groups || out_channels % groups)
    throw ShapeError(name, "conv2d with " + std::to_string(groups) + " groups on " +
                               std::to_string(conv.c) + " input and " +
                               std::to_string(out_channels) + " output channels");
  if (kernel > conv.h + 2 * pad || kernel > conv.w + 2 * pad)
    throw ShapeError(name, "conv2d kernel " + std::to_string(kernel) +
                               " larger than its padded input " + ShapeText(in));
  RequireSize(name, "the weight tensor", weights.size(),
              CappedProduct({out_channels, conv.channels_per_group(), kernel, kernel}));
  if (!bias.empty()) RequireSize(name, "the bias", bias.size(), out_channels);
  Node node;
  node.op = OpKind::kConv2d;
  node.name = std::move(name);
  node.inputs = {input};
  node.conv = conv;
  node.shape = {conv.n, conv.k, conv.out_h(), conv.out_w()};
  node.weights = std::move(weights);
  node.bias = std::move(bias);
  return Append(std::move(node));
}

int GraphBuilder::Dense(std::string name, int input, int64_t out_features,
                        std::vector<float> weights, std::vector<float> bias) {
  const Shape& in = At(input, name).shape;
  RequireRank(name, in, 2, "dense");
  if (out_features < 1) throw ShapeError(name, "dense needs at least one output feature");
  RequireSize(name, "the weight matrix", weights.size(), CappedProduct({out_features, in[1]}));
  if (!bias.empty()) RequireSize(name, "the bias", bias.size(), out_features);
  Node node;
  node.op = OpKind::kDense;
  node.name = std::move(name);
  node.inputs = {input};
  node.dense.n = in[0];
  node.dense.in = in[1];
  node.dense.out = out_features;
  node.shape = {in[0], out_features};
  node.weights = std::move(weights);
  node.bias = std::move(bias);
  return Append(std::move(node));
}

int GraphBuilder::BatchNorm(std::string name, int input, std::vector<float> scale,
                            std::vector<float> shift, std::vector<float> mean,
                            std::vector<float> var, float epsilon) {
  const Shape& in = At(input, name).shape;
  RequireRank(name, in, 4, "batch_norm");
  RequireSize(name, "the scale", scale.size(), in[1]);
  RequireSize(name, "the shift", shift.size(), in[1]);
  RequireSize(name, "the mean", mean.size(), in[1]);
  RequireSize(name, "the variance", var.size(), in[1]);
  for (float v : var)
    if (!(v + epsilon > 0))
      throw ShapeError(name, "batch_norm has a variance that is not positive");
  Node node;
  node.op = OpKind::kBatchNorm;
  node.name = std::move(name);
  node.inputs = {input};
  node.shape = in;
  node.scale = std::move(scale);
  node.shift = std::move(shift);
  node.mean = std::move(mean);
  node.var = std::move(var);
  node.epsilon = epsilon;
  return Append(std::move(node));
}

int GraphBuilder::Relu(std::string name, int input) {
  Node node;
  node.op = OpKind::kRelu;
  node.shape = At(input, name).shape;
  node.name = std::move(name);
  node.inputs = {input};
  return Append(std::move(node));
}

int GraphBuilder::MaxPool(std::string name, int input, const PoolAttrs& attrs) {
  const Shape& in = At(input, name).shape;
  RequireRank(name, in, 4, "max_pool");
  // pad > kernel / 2 rather than 2 * pad > kernel: a pad near 2^63 would overflow.
  if (attrs.kernel < 1 || attrs.stride < 1 || attrs.pad < 0 || attrs.kernel > kMaxTensorElements ||
      attrs.stride > kMaxTensorElements || attrs.pad > attrs.kernel / 2)
    throw ShapeError(name,
                     "pooling needs a positive kernel and stride (at most 2^40) and padding of at "
                     "most half the kernel");
  if (attrs.kernel > in[2] + 2 * attrs.pad || attrs.kernel > in[3] + 2 * attrs.pad)
    throw ShapeError(name, "pooling window " + std::to_string(attrs.kernel) +
                               " larger than its padded input " + ShapeText(in));
  Node node;
  node.op = OpKind::kMaxPool;
  node.shape = {in[0], in[1], attrs.OutputSize(in[2]), attrs.OutputSize(in[3])};
  node.name = std::move(name);
  node.inputs = {input};
  node.pool = attrs;
  return Append(std::move(node));
}

int GraphBuilder::AvgPool(std::string name, int input, const PoolAttrs& attrs) {
  const int id = MaxPool(std::move(name), input, attrs);  // the same checks and shape
  graph_.nodes[id].op = OpKind::kAvgPool;
  return id;
}

int GraphBuilder::GlobalAvgPool(std::string name, int input) {
  const Shape& in = At(input, name).shape;
  RequireRank(name, in, 4, "global_avg_pool");
  Node node;
  node.op = OpKind::kGlobalAvgPool;
  node.shape = {in[0], in[1], 1, 1};
  node.name = std::move(name);
  node.inputs = {input};
  return Append(std::move(node));
}

int GraphBuilder::Add(std::string name, int a, int b) {
  const Shape& sa = At(a, name).shape;
  const Shape& sb = At(b, name).shape;
  if (sa != sb)
    throw ShapeError(name,
                     "add of " + ShapeText(sa) + " and " + ShapeText(sb) + " (no broadcasting)");
  Node node;
  node.op = OpKind::kAdd;
  node.shape = sa;
  node.name = std::move(name);
  node.inputs = {a, b};
  return Append(std::move(node));
}

int GraphBuilder::Concat(std::string name, const std::vector<int>& inputs) {
  if (inputs.empty()) throw ShapeError(name, "concat of nothing");
  Shape out = At(inputs[0], name).shape;
  RequireRank(name, out, 4, "concat");
  for (size_t i = 1; i < inputs.size(); ++i) {
    const Shape& s = At(inputs[i], name).shape;
    if (s.size() != 4 || s[0] != out[0] || s[2] != out[2] || s[3] != out[3])
      throw ShapeError(name, "concat along channels of " + ShapeText(out) + " and " + ShapeText(s));
    out[1] += s[1];  // each input fits, so the sum cannot overflow before it is checked
    if (out[1] > kMaxTensorElements) throw ShapeError(name, "concat of more than 2^40 channels");
  }
  Node node;
  node.op = OpKind::kConcat;
  node.shape = out;
  node.name = std::move(name);
  node.inputs = inputs;
  return Append(std::move(node));
}

int GraphBuilder::Flatten(std::string name, int input) {
  const Shape& in = At(input, name).shape;
  if (in.size() < 2)
    throw ShapeError(name, "flatten needs at least a 2-d input, got " + ShapeText(in));
  Node node;
  node.op = OpKind::kFlatten;
  node.shape = {in[0], ElementCount(in) / in[0]};
  node.name = std::move(name);
  node.inputs = {input};
  return Append(std::move(node));
}

int GraphBuilder::Softmax(std::string name, int input) {
  const Shape& in = At(input, name).shape;
  RequireRank(name, in, 2, "softmax");
  Node node;
  node.op = OpKind::kSoftmax;
  node.shape = in;
  node.name = std::move(name);
  node.inputs = {input};
  return Append(std::move(node));
}

Graph GraphBuilder::Finish(int output) && {
  At(output, "output");
  graph_.output = output;
  return std::move(graph_);
}

}  // namespace tessel
