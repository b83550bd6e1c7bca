#include "network/onnx_import.h"

#include <onnx/onnx_pb.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "core/error.h"

namespace tessel {
namespace {

constexpr const char* kSupported =
    "Conv, Relu, MaxPool, AveragePool, GlobalAveragePool, Add, Concat, Flatten, Gemm, "
    "BatchNormalization, Softmax, Dropout, Identity, Constant, Reshape (as a flatten)";

struct Initializer {
  std::vector<int64_t> dims;
  std::vector<float> values;
};

// Reads one ONNX graph into a GraphBuilder, node by node.
class OnnxReader {
 public:
  OnnxReader(const onnx::GraphProto& graph, std::string origin)
      : graph_(graph), origin_(std::move(origin)) {}

  Graph Read(const std::string& name) {
    for (const onnx::TensorProto& tensor : graph_.initializer())
      initializers_[tensor.name()] = ReadTensor(tensor);
    std::vector<const onnx::ValueInfoProto*> inputs;
    for (const onnx::ValueInfoProto& input : graph_.input())
      if (!initializers_.count(input.name())) inputs.push_back(&input);
    if (inputs.size() != 1)
      throw Fail("the graph has " + std::to_string(inputs.size()) +
                 " inputs besides its weights; Tessel runs networks with one input");
    builder_.emplace(name, InputShape(*inputs[0]));
    tensors_[inputs[0]->name()] = 0;
    for (const onnx::NodeProto& node : graph_.node()) ReadNode(node);
    if (graph_.output_size() != 1)
      throw Fail("the graph has " + std::to_string(graph_.output_size()) +
                 " outputs; Tessel runs networks with one output");
    return std::move(*builder_).Finish(Tensor(graph_.output(0).name(), "the graph's output"));
  }

 private:
  Error Fail(const std::string& what) const { return ConfigError(origin_ + ": " + what); }

  Error NodeFail(const onnx::NodeProto& node, const std::string& what) const {
    return Fail(node.op_type() + " node '" + NodeName(node) + "': " + what);
  }

  static std::string NodeName(const onnx::NodeProto& node) {
    if (!node.name().empty()) return node.name();
    return node.output_size() ? node.output(0) : std::string("?");
  }

  Initializer ReadTensor(const onnx::TensorProto& tensor) const {
    Initializer result;
    result.dims.assign(tensor.dims().begin(), tensor.dims().end());
    // Checked before use: the count sizes a vector, and dims claiming more than the file can
    // hold would overflow it.
    int64_t count = 1;
    for (int64_t d : result.dims) {
      if (d < 0 || d > kMaxTensorElements || (d > 0 && count > kMaxTensorElements / d))
        throw Fail("initializer '" + tensor.name() + "' has dimensions " + ShapeText(result.dims) +
                   ", negative or of more than 2^40 elements");
      count *= d;
    }
    if (tensor.data_location() == onnx::TensorProto::EXTERNAL)
      throw Fail("initializer '" + tensor.name() +
                 "' is stored outside the file; save the model with its weights inside");
    switch (tensor.data_type()) {
      case onnx::TensorProto::FLOAT:
        if (!tensor.raw_data().empty()) {
          if (tensor.raw_data().size() != count * sizeof(float))
            throw Fail("initializer '" + tensor.name() + "' has " +
                       std::to_string(tensor.raw_data().size()) + " bytes for " +
                       std::to_string(count) + " floats");
          result.values.resize(count);
          std::memcpy(result.values.data(), tensor.raw_data().data(), count * sizeof(float));
        } else {
          result.values.assign(tensor.float_data().begin(), tensor.float_data().end());
        }
        break;
      case onnx::TensorProto::INT64: {  // shapes (Reshape's target)
        std::vector<int64_t> values(tensor.int64_data().begin(), tensor.int64_data().end());
        if (!tensor.raw_data().empty()) {
          values.resize(tensor.raw_data().size() / sizeof(int64_t));
          std::memcpy(values.data(), tensor.raw_data().data(), values.size() * sizeof(int64_t));
        }
        result.values.assign(values.begin(), values.end());
        break;
      }
      default:
        throw Fail("initializer '" + tensor.name() + "' has ONNX data type " +
                   std::to_string(tensor.data_type()) + "; Tessel runs fp32 networks");
    }
    if (static_cast<int64_t>(result.values.size()) != count)
      throw Fail("initializer '" + tensor.name() + "' has " + std::to_string(result.values.size()) +
                 " values for its shape");
    return result;
  }

