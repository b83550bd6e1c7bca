// measure_cost's seeded sample of a zoo layer's configurations, with the data they run on.
// kernel_time and warmup_curve draw theirs here too, so that a seed and an index name the same
// configuration in all three programs.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "core/rng.h"
#include "problems/schedule/operator_template.h"
#include "problems/schedule/zoo.h"

namespace tessel {

struct ConfigSample {
  std::unique_ptr<OperatorTemplate> tmpl;
  std::vector<Config>
      configs;  // up to `count`: draws that found no valid configuration are left out
  OperatorData data;
};

inline ConfigSample SampleConfigs(const ZooLayer& layer, int count, uint64_t seed) {
  ConfigSample sample{MakeOperatorTemplate(layer.workload), {}, {}};
  Rng rng(seed);
  for (int i = 0; i < count; ++i)
    if (auto config = sample.tmpl->space().SampleValid(rng)) sample.configs.push_back(*config);
  Rng data_rng(seed);
  sample.data = sample.tmpl->RandomData(data_rng);
  return sample;
}

}  // namespace tessel
