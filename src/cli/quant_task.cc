#include "cli/quant_task.h"

#include <algorithm>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/error.h"
#include "problems/quant/quant_nets.h"
#include "problems/quant/quant_setup.h"

namespace tessel::cli {
namespace {

// "2,3,4,8" as numbers; throws tessel::Error naming --bits-set otherwise.
std::vector<int> ParseBitsSet(const std::string& text) {
  std::vector<int> bits;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = std::min(text.find(',', start), text.size());
    const std::string item = text.substr(start, comma - start);
    start = comma + 1;
    size_t used = 0;
    int value = 0;
    try {
      value = std::stoi(item, &used);
    } catch (const std::logic_error&) {
      used = 0;
    }
    if (used == 0 || used != item.size())
      throw ConfigError("--bits-set takes bitwidths separated by commas, e.g. 2,3,4,5,8; got '" +
                        text + "'");
    bits.push_back(value);
  }
  return bits;
}

}  // namespace

std::unique_ptr<QuantProblem> MakeQuantProblemFor(const TaskSelection& selection) {
  std::string known;
  for (const QuantNetDefinition& net : QuantNets()) known += (known.empty() ? "" : ", ") + net.name;
  if (selection.net.empty())
    throw ConfigError("the quant problem needs --net NAME (" + known + ")");
  QuantSetup setup;
  setup.net = selection.net;
  setup.dataset_dir = selection.dataset_dir;
  setup.cache_dir = selection.cache_dir;
  if (!selection.train.empty())
    setup.training = ParseTrainSettings(selection.train, setup.training);
  if (selection.train_seed) setup.training.seed = *selection.train_seed;
  if (!selection.split.empty()) setup.split = SplitFromName(selection.split);
  if (!selection.fine_tune.empty())
    setup.quantization.fine_tune = ParseFineTune(selection.fine_tune);
  if (selection.activation_bits) {
    if (*selection.activation_bits < 0 || *selection.activation_bits > 8)
      throw ConfigError(
          "--activation-bits must be 0 (float activations) to 8 (Bit Fusion's "
          "widest)");
    setup.quantization.activation_bits = *selection.activation_bits;
    if (*selection.activation_bits > 0)
      setup.problem.hardware_activation_bits = *selection.activation_bits;
  }
  if (!selection.bits_set.empty()) setup.problem.bits_set = ParseBitsSet(selection.bits_set);
  if (!selection.objective.empty())
    setup.problem.objective = QuantObjectiveFromName(selection.objective);
  // Training the first time takes minutes: say so on stderr, where progress belongs.
  setup.log = [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); };
  return MakeQuantProblem(setup);
}

}  // namespace tessel::cli
