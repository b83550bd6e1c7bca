// The public face of the MAESTRO model: names, argument checks, and the assembly of one layer's
// cost from the pieces (docs/maestro_model.md 1.2 directive sets, 2.4 clusters, 5 runtime,
// 6 buffers and accesses, 7 energy, 8 area and power).
#include "problems/accel/maestro_model.h"

#include <cstdio>
#include <cstdlib>
#include <string>

#include "core/error.h"
#include "problems/accel/maestro_analysis.h"
#include "problems/accel/maestro_clusters.h"
#include "problems/accel/maestro_dataflows.h"
#include "problems/accel/maestro_dimensions.h"
#include "problems/accel/maestro_hardware.h"

namespace tessel {
namespace {

using maestro::TensorClass;

TensorAccesses AccessesOf(const maestro::TensorCounts& counts) {
  return {counts.l2_read, counts.l2_write, counts.l1_read, counts.l1_write};
}

int64_t SumOfRequirements(const maestro::LevelResult& result, bool l2) {
  int64_t total = 0;
  for (const maestro::TensorCounts& counts : result.tensors) {
    total += l2 ? counts.l2_requirement : counts.l1_requirement;
  }
  return total;
}

void CheckArguments(int64_t num_pes, int64_t ktile, const MaestroHardware& hardware) {
  if (num_pes < 1) {
    throw ConfigError("MAESTRO needs at least 1 PE, got " + std::to_string(num_pes) +
                      ": use a PE count of 1 or more");
  }
  if (ktile < 1) {
    throw ConfigError("MAESTRO needs a KTileSz of at least 1, got " + std::to_string(ktile) +
                      ": use a KTileSz of 1 or more");
  }
  // These divide (2.3, 5.1, 5.4); MAESTRO would die on a zero.
  if (hardware.noc_bandwidth < 1 || hardware.simd_lanes < 1 || hardware.offchip_bandwidth < 1) {
    throw ConfigError(
        "MAESTRO's NoC bandwidth, SIMD lanes and off-chip bandwidth must be at least 1: "
        "fix the hardware parameters");
  }
}

}  // namespace

Dataflow DataflowFromName(std::string_view name) {
  if (name == "shi") return Dataflow::kShi;
  if (name == "dla") return Dataflow::kDla;
  throw ConfigError("unknown dataflow '" + std::string(name) + "': use shi or dla");
}

std::string_view DataflowName(Dataflow dataflow) {
  return dataflow == Dataflow::kDla ? "dla" : "shi";
}

MaestroVersion MaestroVersionFromName(std::string_view name) {
  if (name == "2020") return MaestroVersion::k2020;
  if (name == "2021") return MaestroVersion::k2021;
  throw ConfigError("unknown MAESTRO version '" + std::string(name) + "': use 2020 or 2021");
}

std::string_view MaestroVersionName(MaestroVersion version) {
  return version == MaestroVersion::k2020 ? "2020" : "2021";
}

LayerCost AnalyseLayer(const AccelLayer& layer, Dataflow dataflow, int64_t num_pes, int64_t ktile,
                       const MaestroHardware& hardware) {
  CheckArguments(num_pes, ktile, hardware);
  const maestro::DimTable layer_dims = maestro::LayerDimensions(layer);
  const maestro::TensorSet& tensors = maestro::TensorsOf(layer.type);
  // docs/maestro_model.md 1.1-1.2: CTileSz is always 1 and ClusterSz always P.
  const maestro::MappingConstants mapping_constants{
      .ktile_size = ktile, .ctile_size = 1, .cluster_size = num_pes};
  const maestro::ResolvedDataflow directives = maestro::ResolveDataflow(
      maestro::MappingDirectives(maestro::DirectiveSetFor(dataflow, layer.type)), mapping_constants,
      layer_dims);
  const maestro::ClusterStack clusters =
      maestro::BuildClusters(directives, layer_dims, num_pes, tensors);
  const maestro::LayerAnalysis analysis =
      maestro::AnalyseClusterStack(clusters, tensors, layer_dims, hardware);
  const maestro::LevelResult& top = analysis.top;

  LayerCost cost;
  cost.runtime = top.runtime;
  // 1.4: ConfuciuX treats runtime 0 (and no output at all) as an invalid configuration.
  cost.valid = top.runtime != 0 && !analysis.aborted;
  cost.macs = top.macs;
  // 6.2: L2 from the top result, L1 (per PE) from the first innermost one.
  cost.l2_size = SumOfRequirements(top, /*l2=*/true);
  cost.l1_size = SumOfRequirements(analysis.first_innermost, /*l2=*/false);
  cost.input = AccessesOf(top[TensorClass::kInput]);
  cost.filter = AccessesOf(top[TensorClass::kFilter]);
  cost.output = AccessesOf(top[TensorClass::kOutput]);

  const maestro::HardwareConstants& hardware_constants = maestro::ConstantsOf(hardware.version);
  const bool single_level = clusters.size() == 1;
  cost.energy = maestro::ActivityEnergy(top, single_level, hardware_constants);
  const maestro::AreaPower area_power = maestro::AcceleratorAreaPower(
      num_pes, cost.l1_size, cost.l2_size, hardware, hardware_constants);
  cost.area = area_power.area;
  cost.power = area_power.power;
  cost.pe_power = area_power.pe_power;
  cost.l1_power = area_power.l1_power;
  cost.l2_power = area_power.l2_power;
  cost.noc_power = area_power.noc_power;
  return cost;
}

double RoundToPrintedDigits(double value) {
  // MAESTRO prints with C++ stream defaults (6 significant digits, like %.6g) and ConfuciuX
  // parses the text back (docs/maestro_model.md 1.4).
  char text[64];
  std::snprintf(text, sizeof(text), "%.6g", value);
  return std::strtod(text, nullptr);
}

}  // namespace tessel
