// oneDNN's layer-by-layer time of whole networks: every conv2d and dense task of a zoo model
// timed alone with oneDNN (direct convolution and inner product, fp32, batch 1, in the formats
// oneDNN chooses, reordered once outside the timing), the median per-call time times how often
// the network runs the task, summed over the tasks. Pooling, adds, concatenations and the
// reorders between layers are not counted: it is what a layer-by-layer oneDNN deployment
// would start from.
//
//   onednn_network --threads T [--models resnet18,vgg16] [--samples 15] [--sample-ms 5]
//
// Prints one JSON object per model. Each output is checked against the template's plain-loop
// reference. Bad arguments or an unknown model: one line on stderr and exit status 2.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/onednn_layers.h"
#include "core/error.h"
#include "core/overloaded.h"
#include "core/rng.h"
#include "core/stats.h"
#include "problems/schedule/local_measurer.h"
#include "problems/schedule/operator_template.h"
#include "problems/schedule/zoo.h"

namespace tessel {
namespace {

using Clock = std::chrono::steady_clock;

double MsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// The median per-call time of `samples` samples, each of enough calls to last `sample_ms`.
template <typename Run>
double MedianCallMs(Run&& run, int samples, double sample_ms) {
  for (int i = 0; i < 3; ++i) run();  // warm caches and the thread pool
  const auto probe = Clock::now();
  run();
  const double one = std::max(MsSince(probe), 1e-4);
  const int calls = std::max(1, static_cast<int>(std::ceil(sample_ms / one)));
  std::vector<double> per_call;
  for (int s = 0; s < samples; ++s) {
    const auto start = Clock::now();
    for (int c = 0; c < calls; ++c) run();
    per_call.push_back(MsSince(start) / calls);
  }
  return Median(per_call);
}

int Main(int argc, char** argv) {
  int threads = 0, samples = 15;
  double sample_ms = 5;
  std::vector<std::string> models = {"resnet18", "alexnet", "vgg16", "mobilenet_v1",
                                     "squeezenet_v1.1"};
  CLI::App app{"oneDNN's layer-by-layer time of whole networks"};
  app.add_option("--threads", threads, "oneDNN threads")->required()->check(CLI::Range(1, 1024));
  app.add_option("--models", models, "zoo models, comma-separated")->delimiter(',');
  app.add_option("--samples", samples, "timed samples per layer")->check(CLI::Range(1, 10000));
  app.add_option("--sample-ms", sample_ms, "milliseconds per sample")->check(CLI::PositiveNumber);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    if (error.get_exit_code() == 0) return app.exit(error);
    std::cerr << "onednn_network: " << error.what() << "\n";
    return 2;
  }
  setenv("OMP_NUM_THREADS", std::to_string(threads).c_str(), 1);
  const int onednn_threads = SetOneDnnThreads(threads);
  std::vector<const ZooModel*> selected;
  for (const std::string& name : models) selected.push_back(&FindModel(name));

  for (const ZooModel* model : selected) {
    nlohmann::json layers = nlohmann::json::array();
    double total = 0;
    for (const ZooLayer& layer : model->layers) {
      const std::unique_ptr<OperatorTemplate> tmpl = MakeOperatorTemplate(layer.workload);
      Rng rng(0);
      const OperatorData data = tmpl->RandomData(rng);
      const std::vector<float> reference = tmpl->Reference(data);
      double ms = 0, error = 0;
      std::string impl;
      // Checks the output of the primitive's first run, then times it.
      auto check_and_time = [&](auto& onednn, const std::vector<float>& first_output) {
        error = RelativeError(first_output, reference);
        ms = MedianCallMs([&] { onednn.Run(); }, samples, sample_ms);
        impl = onednn.impl();
      };
      std::visit(Overloaded{[&](const Conv2dShape& conv) {
                              OneDnnConv onednn(conv, data);
                              onednn.Run();
                              check_and_time(onednn, onednn.OutputNchw());
                            },
                            [&](const DenseShape& dense) {
                              OneDnnDense onednn(dense, data);
                              onednn.Run();
                              check_and_time(onednn, onednn.Output());
                            }},
                 layer.workload);
      if (!(error <= 1e-3))
        throw Error(ErrorKind::kBackend, "oneDNN's " + layer.name + " is wrong: relative error " +
                                             std::to_string(error));
      total += ms * layer.occurrences;
      layers.push_back({{"task", layer.name},
                        {"workload", WorkloadSpec(layer.workload)},
                        {"occurrences", layer.occurrences},
                        {"median_ms", ms},
                        {"impl", impl}});
      std::cerr << layer.name << ": " << ms << " ms (" << impl << ")\n";
    }
    const nlohmann::json line = {{"network", model->name}, {"implementation", "onednn-sum"},
                                 {"threads", threads},     {"onednn_threads", onednn_threads},
                                 {"median_ms", total},     {"layers", std::move(layers)}};
    std::cout << line.dump() << std::endl;
  }
  return 0;
}

}  // namespace
}  // namespace tessel

int main(int argc, char** argv) {
  try {
    return tessel::Main(argc, argv);
  } catch (const tessel::Error& error) {
    std::cerr << "onednn_network: " << error.what() << "\n";
    return 2;
  } catch (const dnnl::error& error) {
    std::cerr << "onednn_network: oneDNN: " << error.what() << "\n";
    return 2;
  }
}
