// Builds ONNX models in memory for tests, the way an exporter writes them.
#pragma once

#include <onnx/onnx_pb.h>

#include <cstdint>
#include <string>
#include <vector>

namespace tessel {

class OnnxModelBuilder {
 public:
  OnnxModelBuilder() {
    model_.set_ir_version(8);
    model_.add_opset_import()->set_version(14);
    graph_ = model_.mutable_graph();
    graph_->set_name("generated");
  }

  void Input(const std::string& name, const std::vector<int64_t>& shape) {
    onnx::ValueInfoProto* input = graph_->add_input();
    input->set_name(name);
    auto* tensor = input->mutable_type()->mutable_tensor_type();
    tensor->set_elem_type(onnx::TensorProto::FLOAT);
    for (int64_t d : shape) tensor->mutable_shape()->add_dim()->set_dim_value(d);
  }

  void Output(const std::string& name) { graph_->add_output()->set_name(name); }

  // Weights as raw little-endian bytes (as torch writes them) or as float_data.
  void Weight(const std::string& name, const std::vector<int64_t>& dims,
              const std::vector<float>& values, bool raw = true) {
    onnx::TensorProto* tensor = graph_->add_initializer();
    tensor->set_name(name);
    tensor->set_data_type(onnx::TensorProto::FLOAT);
    for (int64_t d : dims) tensor->add_dims(d);
    if (raw) {
      tensor->set_raw_data(
          std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(float)));
    } else {
      for (float v : values) tensor->add_float_data(v);
    }
  }

  onnx::NodeProto* Node(const std::string& op, const std::string& name,
                        const std::vector<std::string>& inputs, const std::string& output) {
    onnx::NodeProto* node = graph_->add_node();
    node->set_op_type(op);
    node->set_name(name);
    for (const std::string& input : inputs) node->add_input(input);
    node->add_output(output);
    return node;
  }

  static void Ints(onnx::NodeProto* node, const std::string& name, std::vector<int64_t> values) {
    onnx::AttributeProto* attribute = node->add_attribute();
    attribute->set_name(name);
    attribute->set_type(onnx::AttributeProto::INTS);
    for (int64_t v : values) attribute->add_ints(v);
  }
  static void Int(onnx::NodeProto* node, const std::string& name, int64_t value) {
    onnx::AttributeProto* attribute = node->add_attribute();
    attribute->set_name(name);
    attribute->set_type(onnx::AttributeProto::INT);
    attribute->set_i(value);
  }
  static void Float(onnx::NodeProto* node, const std::string& name, float value) {
    onnx::AttributeProto* attribute = node->add_attribute();
    attribute->set_name(name);
    attribute->set_type(onnx::AttributeProto::FLOAT);
    attribute->set_f(value);
  }

  std::string Bytes() const { return model_.SerializeAsString(); }
  onnx::GraphProto* Graph() { return graph_; }

 private:
  onnx::ModelProto model_;
  onnx::GraphProto* graph_;
};

}  // namespace tessel
