// How fast the MAESTRO model costs a whole network: evaluations per second of the accel
// problem on one configuration of every layer of a network (MobileNet-v2 by default, 52
// layers), through AccelProblem::Evaluate as the tuning loop calls it, and per layer through
// AnalyseLayer alone. Each round evaluates a fixed list of random configurations (seeded; the
// list is the same in every round) for about a second; the report is the median over rounds
// with the slowest and fastest round.
//
//   accel_model_speed [--net mobilenet_v2] [--dataflow shi] [--rounds 7] [--configs 200]
//
// Run it pinned to one core (taskset -c 1) on an otherwise idle machine.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>

#include "core/error.h"
#include "core/rng.h"
#include "problems/accel/accel_problem.h"

namespace tessel {
namespace {

using Clock = std::chrono::steady_clock;

double SecondsSince(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

// Calls `once` (which does `per_call` units of work) until about a second has passed; returns
// units per second.
template <typename Work>
double UnitsPerSecond(Work once, double per_call) {
  const Clock::time_point start = Clock::now();
  double units = 0;
  do {
    once();
    units += per_call;
  } while (SecondsSince(start) < 1.0);
  return units / SecondsSince(start);
}

void Report(const char* what, std::vector<double> rates) {
  std::sort(rates.begin(), rates.end());
  std::printf("%-34s median %12.0f /s   (slowest %.0f, fastest %.0f, %zu rounds)\n", what,
              rates[rates.size() / 2], rates.front(), rates.back(), rates.size());
}

int Main(int argc, char** argv) {
  std::string net = "mobilenet_v2", dataflow = "shi";
  int rounds = 7, count = 200;
  CLI::App app{"evaluations per second of the accel problem's MAESTRO model"};
  app.add_option("--net", net, "built-in network or layer table")->capture_default_str();
  app.add_option("--dataflow", dataflow, "shi or dla")->capture_default_str();
  app.add_option("--rounds", rounds, "timed rounds")->capture_default_str();
  app.add_option("--configs", count, "random configurations evaluated per pass")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  AccelOptions options;
  options.dataflow = DataflowFromName(dataflow);
  AccelProblem problem(FindLayerTable(net), options);
  const Space& space = problem.space();
  Rng rng(1);
  std::vector<Config> configs;
  while (static_cast<int>(configs.size()) < count) configs.push_back(*space.SampleValid(rng));
  const size_t layers = problem.table().layers.size();
  std::printf("%s (%zu layers), %s, %d configurations per pass\n", net.c_str(), layers,
              dataflow.c_str(), count);

  std::vector<double> networks, analysed;
  double checksum = 0;
  for (int round = 0; round < rounds; ++round) {
    networks.push_back(UnitsPerSecond(
        [&] {
          for (const Evaluation& result : problem.Evaluate(configs))
            checksum += result.metrics.count("latency") ? result.metrics.at("latency") : 0;
        },
        count));
    analysed.push_back(UnitsPerSecond(
        [&] {
          for (const Config& config : configs)
            for (size_t layer = 0; layer < layers; ++layer) {
              const auto [pes, ktile] = problem.Resources(config, layer);
              checksum += problem.AnalyseLayerAt(layer, pes, ktile).runtime;
            }
        },
        static_cast<double>(count) * layers));
  }
  Report("network evaluations (Evaluate)", networks);
  Report("layer analyses (AnalyseLayer)", analysed);
  std::printf("(checksum %.0f)\n", checksum);
  return 0;
}

}  // namespace
}  // namespace tessel

int main(int argc, char** argv) {
  try {
    return tessel::Main(argc, argv);
  } catch (const tessel::Error& e) {
    std::fprintf(stderr, "accel_model_speed: %s\n", e.what());
    return 2;
  }
}
