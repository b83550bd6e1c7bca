// How much of each knob's range an initial design shows the cost model: for each zoo task
// named on the command line, designs of M configurations (8 unless --m is given) drawn with
// seeds 1-5 at random and by BTED with each encoding of the knobs, and the share of each
// knob's values (at most M of them) that appear in the design, averaged over the knobs with
// more than one value and over the seeds. A tree model cannot value a knob setting it has never
// seen measured, so a design that leaves values out leaves them to chance later.
//
//   build-bench/design_coverage [--m 8] alex.1 alex.2 ...   (markdown on stdout)
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "core/rng.h"
#include "design/ted.h"
#include "problems/schedule/operator_template.h"
#include "problems/schedule/zoo.h"

namespace {

using tessel::Config;
using tessel::Space;

// The mean over knobs with more than one value of (distinct values in the design) /
// min(values, design size).
double KnobValueCoverage(const Space& space, const std::vector<Config>& design) {
  double sum = 0;
  int knobs = 0;
  for (size_t knob = 0; knob < space.num_knobs(); ++knob) {
    const size_t values = space.knobs()[knob].values.size();
    if (values < 2) continue;
    std::set<int32_t> seen;
    for (const Config& config : design) seen.insert(config[knob]);
    sum += static_cast<double>(seen.size()) / static_cast<double>(std::min(values, design.size()));
    ++knobs;
  }
  return knobs > 0 ? sum / knobs : 1.0;
}

}  // namespace

int main(int argc, char** argv) {
  int m = 8;
  std::vector<std::string> tasks;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--m" && i + 1 < argc) {
      m = std::atoi(argv[++i]);
    } else {
      tasks.push_back(arg);
    }
  }
  if (tasks.empty() || m < 1) {
    std::fprintf(stderr, "usage: design_coverage [--m M] TASK...\n");
    return 2;
  }
  enum Design { kRandom, kBtedIndex, kBtedOneHot, kDesigns };
  const char* names[kDesigns] = {"random", "BTED, index encoding", "BTED, one-hot encoding"};
  const int seeds = 5;
  double total[kDesigns] = {};
  std::printf("| task | %s | %s | %s |\n|---|---:|---:|---:|\n", names[0], names[1], names[2]);
  for (const std::string& task : tasks) {
    std::unique_ptr<tessel::OperatorTemplate> tmpl;
    try {
      tmpl = tessel::MakeOperatorTemplate(tessel::FindZooLayer(task).workload);
    } catch (const std::exception& error) {
      std::fprintf(stderr, "error: %s\n", error.what());
      return 2;
    }
    const Space& space = tmpl->space();
    double coverage[kDesigns] = {};
    for (int seed = 1; seed <= seeds; ++seed) {
      for (int design = 0; design < kDesigns; ++design) {
        tessel::Rng rng(static_cast<uint64_t>(seed));
        std::vector<Config> configs;
        if (design == kRandom) {
          while (static_cast<int>(configs.size()) < m) configs.push_back(*space.SampleValid(rng));
        } else {
          tessel::BtedOptions options;
          options.encoding =
              design == kBtedIndex ? tessel::TedEncoding::kIndex : tessel::TedEncoding::kOneHot;
          configs = tessel::BtedDesign(space, m, {}, options, rng);
        }
        coverage[design] += KnobValueCoverage(space, configs) / seeds;
      }
    }
    std::printf("| %s | %.3f | %.3f | %.3f |\n", task.c_str(), coverage[0], coverage[1],
                coverage[2]);
    for (int design = 0; design < kDesigns; ++design) total[design] += coverage[design];
  }
  const double n = static_cast<double>(tasks.size());
  std::printf("| mean | %.3f | %.3f | %.3f |\n", total[0] / n, total[1] / n, total[2] / n);
  return 0;
}
