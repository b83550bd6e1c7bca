// Runs a network with compiled kernels: each conv2d and dense node with the configuration
// chosen for its workload (else its template's default schedule), pooling with Halide
// pipelines, and the remaining light operations (unfused add, relu and batch norm,
// concatenation copies, softmax) with plain loops. Each tensor is stored in its node's layout
// (ConvertLayout), and layout transforms are compiled kernels too. Buffers are allocated once
// and shared by tensors whose lifetimes do not overlap (memory_plan.h).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "network/graph.h"
#include "problems/schedule/operator_template.h"

namespace tessel {

// What ran for one node of the graph.
struct LayerReport {
  int node = -1;
  std::string name;
  std::string op;                // OpKindName, with "+add" / "+relu" for fused epilogues
  std::string workload;          // conv2d and dense: the tuning task's spec; else empty
  bool tuned = false;            // conv2d and dense: a chosen configuration, not the default
  std::string config;            // conv2d and dense: the configuration's text
  bool parallel = false;         // its kernel can share its work with the thread pool
  bool single_threaded = false;  // kept to the calling thread (SetSingleThreaded)
};

class NetworkExecutor {
 public:
  // The configuration for a conv2d or dense layer's template, or nullopt for its default.
  using ConfigChooser = std::function<std::optional<Config>(const OperatorTemplate&)>;

  // Compiles every layer. Throws tessel::Error naming the layer when a configuration is
  // invalid for its space or fails to compile.
  NetworkExecutor(Graph graph, const ConfigChooser& choose);
  ~NetworkExecutor();

  // Runs the network on `input` (the graph's input shape) and returns its output, valid until
  // the next Run. With `layer_ms`, each layer's milliseconds are written to the entry of the
  // same index as layers().
  std::span<const float> Run(const std::vector<float>& input,
                             std::vector<double>* layer_ms = nullptr);

  // Runs layer `layer` (an index into layers()) alone, on the buffers the last Run left: to
  // time it (its input's buffer may hold a later layer's tensor by then, of the same size or
  // larger). Requires a Run before.
  void RunLayer(size_t layer);

  // Keeps layer `layer` to the calling thread (true) or lets it share its parallel loops with
  // the thread pool (false, the default). Returns false for a layer that never uses the pool.
  bool SetSingleThreaded(size_t layer, bool single);

  const std::vector<LayerReport>& layers() const { return layers_; }
  const Graph& graph() const { return graph_; }

 private:
  void PlanBuffers();
  void BuildLayers(const ConfigChooser& choose);

  Graph graph_;
  std::vector<std::vector<float>> buffers_;  // shared by the tensors of the memory plan
  std::vector<float*> data_;                 // where each node's output lives
  std::vector<LayerReport> layers_;
  std::vector<std::unique_ptr<Kernel>> kernels_;  // one per entry of layers_
};

}  // namespace tessel