  Shape InputShape(const onnx::ValueInfoProto& input) const {
    if (!input.type().has_tensor_type() || !input.type().tensor_type().has_shape())
      throw Fail("input '" + input.name() + "' has no tensor shape");
    if (input.type().tensor_type().elem_type() != onnx::TensorProto::FLOAT)
      throw Fail("input '" + input.name() + "' is not fp32");
    Shape shape;
    const auto& dims = input.type().tensor_type().shape().dim();
    for (int i = 0; i < dims.size(); ++i) {
      if (dims[i].has_dim_value()) {
        shape.push_back(dims[i].dim_value());
      } else if (i == 0) {
        shape.push_back(1);  // a symbolic batch
      } else {
        throw Fail("input '" + input.name() + "' has a symbolic dimension " + std::to_string(i) +
                   "; export the model with a fixed input shape");
      }
    }
    if (shape.size() != 4) throw Fail("input '" + input.name() + "' is not 4-d (NCHW)");
    return shape;
  }

  int Tensor(const std::string& name, const std::string& reader) const {
    const auto found = tensors_.find(name);
    if (found == tensors_.end())
      throw Fail(reader + " reads tensor '" + name + "', which no earlier node produces");
    return found->second;
  }

  const Initializer& Weight(const onnx::NodeProto& node, int input) const {
    if (input >= node.input_size() || node.input(input).empty())
      throw NodeFail(node, "input " + std::to_string(input) + " is missing");
    const auto found = initializers_.find(node.input(input));
    if (found == initializers_.end())
      throw NodeFail(node, "input '" + node.input(input) +
                               "' must be a weight stored in the file (an initializer)");
    return found->second;
  }

  const onnx::AttributeProto* Attribute(const onnx::NodeProto& node, const char* name) const {
    for (const onnx::AttributeProto& attribute : node.attribute())
      if (attribute.name() == name) return &attribute;
    return nullptr;
  }

  int64_t IntAttribute(const onnx::NodeProto& node, const char* name, int64_t fallback) const {
    const onnx::AttributeProto* attribute = Attribute(node, name);
    return attribute ? attribute->i() : fallback;
  }

  float FloatAttribute(const onnx::NodeProto& node, const char* name, float fallback) const {
    const onnx::AttributeProto* attribute = Attribute(node, name);
    return attribute ? attribute->f() : fallback;
  }

  std::vector<int64_t> IntsAttribute(const onnx::NodeProto& node, const char* name) const {
    const onnx::AttributeProto* attribute = Attribute(node, name);
    if (!attribute) return {};
    return {attribute->ints().begin(), attribute->ints().end()};
  }

  // A value that must be the same along both spatial axes (and both pad sides).
  int64_t Square(const onnx::NodeProto& node, const char* name, const std::vector<int64_t>& values,
                 int64_t fallback) const {
    if (values.empty()) return fallback;
    for (int64_t v : values)
      if (v != values[0])
        throw NodeFail(node, std::string(name) +
                                 " differ between axes or sides; Tessel supports "
                                 "square kernels, equal strides and symmetric pads");
    return values[0];
  }

  void RequireDefault(const onnx::NodeProto& node, const char* name, int64_t expected) const {
    const onnx::AttributeProto* attribute = Attribute(node, name);
    if (!attribute) return;
    if (attribute->type() == onnx::AttributeProto::INTS) {
      for (int64_t v : attribute->ints())
        if (v != expected)
          throw NodeFail(node, std::string("attribute ") + name + " is not supported");
    } else if (attribute->type() == onnx::AttributeProto::STRING) {
      if (attribute->s() != "NOTSET")
        throw NodeFail(node, std::string("attribute ") + name + "=" + attribute->s() +
                                 " is not supported; export with explicit pads");
    } else if (attribute->i() != expected) {
      throw NodeFail(node, std::string("attribute ") + name + "=" + std::to_string(attribute->i()) +
                               " is not supported");
    }
  }

