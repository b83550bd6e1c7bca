// Reads the simulator's table (run_simulator.py) on stdin and prints the same table with every
// result column recomputed by Tessel's Bit Fusion model (floats with 17 significant digits,
// which compare.py reads back exactly). The run columns (layer, bits, accelerator, energy
// costs) are copied. Built by hand, not by the project's CMake: see README.md.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "problems/quant/bitfusion_model.h"

namespace {

std::vector<std::string> SplitCsv(const std::string& line) {
  std::vector<std::string> fields;
  std::stringstream stream(line);
  std::string field;
  while (std::getline(stream, field, ',')) fields.push_back(field);
  return fields;
}

// The layer get_conv_cycles was given: K, O, S and channels. The simulator ignores padding, so
// an unpadded input of (O - 1) x S + K gives the same output size.
tessel::QuantLayer LayerOf(std::map<std::string, std::string>& row) {
  tessel::QuantLayer layer;
  layer.name = row["layer"];
  layer.in_channels = std::stoi(row["IC"]);
  layer.out_channels = std::stoi(row["OC"]);
  if (row["kind"] == "fc") {
    layer.kind = tessel::QuantLayerKind::kDense;
    return layer;
  }
  const int kernel = std::stoi(row["K"]), out = std::stoi(row["O"]), stride = std::stoi(row["S"]);
  layer.kind = tessel::QuantLayerKind::kConv;
  layer.kernel = kernel;
  layer.stride = stride;
  layer.in_height = layer.in_width = (out - 1) * stride + kernel;
  return layer;
}

tessel::BitFusionConfig ConfigOf(std::map<std::string, std::string>& row) {
  tessel::BitFusionConfig config;
  config.array_rows = std::stoi(row["N"]);
  config.array_cols = std::stoi(row["M"]);
  config.weight_sram_bytes = std::stoll(row["wgt_sram"]);
  config.activation_sram_bytes = std::stoll(row["act_sram"]);
  config.output_sram_bytes = std::stoll(row["out_sram"]);
  config.dram_bits_per_cycle = std::stoll(row["dram_width"]);
  config.batch = std::stoi(row["batch"]);
  tessel::BitFusionEnergyCosts& e = config.energy;
  e.core_per_cycle = std::strtod(row["e_core"].c_str(), nullptr);
  e.wbuf_read_per_bit = std::strtod(row["e_wbuf_rd"].c_str(), nullptr);
  e.wbuf_write_per_bit = std::strtod(row["e_wbuf_wr"].c_str(), nullptr);
  e.ibuf_read_per_bit = std::strtod(row["e_ibuf_rd"].c_str(), nullptr);
  e.ibuf_write_per_bit = std::strtod(row["e_ibuf_wr"].c_str(), nullptr);
  e.obuf_read_per_bit = std::strtod(row["e_obuf_rd"].c_str(), nullptr);
  e.obuf_write_per_bit = std::strtod(row["e_obuf_wr"].c_str(), nullptr);
  return config;
}

}  // namespace

int main() {
  std::string line;
  std::vector<std::string> header;
  while (std::getline(std::cin, line)) {
    if (line.rfind("config,", 0) == 0) {
      header = SplitCsv(line);
      break;
    }
  }
  const size_t run_columns = 26;  // run_simulator.py's RUN_COLUMNS; the results follow
  for (size_t i = 0; i < header.size(); ++i) std::printf(i ? ",%s" : "%s", header[i].c_str());
  std::printf("\n");
  double seconds = 0;
  int layers = 0;
  while (std::getline(std::cin, line)) {
    if (line.empty() || line[0] == '#') continue;
    const std::vector<std::string> fields = SplitCsv(line);
    std::map<std::string, std::string> row;
    for (size_t i = 0; i < header.size() && i < fields.size(); ++i) row[header[i]] = fields[i];
    const auto start = std::chrono::steady_clock::now();
    const tessel::BitFusionLayerCost c =
        tessel::BitFusionLayer(LayerOf(row), std::stoi(row["wbits"]), std::stoi(row["abits"]),
                               row["im2col"] == "1", ConfigOf(row));
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ++layers;
    for (size_t i = 0; i < run_columns; ++i) std::printf("%s,", fields[i].c_str());
    std::printf(
        "%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%lld,%.17g,%.17g,%.17g,%.17g\n",
        (long long)c.total_cycles, (long long)c.memory_stall_cycles, (long long)c.compute_cycles,
        (long long)c.wbuf_read_bits, (long long)c.wbuf_write_bits, (long long)c.ibuf_read_bits,
        (long long)c.ibuf_write_bits, (long long)c.obuf_read_bits, (long long)c.obuf_write_bits,
        (long long)c.dram_read_bits, (long long)c.dram_write_bits, c.core_energy, c.sram_energy,
        c.dram_energy, c.total_energy);
  }
  std::fprintf(stderr, "%d layers costed in %.3f s (%.3f ms a layer)\n", layers, seconds,
               layers ? 1e3 * seconds / layers : 0.0);
  return 0;
}
