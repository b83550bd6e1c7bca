// MAESTRO's hardware cost side (docs/maestro_model.md 7 and 8): the activity-count energy it
// prints, and the area and power of the accelerator it rebuilds for every layer, with the
// constant tables of both source versions.
#pragma once

#include <cstdint>

#include "problems/accel/maestro_analysis.h"
#include "problems/accel/maestro_model.h"

namespace tessel::maestro {

// DSE_cost-database.hpp (v2020: lines 31-47; v2021: 62-78 at 4eb08d1) and BASE_constants.hpp.
struct HardwareConstants {
  double mac_area, mac_power, mac_energy;
  double sram_unit_size_64, sram_area_64, sram_power_64;
  double sram_unit_size_32768, sram_area_32768, sram_power_32768;
  double bus_unit_area, bus_unit_power;
  double arbiter_unit_area, arbiter_unit_power;
  double l1_energy_multiplier, l2_energy_multiplier;
};
const HardwareConstants& ConstantsOf(MaestroVersion version);

// docs/maestro_model.md 7: the energy (nJ) MAESTRO prints for a layer, from the top result's
// counts; `with_l1_term` says whether its L1 counts are already set when it adds them (only
// when the top result is also OUT[0], i.e. a single cluster level).
double ActivityEnergy(const LevelResult& top, bool with_l1_term, const HardwareConstants& cost);

struct AreaPower {
  double area = 0, power = 0;
  double pe_power = 0, l1_power = 0, l2_power = 0, noc_power = 0;
};

// docs/maestro_model.md 8 (DSE::Accelerator::ReconstructAccelerator): P PEs each with a MAC
// and an L1 of `l1_size`, a shared L2 of `l2_size`, and a bus with its arbiter.
AreaPower AcceleratorAreaPower(int64_t num_pes, int64_t l1_size, int64_t l2_size,
                               const MaestroHardware& hardware, const HardwareConstants& cost);

}  // namespace tessel::maestro
