// MAESTRO's data-centric cost model ("Understanding Reuse, Performance, and Hardware Cost of
// DNN Dataflows: A Data-Centric Approach", Kwon et al., MICRO 2019) for one layer on one
// cluster of P PEs, as ConfuciuX queries it: runtime in cycles, L1/L2 buffer requirements,
// access counts, energy, area and power. docs/maestro_model.md specifies every step, constant
// and quirk, with the MAESTRO source line it comes from; the code follows its sections 2 to 8.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "problems/accel/layer_table.h"

namespace tessel {

// The directive sets ConfuciuX ships (docs/maestro_model.md 1.2). Depthwise layers always use
// the `dpt` set, whatever the network's dataflow.
enum class Dataflow {
  kShi,  // ShiDianNao-like, output stationary: P output columns, k channels per PE
  kDla,  // NVDLA-like, weight stationary: P input channels, k output channels per step
};
// "shi", "dla"; throws tessel::Error naming the known ones.
Dataflow DataflowFromName(std::string_view name);
std::string_view DataflowName(Dataflow dataflow);

// MAESTRO's two constant sets (docs/maestro_model.md 0, 7, 8): the October 2020 source that
// ConfuciuX's published runs used, and the current public source (May 2021 constants and the
// off-chip delay term). Runtimes, buffers and access counts are the same in both.
enum class MaestroVersion { k2020, k2021 };
// "2020", "2021"; throws tessel::Error naming the known ones.
MaestroVersion MaestroVersionFromName(std::string_view name);
std::string_view MaestroVersionName(MaestroVersion version);

// The hardware parameters of ConfuciuX's MAESTRO call (docs/maestro_model.md 1.3).
struct MaestroHardware {
  int64_t noc_bandwidth = 81'920'000;  // elements per cycle, at every cluster level
  int64_t noc_hops = 1;
  int64_t noc_hop_latency = 1;         // cycles per hop
  int64_t simd_lanes = 1;              // MACs per PE per cycle
  int64_t offchip_bandwidth = 70'000;  // elements per cycle (v2021's off-chip term only)
  MaestroVersion version = MaestroVersion::k2021;
};

// Reads and writes of one tensor, in elements, as MAESTRO's CSV reports them.
struct TensorAccesses {
  int64_t l2_read = 0, l2_write = 0, l1_read = 0, l1_write = 0;
};

struct LayerCost {
  // False when MAESTRO reports runtime 0 (shi with X' < P <= X: no case has partial sums,
  // docs/maestro_model.md 5.6), which ConfuciuX treats as an invalid configuration, and when
  // MAESTRO would stop without output (a zero unique count in 4.2; in v2021, a zero compute
  // delay at the top, which its off-chip term divides by); the other fields are then whatever
  // the analysis left and mean nothing.
  bool valid = false;
  int64_t runtime = 0;  // cycles
  int64_t macs = 0;
  int64_t l1_size = 0;  // per-PE buffer requirement, elements (MAESTRO prints "bytes")
  int64_t l2_size = 0;  // shared buffer requirement, elements
  TensorAccesses input, filter, output;
  // nJ: MAESTRO's activity-count energy as printed (7): no MAC term, and no L1 term except for
  // depthwise layers, whose single cluster level makes MAESTRO add it (maestro_hardware.cc)
  double energy = 0;
  double area = 0;   // MAESTRO's area unit (um^2): MACs + L1 + L2 + bus + arbiter (8)
  double power = 0;  // mW, the same terms
  double pe_power = 0, l1_power = 0, l2_power = 0, noc_power = 0;
};

// Analyses one layer on `num_pes` PEs with KTileSz `ktile` (both at least 1).
LayerCost AnalyseLayer(const AccelLayer& layer, Dataflow dataflow, int64_t num_pes, int64_t ktile,
                       const MaestroHardware& hardware = {});

// `value` as MAESTRO prints it and ConfuciuX reads it back: 6 significant digits (printf
// "%.6g"). ConfuciuX sums per-layer areas, energies and powers rounded this way.
double RoundToPrintedDigits(double value);

}  // namespace tessel
