#include "problems/accel/maestro_hardware.h"

#include <algorithm>
#include <cmath>

namespace tessel::maestro {
namespace {

// docs/maestro_model.md 8, DSE_scaling-coefficients.hpp:31-36 (28 nm), the same in both versions.
constexpr double kArbiterC2 = 1.2886;
constexpr double kArbiterC1 = 5.5814;
constexpr double kArbiterC0 = -23.711;
constexpr double kBusC1 = 14.662;
constexpr double kBusC0 = 28.895;

// docs/maestro_model.md 7 and 8, the v2020 column (DSE_cost-database.hpp:31-47 at 7723091).
constexpr HardwareConstants kConstants2020{
    .mac_area = 4470.9014,
    .mac_power = 1.2223,
    .mac_energy = 0.904,
    .sram_unit_size_64 = 64,
    .sram_area_64 = 4505.1889,
    .sram_power_64 = 0.2208,
    .sram_unit_size_32768 = 32768,
    .sram_area_32768 = 4161.536,
    .sram_power_32768 = 4,
    .bus_unit_area = 101.7938,
    .bus_unit_power = 0.8,
    .arbiter_unit_area = 395.473,
    .arbiter_unit_power = 0.34,
    .l1_energy_multiplier = 1.68,
    .l2_energy_multiplier = 18.61,
};

// The v2021 column (commit 6fef3f8, DSE_cost-database.hpp:62-78 at 4eb08d1): per-element SRAM
// cells and far smaller MAC area and energy.
constexpr HardwareConstants kConstants2021{
    .mac_area = 283,
    .mac_power = 1.2223,
    .mac_energy = 0.00023,
    .sram_unit_size_64 = 1,
    .sram_area_64 = 0.104,
    .sram_power_64 = 0.00345,
    .sram_unit_size_32768 = 1,
    .sram_area_32768 = 0.104,
    .sram_power_32768 = 0.00345,
    .bus_unit_area = 101.7938,
    .bus_unit_power = 0.8,
    .arbiter_unit_area = 395.473,
    .arbiter_unit_power = 0.34,
    .l1_energy_multiplier = 1.68,
    .l2_energy_multiplier = 18.61,
};

// DSE::SRAM: whole cells of the unit size, and at least one.
double SramCells(int64_t size, double unit_size) {
  const double cells = std::ceil(static_cast<double>(size) / unit_size);
  return cells == 0 ? 1 : cells;
}

}  // namespace

const HardwareConstants& ConstantsOf(MaestroVersion version) {
  return version == MaestroVersion::k2020 ? kConstants2020 : kConstants2021;
}

double ActivityEnergy(const LevelResult& top, bool with_l1_term, const HardwareConstants& cost) {
  // OutputResults (API_user-interface-v2.hpp:832-907): each count times its multiplier, summed
  // in this order in a double, then scaled by the MAC energy. There is no MAC term and no term
  // for the output's L2 reads.
  const TensorCounts& input = top[TensorClass::kInput];
  const TensorCounts& filter = top[TensorClass::kFilter];
  const TensorCounts& output = top[TensorClass::kOutput];
  double energy = 0;
  for (int64_t count :
       {input.l2_read, input.l2_write, filter.l2_read, filter.l2_write, output.l2_write}) {
    energy += static_cast<double>(count) * cost.l2_energy_multiplier;
  }
  // Quirk (7): the L1 counts are added while OUT[0] is processed but set only when the top
  // result is; with two levels OUT[0] comes first and they are still 0. With one level (dpt)
  // OUT[0] is the top result, processed first, so its L1 counts do count.
  if (with_l1_term) {
    for (int64_t count : {input.l1_read, input.l1_write, filter.l1_read, filter.l1_write,
                          output.l1_read, output.l1_write}) {
      energy += static_cast<double>(count) * cost.l1_energy_multiplier;
    }
  }
  return energy * cost.mac_energy;
}

AreaPower AcceleratorAreaPower(int64_t num_pes, int64_t l1_size, int64_t l2_size,
                               const MaestroHardware& hardware, const HardwareConstants& cost) {
  // ReconstructAccelerator (DSE_hardware_modules.hpp:206-245): every sum is accumulated the way
  // MAESTRO's module tree adds it up, PE by PE, so that the sixth printed digit matches.
  const double vector_width = static_cast<double>(hardware.simd_lanes);
  const double l1_cells = SramCells(l1_size, cost.sram_unit_size_64);
  const double mac_area = cost.mac_area * vector_width;
  const double mac_power = cost.mac_power * vector_width;
  const double l1_area = cost.sram_area_64 * l1_cells;
  const double l1_power = cost.sram_power_64 * l1_cells;
  AreaPower result;
  double pe_array_area = 0, pe_array_power = 0;
  for (int64_t pe = 0; pe < num_pes; ++pe) {
    pe_array_area += 0.0 + mac_area + l1_area;
    pe_array_power += 0.0 + mac_power + l1_power;
    result.pe_power += mac_power;
    result.l1_power += l1_power;
  }
  const double l2_cells = SramCells(l2_size, cost.sram_unit_size_32768);
  const double l2_area = cost.sram_area_32768 * l2_cells;
  result.l2_power = cost.sram_power_32768 * l2_cells;

  // The bus and the matrix arbiter scale with the number of PEs; the bus also with the NoC
  // bandwidth, which makes it the dominant term for ConfuciuX's 81,920,000.
  const double connections = static_cast<double>(num_pes);
  const double bandwidth = static_cast<double>(hardware.noc_bandwidth);
  const double bus_scale = kBusC1 * connections + kBusC0;
  const double bus_area = cost.bus_unit_area * bus_scale * bandwidth;
  const double bus_power = cost.bus_unit_power * bus_scale / 1000 * bandwidth;
  const double arbiter_scale =
      kArbiterC2 * (connections * connections) + kArbiterC1 * connections + kArbiterC0;
  const double arbiter_area =
      std::max(cost.arbiter_unit_area * arbiter_scale, cost.arbiter_unit_area);
  const double arbiter_power =
      std::max(cost.arbiter_unit_power * arbiter_scale / 1000, cost.arbiter_unit_power);
  const double noc_area = 0.0 + bus_area + arbiter_area;
  result.noc_power = 0.0 + bus_power + arbiter_power;

  result.area = 0.0 + pe_array_area + l2_area + noc_area;
  result.power = 0.0 + pe_array_power + result.l2_power + result.noc_power;
  return result;
}

}  // namespace tessel::maestro
