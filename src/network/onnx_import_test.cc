#include "network/onnx_import.h"

#include <gtest/gtest.h>
#include <onnx/onnx_pb.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/error.h"
#include "core/rng.h"
#include "network/onnx_model_builder_test_util.h"
#include "network/reference_executor.h"

namespace tessel {
namespace {

std::vector<float> Values(Rng& rng, int64_t count) {
  std::vector<float> values(count);
  for (float& v : values) v = static_cast<float>(rng.UniformReal() - 0.5);
  return values;
}

// The same network twice: as an ONNX model using every supported operator, and built
// directly. Gemm appears with and without transB, weights as raw bytes and as float_data.
struct Twins {
  std::string onnx;
  Graph graph;
};

Twins EveryOperator(const std::string& extra_op = "") {
  Rng rng(11);
  OnnxModelBuilder m;
  GraphBuilder b("generated", {1, 3, 8, 8});
  m.Input("x", {1, 3, 8, 8});

  const auto w1 = Values(rng, 4 * 3 * 9), b1 = Values(rng, 4);
  m.Weight("w1", {4, 3, 3, 3}, w1);
  m.Weight("b1", {4}, b1, false);
  auto* conv1 = m.Node("Conv", "conv1", {"x", "w1", "b1"}, "c1");
  OnnxModelBuilder::Ints(conv1, "kernel_shape", {3, 3});
  OnnxModelBuilder::Ints(conv1, "pads", {1, 1, 1, 1});
  OnnxModelBuilder::Ints(conv1, "strides", {1, 1});
  int x = b.Conv2d("conv1", 0, 4, 3, 1, 1, 1, w1, b1);

  const auto scale = Values(rng, 4), shift = Values(rng, 4), mean = Values(rng, 4);
  std::vector<float> var = Values(rng, 4);
  for (float& v : var) v += 1;
  m.Weight("scale", {4}, scale);
  m.Weight("shift", {4}, shift);
  m.Weight("mean", {4}, mean);
  m.Weight("var", {4}, var);
  OnnxModelBuilder::Float(
      m.Node("BatchNormalization", "bn1", {"c1", "scale", "shift", "mean", "var"}, "n1"), "epsilon",
      1e-3f);
  x = b.BatchNorm("bn1", x, scale, shift, mean, var, 1e-3f);
  m.Node("Relu", "relu1", {"n1"}, "r1");
  x = b.Relu("relu1", x);
  m.Node("Dropout", "drop", {"r1"}, "d1");
  auto* pool = m.Node("MaxPool", "pool1", {"d1"}, "p1");
  OnnxModelBuilder::Ints(pool, "kernel_shape", {3, 3});
  OnnxModelBuilder::Ints(pool, "strides", {2, 2});
  OnnxModelBuilder::Int(pool, "ceil_mode", 1);
  PoolAttrs max;
  max.kernel = 3;
  max.stride = 2;
  max.ceil_mode = true;
  const int pooled = b.MaxPool("pool1", x, max);  // 1x4x4x4

  const auto w2 = Values(rng, 4 * 4 * 9);
  m.Weight("w2", {4, 4, 3, 3}, w2);
  auto* conv2 = m.Node("Conv", "conv2", {"p1", "w2"}, "c2");
  OnnxModelBuilder::Ints(conv2, "pads", {1, 1, 1, 1});
  x = b.Conv2d("conv2", pooled, 4, 3, 1, 1, 1, w2, {});
  m.Node("Add", "add", {"c2", "p1"}, "a1");
  x = b.Add("add", x, pooled);
  m.Node("Relu", "relu2", {"a1"}, "r2");
  const int sum = b.Relu("relu2", x);

  const auto w3 = Values(rng, 4 * 2);
  m.Weight("w3", {4, 2, 1, 1}, w3);
  m.Node("Identity", "shared_weight", {"w3"}, "w3_copy");  // as exporters share weights
  OnnxModelBuilder::Int(m.Node("Conv", "grouped", {"r2", "w3_copy"}, "c3"), "group", 2);
  x = b.Conv2d("grouped", sum, 4, 1, 1, 0, 2, w3, {});
  auto* average = m.Node("AveragePool", "avg", {"c3"}, "v1");
  OnnxModelBuilder::Ints(average, "kernel_shape", {3, 3});
  OnnxModelBuilder::Ints(average, "pads", {1, 1, 1, 1});
  OnnxModelBuilder::Int(average, "count_include_pad", 1);
  PoolAttrs avg;
  avg.kernel = 3;
  avg.pad = 1;
  avg.count_include_pad = true;
  x = b.AvgPool("avg", x, avg);
  OnnxModelBuilder::Int(m.Node("Concat", "cat", {"r2", "v1"}, "k1"), "axis", 1);
  x = b.Concat("cat", {sum, x});
  m.Node("GlobalAveragePool", "gap", {"k1"}, "g1");
  x = b.GlobalAvgPool("gap", x);
  // A flatten as exporters sometimes write it: a reshape to (batch, -1) by a constant shape.
  onnx::TensorProto* target = m.Node("Constant", "shape", {}, "s1")->add_attribute()->mutable_t();
  m.Graph()->mutable_node(m.Graph()->node_size() - 1)->mutable_attribute(0)->set_name("value");
  m.Graph()
      ->mutable_node(m.Graph()->node_size() - 1)
      ->mutable_attribute(0)
      ->set_type(onnx::AttributeProto::TENSOR);
  target->set_data_type(onnx::TensorProto::INT64);
  target->add_dims(2);
  const int64_t shape[2] = {1, -1};
  target->set_raw_data(std::string(reinterpret_cast<const char*>(shape), sizeof(shape)));
  m.Node("Reshape", "flat", {"g1", "s1"}, "f1");
  x = b.Flatten("flat", x);

  const auto w4 = Values(rng, 6 * 8), b4 = Values(rng, 6);
  m.Weight("w4", {6, 8}, w4);
  m.Weight("b4", {6}, b4);
  OnnxModelBuilder::Int(m.Node("Gemm", "fc1", {"f1", "w4", "b4"}, "h1"), "transB", 1);
  x = b.Dense("fc1", x, 6, w4, b4);
  // transB = 0: the file holds the (in, out) matrix.
  const auto w5 = Values(rng, 4 * 6);
  std::vector<float> w5_in_out(24);
  for (int o = 0; o < 4; ++o)
    for (int i = 0; i < 6; ++i) w5_in_out[i * 4 + o] = w5[o * 6 + i];
  m.Weight("w5", {6, 4}, w5_in_out);
  m.Node("Gemm", "fc2", {"h1", "w5"}, "h2");
  x = b.Dense("fc2", x, 4, w5, {});
  m.Node("Identity", "same", {"h2"}, "h3");
  OnnxModelBuilder::Int(m.Node("Softmax", "softmax", {"h3"}, "y"), "axis", 1);
  x = b.Softmax("softmax", x);
  if (!extra_op.empty()) {
    m.Node(extra_op, "act7", {"y"}, "z");
    m.Output("z");
  } else {
    m.Output("y");
  }
  return {m.Bytes(), std::move(b).Finish(x)};
}

std::string ImportError(const std::string& bytes) {
  try {
    ImportOnnxBytes(bytes, "model.onnx");
  } catch (const Error& error) {
    return error.what();
  }
  return "";
}

TEST(OnnxImportTest, EveryOperatorImportsAsItsGraphTwin) {
  const Twins twins = EveryOperator();
  const std::filesystem::path path = std::filesystem::temp_directory_path() /
                                     ("tessel_onnx_" + std::to_string(getpid()) + ".onnx");
  std::ofstream(path, std::ios::binary) << twins.onnx;
  const Graph imported = ImportOnnx(path.string());
  std::filesystem::remove(path);
  ASSERT_EQ(imported.nodes.size(), twins.graph.nodes.size());
  for (size_t i = 0; i < imported.nodes.size(); ++i) {
    EXPECT_EQ(imported.nodes[i].op, twins.graph.nodes[i].op) << i;
    EXPECT_EQ(imported.nodes[i].shape, twins.graph.nodes[i].shape) << i;
  }
  Rng rng(12);
  const std::vector<float> input = Values(rng, 3 * 8 * 8);
  EXPECT_EQ(RunReference(imported, input), RunReference(twins.graph, input));
}

TEST(OnnxImportTest, AnUnsupportedOperatorIsNamedWithItsNode) {
  const std::string message = ImportError(EveryOperator("LeakyRelu").onnx);
  EXPECT_NE(message.find("model.onnx: unsupported operator LeakyRelu at node 'act7'"),
            std::string::npos)
      << message;
}

TEST(OnnxImportTest, TruncatedAndForeignFilesAreErrors) {
  const std::string bytes = EveryOperator().onnx;
  for (size_t cut : {size_t{0}, bytes.size() / 4, bytes.size() / 2, bytes.size() - 1}) {
    const std::string message = ImportError(bytes.substr(0, cut));
    EXPECT_EQ(message.rfind("model.onnx: ", 0), 0u) << cut << ": " << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
  EXPECT_NE(ImportError("tile_f,time_ms\n1,2\n").find("not a readable ONNX model"),
            std::string::npos);
  try {
    ImportOnnx("/nonexistent/model.onnx");
    FAIL();
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("cannot read /nonexistent/model.onnx"),
              std::string::npos);
  }
}

TEST(OnnxImportTest, ShapeMismatchesAreErrors) {
  OnnxModelBuilder m;
  m.Input("x", {1, 2, 4, 4});
  m.Weight("w", {3, 2, 3, 3}, std::vector<float>(54, 0.1f));
  auto* conv = m.Node("Conv", "conv", {"x", "w"}, "c");
  OnnxModelBuilder::Ints(conv, "strides", {2, 2});
  m.Node("Add", "residual", {"c", "x"}, "y");
  m.Output("y");
  const std::string message = ImportError(m.Bytes());
  EXPECT_NE(message.find("node 'residual': add of 1x3x1x1 and 1x2x4x4"), std::string::npos)
      << message;

  OnnxModelBuilder dense;
  dense.Input("x", {1, 2, 2, 2});
  dense.Node("Flatten", "flat", {"x"}, "f");
  dense.Weight("w", {4, 9}, std::vector<float>(36, 0.1f));
  OnnxModelBuilder::Int(dense.Node("Gemm", "fc", {"f", "w"}, "y"), "transB", 1);
  dense.Output("y");
  EXPECT_NE(ImportError(dense.Bytes())
                .find("Gemm node 'fc': the weight takes 9 features, the input has 8"),
            std::string::npos);
}

}  // namespace
}  // namespace tessel