  PoolAttrs Pool(const onnx::NodeProto& node) const {
    RequireDefault(node, "auto_pad", 0);
    RequireDefault(node, "dilations", 1);
    RequireDefault(node, "storage_order", 0);
    if (node.output_size() > 1) throw NodeFail(node, "the indices output is not supported");
    PoolAttrs attrs;
    const std::vector<int64_t> kernel = IntsAttribute(node, "kernel_shape");
    if (kernel.empty()) throw NodeFail(node, "kernel_shape is missing");
    attrs.kernel = Square(node, "kernel_shape", kernel, 1);
    attrs.stride = Square(node, "strides", IntsAttribute(node, "strides"), 1);
    attrs.pad = Square(node, "pads", IntsAttribute(node, "pads"), 0);
    attrs.ceil_mode = IntAttribute(node, "ceil_mode", 0) != 0;
    attrs.count_include_pad = IntAttribute(node, "count_include_pad", 0) != 0;
    return attrs;
  }

  void ReadNode(const onnx::NodeProto& node) {
    const std::string& op = node.op_type();
    const std::string name = NodeName(node);
    if (!node.domain().empty() && node.domain() != "ai.onnx")
      throw NodeFail(node, "operators of domain '" + node.domain() + "' are not supported");
    if (node.output_size() < 1) throw NodeFail(node, "the node has no output");
    auto input = [&](int i) {
      if (i >= node.input_size())
        throw NodeFail(node, "input " + std::to_string(i) + " is missing");
      return Tensor(node.input(i), op + " node '" + name + "'");
    };
    GraphBuilder& b = *builder_;
    int id = -1;
    if (op == "Conv") {
      RequireDefault(node, "auto_pad", 0);
      RequireDefault(node, "dilations", 1);
      const Initializer& w = Weight(node, 1);
      if (w.dims.size() != 4) throw NodeFail(node, "the weight is not 4-d (OIHW)");
      const int64_t kernel = Square(node, "kernel_shape", {w.dims[2], w.dims[3]}, 1);
      std::vector<float> bias;
      if (node.input_size() > 2 && !node.input(2).empty()) bias = Weight(node, 2).values;
      id = b.Conv2d(name, input(0), w.dims[0], kernel,
                    Square(node, "strides", IntsAttribute(node, "strides"), 1),
                    Square(node, "pads", IntsAttribute(node, "pads"), 0),
                    IntAttribute(node, "group", 1), w.values, std::move(bias));
    } else if (op == "Gemm") {
      if (FloatAttribute(node, "alpha", 1) != 1 || FloatAttribute(node, "beta", 1) != 1 ||
          IntAttribute(node, "transA", 0) != 0)
        throw NodeFail(node, "only alpha = beta = 1 without transA is supported");
      const Initializer& w = Weight(node, 1);
      if (w.dims.size() != 2) throw NodeFail(node, "the weight is not 2-d");
      const bool transposed = IntAttribute(node, "transB", 0) != 0;
      const int64_t out = transposed ? w.dims[0] : w.dims[1],
                    in = transposed ? w.dims[1] : w.dims[0];
      // out * in is then the weight's element count, which bounds the transposition below.
      if (out < 1 || in < 1) throw NodeFail(node, "the weight is empty");
      std::vector<float> weights = w.values;
      if (!transposed)  // (in, out) to Tessel's (out, in)
        for (int64_t o = 0; o < out; ++o)
          for (int64_t i = 0; i < in; ++i) weights[o * in + i] = w.values[i * out + o];
      std::vector<float> bias;
      if (node.input_size() > 2 && !node.input(2).empty()) bias = Weight(node, 2).values;
      const int source = input(0);
      if (b.shape(source).size() == 2 && b.shape(source)[1] != in)
        throw NodeFail(node, "the weight takes " + std::to_string(in) +
                                 " features, the input has " + std::to_string(b.shape(source)[1]));
      id = b.Dense(name, source, out, std::move(weights), std::move(bias));
    } else if (op == "BatchNormalization") {
      if (node.output_size() > 1) throw NodeFail(node, "training outputs are not supported");
      id = b.BatchNorm(name, input(0), Weight(node, 1).values, Weight(node, 2).values,
                       Weight(node, 3).values, Weight(node, 4).values,
                       FloatAttribute(node, "epsilon", 1e-5f));
    } else if (op == "Relu") {
      id = b.Relu(name, input(0));
    } else if (op == "MaxPool") {
      id = b.MaxPool(name, input(0), Pool(node));
    } else if (op == "AveragePool") {
      id = b.AvgPool(name, input(0), Pool(node));
    } else if (op == "GlobalAveragePool") {
      id = b.GlobalAvgPool(name, input(0));
    } else if (op == "Add") {
      for (int i = 0; i < 2; ++i)
        if (i < node.input_size() && initializers_.count(node.input(i)))
          throw NodeFail(node, "adding a constant is not supported");
      id = b.Add(name, input(0), input(1));
    } else if (op == "Concat") {
      const int64_t axis = IntAttribute(node, "axis", 1);
      std::vector<int> inputs;
      for (int i = 0; i < node.input_size(); ++i) inputs.push_back(input(i));
      if (axis != 1 && !(axis == -3 && !inputs.empty() && b.shape(inputs[0]).size() == 4))
        throw NodeFail(node, "concatenation along axis " + std::to_string(axis) +
                                 " is not supported; only along channels (axis 1)");
      id = b.Concat(name, inputs);
    } else if (op == "Flatten") {
      if (IntAttribute(node, "axis", 1) != 1) throw NodeFail(node, "only axis 1 is supported");
      id = b.Flatten(name, input(0));
    } else if (op == "Softmax") {
      const int source = input(0);
      const int64_t axis = IntAttribute(node, "axis", -1);
      if (b.shape(source).size() != 2 || (axis != 1 && axis != -1))
        throw NodeFail(node, "only a softmax over the features of a 2-d input is supported");
      id = b.Softmax(name, source);
    } else if (op == "Constant") {
      const onnx::AttributeProto* value = Attribute(node, "value");
      if (!value || !value->has_t()) throw NodeFail(node, "only a tensor value is supported");
      initializers_[node.output(0)] = ReadTensor(value->t());
      return;
    } else if (op == "Reshape") {
      // Exporters write some flattens as a reshape to (batch, -1) or (batch, features).
      const int source = input(0);
      const Initializer& target = Weight(node, 1);
      const Shape& in = b.shape(source);
      const int64_t features = ElementCount(in) / in[0];
      const bool flattens = target.values.size() == 2 && target.values[0] == float(in[0]) &&
                            (target.values[1] == -1 || target.values[1] == float(features));
      if (!flattens)
        throw NodeFail(node, "only a reshape that flattens to (batch, features) is supported");
      id = b.Flatten(name, source);
    } else if (op == "Dropout" || op == "Identity") {
      if (node.input_size() > 0 && initializers_.count(node.input(0))) {
        // Exporters share a weight between layers through an Identity of it.
        const Initializer copy = initializers_.at(node.input(0));
        initializers_[node.output(0)] = copy;
        return;
      }
      id = input(0);  // inference: the input itself
    } else {
      throw Fail("unsupported operator " + op + " at node '" + name + "'; Tessel imports " +
                 kSupported);
    }
    tensors_[node.output(0)] = id;
  }

  const onnx::GraphProto& graph_;
  std::string origin_;
  std::map<std::string, Initializer> initializers_;
  std::map<std::string, int> tensors_;
  std::optional<GraphBuilder> builder_;
};

}  // namespace

Graph ImportOnnxBytes(const std::string& bytes, const std::string& origin) {
  onnx::ModelProto model;
  if (bytes.empty() || !model.ParseFromString(bytes))
    throw ConfigError(origin + ": not a readable ONNX model (truncated, or not an ONNX file)");
  if (!model.has_graph() || model.graph().node_size() == 0)
    throw ConfigError(origin + ": the ONNX model has no graph nodes");
  // Exporters name every graph alike ("torch_jit", "main_graph"): the file names the network.
  const std::string name = std::filesystem::path(origin).stem().string();
  try {
    return OnnxReader(model.graph(), origin).Read(name);
  } catch (const Error& error) {
    const std::string message = error.what();
    // Shape errors from the builder name the node but not the file.
    if (message.rfind(origin, 0) == 0) throw;
    throw ConfigError(origin + ": " + message);
  }
}

Graph ImportOnnx(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IoError("cannot read " + path + ": no such file or no permission");
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return ImportOnnxBytes(bytes.str(), path);
}

}  // namespace tessel
