#include "problems/accel/maestro_model.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/rng.h"
#include "problems/accel/layer_table.h"

namespace tessel {
namespace {

// ConfuciuX's `example` network (docs/maestro_model.md 10).
const AccelLayer kExampleLayer1{64, 32, 56, 56, 3, 3, AccelLayerType::kConv};
const AccelLayer kExampleLayer2{128, 64, 56, 56, 3, 3, AccelLayerType::kConv};

// ConfuciuX's 12 PE levels (docs/maestro_model.md 9.1); KTileSz is 1..12.
const std::vector<int64_t> kPeLevels = {1, 2, 4, 8, 12, 16, 24, 32, 48, 64, 96, 128};

MaestroHardware Hardware(MaestroVersion version) {
  MaestroHardware hardware;
  hardware.version = version;
  return hardware;
}

LayerCost Analyse(const AccelLayer& layer, Dataflow dataflow, int64_t pes, int64_t ktile,
                  MaestroVersion version = MaestroVersion::k2021) {
  return AnalyseLayer(layer, dataflow, pes, ktile, Hardware(version));
}

// The message of the tessel::Error `action` throws, or "" when it throws none; fails the test
// when the error is not a configuration error.
std::string ConfigErrorOf(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), ErrorKind::kConfig) << e.what();
    return e.what();
  }
  return "";
}

int64_t OutputRows(const AccelLayer& layer) { return layer.y - layer.r + 1; }
int64_t OutputColumns(const AccelLayer& layer) { return layer.x - layer.s + 1; }

TEST(MaestroNamesTest, DataflowsAndVersionsRoundTrip) {
  for (Dataflow dataflow : {Dataflow::kShi, Dataflow::kDla}) {
    EXPECT_EQ(DataflowFromName(DataflowName(dataflow)), dataflow);
  }
  EXPECT_EQ(DataflowName(Dataflow::kShi), "shi");
  EXPECT_EQ(DataflowName(Dataflow::kDla), "dla");
  for (MaestroVersion version : {MaestroVersion::k2020, MaestroVersion::k2021}) {
    EXPECT_EQ(MaestroVersionFromName(MaestroVersionName(version)), version);
  }
  EXPECT_EQ(MaestroVersionName(MaestroVersion::k2020), "2020");
  EXPECT_EQ(MaestroVersionName(MaestroVersion::k2021), "2021");
}

TEST(MaestroNamesTest, UnknownNamesAreOneLineConfigErrors) {
  EXPECT_EQ(ConfigErrorOf([] { DataflowFromName("dpt"); }),
            "unknown dataflow 'dpt': use shi or dla");
  EXPECT_EQ(ConfigErrorOf([] { MaestroVersionFromName("2022"); }),
            "unknown MAESTRO version '2022': use 2020 or 2021");
}

TEST(MaestroModelTest, RejectsFewerThanOnePeOrKTile) {
  const std::string no_pes = ConfigErrorOf([] { Analyse(kExampleLayer1, Dataflow::kShi, 0, 4); });
  EXPECT_NE(no_pes.find("at least 1 PE"), std::string::npos) << no_pes;
  const std::string no_ktile =
      ConfigErrorOf([] { Analyse(kExampleLayer1, Dataflow::kDla, 4, -1); });
  EXPECT_NE(no_ktile.find("KTileSz"), std::string::npos) << no_ktile;
  EXPECT_EQ(no_ktile.find('\n'), std::string::npos);
}

TEST(MaestroModelTest, RoundToPrintedDigitsKeepsSixSignificantDigits) {
  EXPECT_EQ(RoundToPrintedDigits(61898.73456), 61898.7);
  EXPECT_EQ(RoundToPrintedDigits(1234567.0), 1234570.0);
  EXPECT_EQ(RoundToPrintedDigits(7.3323649e12), 7.33236e12);
  EXPECT_EQ(RoundToPrintedDigits(0.000123456789), 0.000123457);
  EXPECT_EQ(RoundToPrintedDigits(42.0), 42.0);
  EXPECT_EQ(RoundToPrintedDigits(-2.5e-7), -2.5e-7);
}

// docs/maestro_model.md 10.2: the four layer runs of ConfuciuX's best and random results.
struct WorkedRun {
  const AccelLayer* layer;
  int64_t pes, ktile;
  int64_t runtime, macs, l1_size, l2_size;
  double area_2020, area_2021, power, energy_2020, energy_2021;
  TensorAccesses input, filter, output;  // L2 read, L2 write, L1 read, L1 write
};

const std::vector<WorkedRun>& WorkedRuns() {
  static const std::vector<WorkedRun> runs = {
      {&kExampleLayer1,
       58,
       8,
       999'937,
       53'747'712,
       306,
       3'296,
       7.33237e12,
       7.33236e12,
       5.76254e7,
       1.29558e8,
       32962.7,
       {1'288'280, 100'352, 53'747'712, 1'288'280},
       {321'984, 18'432, 53'747'712, 321'984},
       {186'624, 5'971'968, 53'747'712, 53'747'712}},
      {&kExampleLayer2,
       68,
       8,
       3'999'745,
       214'990'848,
       306,
       3'296,
       8.55502e12,
       8.55502e12,
       6.72343e7,
       5.15244e8,
       131091,
       {5'156'760, 200'704, 214'990'848, 5'156'760},
       {1'307'520, 73'728, 214'990'848, 1'307'520},
       {373'248, 23'887'872, 214'990'848, 214'990'848}},
      {&kExampleLayer1,
       64,
       2,
       1'013'761,
       53'747'712,
       90,
       1'244,
       8.06596e12,
       8.06596e12,
       6.33907e7,
       1.94563e8,
       49501.7,
       {5'152'280, 100'352, 53'747'712, 5'152'280},
       {321'984, 18'432, 53'747'712, 321'984},
       {186'624, 5'971'968, 53'747'712, 53'747'712}},
      {&kExampleLayer2,
       64,
       9,
       4'216'321,
       214'990'848,
       342,
       3'638,
       8.06596e12,
       8.06596e12,
       6.33907e7,
       5.11026e8,
       130018,
       {4'834'480, 200'704, 214'990'848, 4'834'480},
       {1'379'025, 73'728, 214'990'848, 1'379'025},
       {373'248, 23'887'872, 214'990'848, 214'990'848}},
  };
  return runs;
}

void ExpectAccesses(const TensorAccesses& actual, const TensorAccesses& expected,
                    const std::string& tensor) {
  EXPECT_EQ(actual.l2_read, expected.l2_read) << tensor << " L2 read";
  EXPECT_EQ(actual.l2_write, expected.l2_write) << tensor << " L2 write";
  EXPECT_EQ(actual.l1_read, expected.l1_read) << tensor << " L1 read";
  EXPECT_EQ(actual.l1_write, expected.l1_write) << tensor << " L1 write";
}

TEST(MaestroWorkedExampleTest, Section10RunsInBothVersions) {
  for (const WorkedRun& run : WorkedRuns()) {
    for (MaestroVersion version : {MaestroVersion::k2020, MaestroVersion::k2021}) {
      SCOPED_TRACE("P=" + std::to_string(run.pes) + " k=" + std::to_string(run.ktile) + " v" +
                   std::string(MaestroVersionName(version)));
      const LayerCost cost = Analyse(*run.layer, Dataflow::kShi, run.pes, run.ktile, version);
      EXPECT_TRUE(cost.valid);
      EXPECT_EQ(cost.runtime, run.runtime);
      EXPECT_EQ(cost.macs, run.macs);
      EXPECT_EQ(cost.l1_size, run.l1_size);
      EXPECT_EQ(cost.l2_size, run.l2_size);
      const bool v2020 = version == MaestroVersion::k2020;
      EXPECT_EQ(RoundToPrintedDigits(cost.area), v2020 ? run.area_2020 : run.area_2021);
      EXPECT_EQ(RoundToPrintedDigits(cost.power), run.power);
      EXPECT_EQ(RoundToPrintedDigits(cost.energy), v2020 ? run.energy_2020 : run.energy_2021);
      ExpectAccesses(cost.input, run.input, "input");
      ExpectAccesses(cost.filter, run.filter, "filter");
      ExpectAccesses(cost.output, run.output, "output");
    }
  }
}

TEST(MaestroWorkedExampleTest, NetworkTotalsAsConfuciuxRecorded) {
  const auto latency = [](int64_t p1, int64_t k1, int64_t p2, int64_t k2) {
    return Analyse(kExampleLayer1, Dataflow::kShi, p1, k1).runtime +
           Analyse(kExampleLayer2, Dataflow::kShi, p2, k2).runtime;
  };
  EXPECT_EQ(latency(58, 8, 68, 8), 4'999'682);
  EXPECT_EQ(latency(68, 8, 58, 8), 4'999'682);
  EXPECT_EQ(latency(64, 2, 64, 9), 5'230'082);
  EXPECT_EQ(latency(64, 9, 64, 2), 5'179'394);
  EXPECT_EQ(latency(64, 5, 64, 4), 5'036'546);
  // The used constraint: per-layer areas rounded to 6 digits, then summed (1.4).
  const auto used = [](MaestroVersion version, int64_t p1, int64_t k1, int64_t p2, int64_t k2) {
    return RoundToPrintedDigits(Analyse(kExampleLayer1, Dataflow::kShi, p1, k1, version).area) +
           RoundToPrintedDigits(Analyse(kExampleLayer2, Dataflow::kShi, p2, k2, version).area);
  };
  EXPECT_EQ(used(MaestroVersion::k2020, 58, 8, 68, 8), 15'887'390'000'000.0);
  EXPECT_EQ(used(MaestroVersion::k2021, 58, 8, 68, 8), 15'887'380'000'000.0);
  EXPECT_EQ(used(MaestroVersion::k2020, 64, 2, 64, 9), 16'131'920'000'000.0);
}

// The one complete MAESTRO output row in ConfuciuX's repository (docs/maestro_model.md 11):
// layer 1 of `example`, shi, P = 4, KTileSz 4, MAESTRO v2021. Header name -> printed text.
std::map<std::string, std::string> ReadRecordedRow() {
  const std::string path = std::string(TESSEL_SOURCE_DIR) +
                           "/bench/accel/reference/maestro_2021_output_row_773714279.csv";
  std::ifstream file(path);
  EXPECT_TRUE(file.good()) << "cannot read " << path;
  std::string header, row;
  std::getline(file, header);
  std::getline(file, row);
  const auto split = [](const std::string& line) {
    std::vector<std::string> cells;
    std::stringstream stream(line);
    for (std::string cell; std::getline(stream, cell, ',');) {
      const size_t first = cell.find_first_not_of(" \r");
      const size_t last = cell.find_last_not_of(" \r");
      cells.push_back(first == std::string::npos ? "" : cell.substr(first, last - first + 1));
    }
    return cells;
  };
  const std::vector<std::string> names = split(header), values = split(row);
  EXPECT_EQ(names.size(), values.size());
  std::map<std::string, std::string> columns;
  for (size_t i = 0; i < std::min(names.size(), values.size()); ++i) columns[names[i]] = values[i];
  return columns;
}

TEST(MaestroRecordedRowTest, ReproducesTheMaestro2021OutputRow) {
  const LayerCost cost = Analyse(kExampleLayer1, Dataflow::kShi, 4, 4, MaestroVersion::k2021);
  // The values docs/maestro_model.md 11 quotes.
  EXPECT_TRUE(cost.valid);
  EXPECT_EQ(cost.runtime, 14'063'617);
  EXPECT_EQ(RoundToPrintedDigits(cost.energy), 61898.7);
  EXPECT_EQ(RoundToPrintedDigits(cost.area), 7.30017e11);
  EXPECT_EQ(RoundToPrintedDigits(cost.power), 5.73723e6);
  EXPECT_EQ(cost.l1_size, 162);
  EXPECT_EQ(cost.l2_size, 228);

  // Every column of the row that the model produces.
  std::map<std::string, std::string> row = ReadRecordedRow();
  const auto integer = [&](const std::string& name) {
    EXPECT_TRUE(row.count(name)) << "no column " << name;
    return std::stoll(row[name]);
  };
  const auto printed = [&](const std::string& name) {
    EXPECT_TRUE(row.count(name)) << "no column " << name;
    return std::stod(row[name]);
  };
  EXPECT_EQ(integer("NumPEs"), 4);
  EXPECT_EQ(cost.runtime, integer("Runtime (Cycles)"));
  EXPECT_EQ(cost.macs, integer("Num MACs"));
  EXPECT_EQ(cost.l1_size, integer("L1 SRAM Size Req (Bytes)"));
  EXPECT_EQ(cost.l2_size, integer("L2 SRAM Size Req (Bytes)"));
  EXPECT_EQ(RoundToPrintedDigits(cost.energy), printed("Activity count-based Energy (nJ)"));
  EXPECT_EQ(RoundToPrintedDigits(static_cast<double>(cost.macs) / cost.runtime),
            printed("Throughput (MACs/Cycle)"));
  EXPECT_EQ(RoundToPrintedDigits(cost.area), printed("Area"));
  EXPECT_EQ(RoundToPrintedDigits(cost.power), printed("Power"));
  EXPECT_EQ(RoundToPrintedDigits(cost.pe_power), printed("PE power"));
  EXPECT_EQ(RoundToPrintedDigits(cost.l1_power), printed("L1 power"));
  EXPECT_EQ(RoundToPrintedDigits(cost.l2_power), printed("L2 power"));
  EXPECT_EQ(RoundToPrintedDigits(cost.noc_power), printed("NOC power"));
  const std::pair<std::string, const TensorAccesses*> tensors[] = {
      {"input", &cost.input}, {"filter", &cost.filter}, {"output", &cost.output}};
  for (const auto& [name, accesses] : tensors) {
    EXPECT_EQ(accesses->l1_read, integer(name + " l1 read")) << name;
    EXPECT_EQ(accesses->l1_write, integer(name + " l1 write")) << name;
    EXPECT_EQ(accesses->l2_read, integer(name + " l2 read")) << name;
    EXPECT_EQ(accesses->l2_write, integer(name + " l2 write")) << name;
  }
}

TEST(MaestroBudgetTest, ExampleCornersGiveConfuciuxRange) {
  // docs/maestro_model.md 1.5: the four corners of the action space, each on every layer.
  const std::pair<int64_t, int64_t> corners[] = {{128, 12}, {1, 1}, {128, 1}, {1, 12}};
  for (MaestroVersion version : {MaestroVersion::k2020, MaestroVersion::k2021}) {
    double low = std::numeric_limits<double>::infinity(), high = 0;
    for (const auto& [pes, ktile] : corners) {
      double sum = 0;
      for (const AccelLayer* layer : {&kExampleLayer1, &kExampleLayer2}) {
        sum += RoundToPrintedDigits(Analyse(*layer, Dataflow::kShi, pes, ktile, version).area);
      }
      low = std::min(low, sum);
      high = std::max(high, sum);
    }
    EXPECT_EQ(low, 726'440'000'000.0) << MaestroVersionName(version);
    EXPECT_EQ(high, 31'782'000'000'000.0) << MaestroVersionName(version);
  }
}

TEST(MaestroDlaTest, Section103Values) {
  const auto runtime = [](const AccelLayer& layer, int64_t pes, int64_t ktile) {
    const LayerCost cost = Analyse(layer, Dataflow::kDla, pes, ktile);
    EXPECT_TRUE(cost.valid);
    return cost.runtime;
  };
  EXPECT_EQ(runtime(kExampleLayer1, 58, 8), 1'702'945);
  EXPECT_EQ(runtime(kExampleLayer2, 68, 8), 3'405'889);
  EXPECT_EQ(runtime(kExampleLayer1, 58, 8) + runtime(kExampleLayer2, 68, 8), 5'108'834);
  EXPECT_EQ(runtime(kExampleLayer1, 64, 2), 1'772'929);
  EXPECT_EQ(runtime(kExampleLayer2, 64, 9), 3'586'681);
  EXPECT_EQ(runtime(kExampleLayer1, 64, 2) + runtime(kExampleLayer2, 64, 9), 5'359'610);
}

// docs/maestro_model.md 5.6 and 6.3: what the algorithm reduces to for CONV layers with
// ConfuciuX's settings. Expected values for one configuration; runtime 0 means invalid.
struct ClosedForm {
  int64_t runtime, macs, l1_size, l2_size;
};

ClosedForm ShiClosedForm(const AccelLayer& l, int64_t p, int64_t k) {
  const int64_t x_out = OutputColumns(l), y_out = OutputRows(l);
  if (x_out < p && p <= l.x) return {0, 0, 0, 0};  // no case has partial sums (5.6)
  const int64_t k_eff = std::min(k, l.k);
  const int64_t step_macs = k_eff * l.r * l.s;
  // Y' in tiles of R rows, and a last tile of the remaining rows.
  int64_t per_column_tile = (y_out / l.r) * (1 + l.r * step_macs);
  if (y_out % l.r > 0) per_column_tile += 1 + (y_out % l.r) * step_macs;
  const int64_t k_tiles = (l.k + k - 1) / k, x_tiles = (x_out + p - 1) / p;
  const int64_t runtime = 1 + k_tiles * l.c * x_tiles * per_column_tile;
  const bool tile_fits = p + l.s - 1 <= l.x;
  const int64_t x_in_tile = tile_fits ? p + l.s - 1 : l.x;
  const int64_t x_out_tile = tile_fits ? p : x_out;
  const int64_t l2 = 2 * ((2 * l.r - 1) * x_in_tile + k_eff * l.r * l.s + k_eff * l.r * x_out_tile);
  // The MAC count is exact but for quirk 4.4: in the last, partial Y' tile (Y' mod R rows)
  // MAESTRO counts the tile's input rows, Y' mod R + R - 1, as output rows.
  const int64_t counted_rows = y_out + (y_out % l.r > 0 ? l.r - 1 : 0);
  const int64_t macs = l.k * l.c * counted_rows * x_out * l.r * l.s;
  return {runtime, macs, 2 * l.r * l.s * (1 + 2 * k), l2};
}

ClosedForm DlaClosedForm(const AccelLayer& l, int64_t p, int64_t k) {
  const int64_t x_out = OutputColumns(l), y_out = OutputRows(l);
  const int64_t k_eff = std::min(k, l.k);
  const int64_t k_tiles = (l.k + k - 1) / k, c_tiles = (l.c + p - 1) / p;
  const int64_t runtime = 1 + k_tiles * c_tiles * y_out * x_out * (1 + k_eff * l.r * l.s);
  const int64_t c_eff = std::min(p, l.c);
  const int64_t l2 = 2 * (c_eff * l.r * l.s + k_eff * c_eff * l.r * l.s + k_eff);
  return {runtime, l.k * l.c * y_out * x_out * l.r * l.s, 2 * l.r * l.s * (1 + 2 * k), l2};
}

// Compares the algorithm with the closed forms; returns a description of any difference.
std::string ClosedFormMismatch(const AccelLayer& layer, Dataflow dataflow, int64_t p, int64_t k) {
  const ClosedForm expected =
      dataflow == Dataflow::kShi ? ShiClosedForm(layer, p, k) : DlaClosedForm(layer, p, k);
  const LayerCost cost = Analyse(layer, dataflow, p, k);
  std::ostringstream out;
  out << DataflowName(dataflow) << " K=" << layer.k << " C=" << layer.c << " Y=" << layer.y
      << " X=" << layer.x << " R=" << layer.r << " S=" << layer.s << " P=" << p << " k=" << k
      << ":";
  bool same = cost.runtime == expected.runtime && cost.valid == (expected.runtime != 0);
  if (expected.runtime != 0) {
    same = same && cost.macs == expected.macs && cost.l1_size == expected.l1_size &&
           cost.l2_size == expected.l2_size;
  }
  if (same) return "";
  out << " runtime " << cost.runtime << " vs " << expected.runtime << ", valid " << cost.valid
      << ", MACs " << cost.macs << " vs " << expected.macs << ", L1 " << cost.l1_size << " vs "
      << expected.l1_size << ", L2 " << cost.l2_size << " vs " << expected.l2_size;
  return out.str();
}

// Counts mismatches over `configs`, reporting the first few.
class MismatchCollector {
 public:
  void Check(const AccelLayer& layer, Dataflow dataflow, int64_t p, int64_t k) {
    ++checked_;
    const std::string mismatch = ClosedFormMismatch(layer, dataflow, p, k);
    if (mismatch.empty()) return;
    if (++mismatches_ <= 5) ADD_FAILURE() << mismatch;
  }
  int mismatches() const { return mismatches_; }
  int checked() const { return checked_; }

 private:
  int mismatches_ = 0, checked_ = 0;
};

TEST(MaestroClosedFormTest, BuiltInNetworksMatchSections56And63) {
  Rng rng(20240611);
  MismatchCollector collector;
  int invalid = 0;
  for (const char* net : {"example", "alexnet", "vgg16", "resnet18", "mobilenet_v2"}) {
    for (const AccelLayer& layer : FindLayerTable(net).layers) {
      if (layer.type != AccelLayerType::kConv) continue;
      std::vector<std::pair<int64_t, int64_t>> configs;
      for (int64_t k = 1; k <= 12; ++k) {
        for (int64_t p : kPeLevels) configs.push_back({p, k});
      }
      for (int i = 0; i < 24; ++i)
        configs.push_back({rng.UniformInt(1, 128), rng.UniformInt(1, 12)});
      for (const auto& [p, k] : configs) {
        for (Dataflow dataflow : {Dataflow::kShi, Dataflow::kDla}) {
          collector.Check(layer, dataflow, p, k);
        }
        if (ShiClosedForm(layer, p, k).runtime == 0) ++invalid;
      }
    }
  }
  EXPECT_EQ(collector.mismatches(), 0) << "of " << collector.checked();
  EXPECT_GT(invalid, 0) << "the sample should reach shi's invalid region (AlexNet)";
}

TEST(MaestroClosedFormTest, SyntheticLayersMatchSections56And63) {
  // The synthetic family of 5.6: K, C in 1..40, R = S in {1,3,5,7}, 2R-1 <= Y <= 60,
  // S <= X <= 60.
  Rng rng(7);
  MismatchCollector collector;
  const int64_t filter_sizes[] = {1, 3, 5, 7};
  for (int i = 0; i < 500; ++i) {
    AccelLayer layer;
    layer.k = rng.UniformInt(1, 40);
    layer.c = rng.UniformInt(1, 40);
    layer.r = layer.s = filter_sizes[rng.UniformInt(0, 3)];
    layer.y = rng.UniformInt(2 * layer.r - 1, 60);
    layer.x = rng.UniformInt(layer.s, 60);
    std::vector<std::pair<int64_t, int64_t>> configs;
    for (int j = 0; j < 6; ++j) configs.push_back({rng.UniformInt(1, 128), rng.UniformInt(1, 12)});
    // The edges of shi's invalid region X' < P <= X, and P around C for dla.
    const int64_t x_out = OutputColumns(layer);
    for (int64_t p : {x_out, x_out + 1, layer.x, layer.x + 1, layer.c}) {
      configs.push_back({p, rng.UniformInt(1, 12)});
    }
    for (const auto& [p, k] : configs) {
      for (Dataflow dataflow : {Dataflow::kShi, Dataflow::kDla}) {
        collector.Check(layer, dataflow, p, k);
      }
    }
  }
  EXPECT_EQ(collector.mismatches(), 0) << "of " << collector.checked();
}

TEST(MaestroClosedFormTest, AlexnetHitsShisInvalidRegion) {
  // docs/maestro_model.md 5.6: P = 24 on the 27-wide layer (S = 5), P = 12 on a 13-wide one.
  const AccelLayer wide{192, 64, 27, 27, 5, 5, AccelLayerType::kConv};
  const AccelLayer narrow{384, 192, 13, 13, 3, 3, AccelLayerType::kConv};
  for (const auto& [layer, pes] : {std::pair{wide, 24}, std::pair{narrow, 12}}) {
    const LayerCost shi = Analyse(layer, Dataflow::kShi, pes, 4);
    EXPECT_FALSE(shi.valid);
    EXPECT_EQ(shi.runtime, 0);
    EXPECT_TRUE(Analyse(layer, Dataflow::kDla, pes, 4).valid);
    EXPECT_TRUE(Analyse(layer, Dataflow::kShi, pes - 1, 4).valid);
  }
}

TEST(MaestroDepthwiseTest, HandDerivedSmallLayer) {
  // Derived by hand from docs/maestro_model.md 2-7 for C = 4, a 3x3 input and filter (one
  // output pixel per channel), P = 2, KTileSz 1. One cluster of 2 PEs, E = 1; the C SpatialMap
  // has Init and one Steady step (2 channels each), everything else is unrolled. Per step and
  // PE: 9 input and 9 filter elements in, 9 MACs, 1 output out. Case 0 (all Init) costs
  // 9 + 1 cycles, case 1 costs 9: runtime 19.
  const AccelLayer layer{1, 4, 3, 3, 3, 3, AccelLayerType::kDepthwise};
  for (MaestroVersion version : {MaestroVersion::k2020, MaestroVersion::k2021}) {
    const LayerCost cost = Analyse(layer, Dataflow::kShi, 2, 1, version);
    EXPECT_TRUE(cost.valid);
    EXPECT_EQ(cost.runtime, 19);
    EXPECT_EQ(cost.macs, 36);
    EXPECT_EQ(cost.l1_size, 54);  // 2 x (9 input + 9 filter + 9 output, input-centric)
    EXPECT_EQ(cost.l2_size, 76);  // 2 x 18 input + 2 x 18 filter + 2 x 2 output
    ExpectAccesses(cost.input, {36, 36, 36, 36}, "input");
    ExpectAccesses(cost.filter, {36, 36, 36, 36}, "filter");
    ExpectAccesses(cost.output, {4, 4, 36, 36}, "output");
    // With a single cluster level the L1 counts enter the energy (7): 148 L2 accesses x 18.61
    // + 216 L1 accesses x 1.68 = 3117.16, times the MAC energy.
    const double expected_energy = version == MaestroVersion::k2020 ? 2817.91 : 0.716947;
    EXPECT_EQ(RoundToPrintedDigits(cost.energy), expected_energy);
  }
}

TEST(MaestroDepthwiseTest, HandDerivedChannelEdgeStep) {
  // Hand-derived like the test above, for C = 7 with KTileSz 2 on 8 PEs: a single step, an
  // init-edge of the C SpatialMap. E = 4 sub-clusters are active (3.1: three tiles of 2 cover 6
  // channels, a fourth gets the last one, ME[C] = 1): the first with 2 channels, E - 2 = 2
  // full ones, and the sp-edge-edge one with 1 (4.3, 4.6). Busiest PE: 2 x 9 MACs; the step
  // is all-Init, so it also pays the one-cycle load: runtime 19.
  const AccelLayer layer{1, 7, 3, 3, 3, 3, AccelLayerType::kDepthwise};
  for (MaestroVersion version : {MaestroVersion::k2020, MaestroVersion::k2021}) {
    const LayerCost cost = Analyse(layer, Dataflow::kShi, 8, 2, version);
    EXPECT_TRUE(cost.valid);
    EXPECT_EQ(cost.runtime, 19);
    EXPECT_EQ(cost.macs, 63);
    EXPECT_EQ(cost.l1_size, 108);  // 2 x (18 + 18 + 18): M[C] = 2 channels of 3 x 3
    EXPECT_EQ(cost.l2_size, 266);  // 2 x 63 input + 2 x 63 filter + 2 x 7 output
    ExpectAccesses(cost.input, {63, 63, 63, 63}, "input");
    ExpectAccesses(cost.filter, {63, 63, 63, 63}, "filter");
    ExpectAccesses(cost.output, {7, 7, 63, 63}, "output");
    // 259 L2 accesses x 18.61 + 378 L1 accesses x 1.68 = 5455.03, times the MAC energy.
    const double expected_energy = version == MaestroVersion::k2020 ? 4931.35 : 1.25466;
    EXPECT_EQ(RoundToPrintedDigits(cost.energy), expected_energy);
  }
}

TEST(MaestroDepthwiseTest, PartialChannelTileLosesAFullTilesMacs) {
  // C = 96 channels, KTileSz 5 on 3 PEs: steps of 15 channels, and an edge step with 6 left, a
  // full tile of 5 and a partial one of 1. E (3.1) comes out as 1 (its formula rounds the 6
  // down to one tile), so 4.6 counts only the partial sub-cluster's ME[C] = 1 channel:
  // 15 + 5 x 15 + 1 = 91 channels of 110 x 110 x 9 MACs, not 96.
  const AccelLayer layer{1, 96, 112, 112, 3, 3, AccelLayerType::kDepthwise};
  const LayerCost cost = Analyse(layer, Dataflow::kShi, 3, 5);
  EXPECT_TRUE(cost.valid);
  EXPECT_EQ(cost.macs, 91 * 110 * 110 * 9);
  EXPECT_EQ(Analyse(layer, Dataflow::kShi, 3, 4).macs, 96 * 110 * 110 * 9);
}

TEST(MaestroDepthwiseTest, MobilenetDepthwiseLayersAreSane) {
  int checked = 0;
  for (const AccelLayer& layer : FindLayerTable("mobilenet_v2").layers) {
    if (layer.type != AccelLayerType::kDepthwise) continue;
    const int64_t exact_macs =
        layer.c * OutputRows(layer) * OutputColumns(layer) * layer.r * layer.s;
    for (int64_t p : kPeLevels) {
      for (int64_t k : {1, 3, 4, 5, 12}) {
        SCOPED_TRACE("C=" + std::to_string(layer.c) + " Y=" + std::to_string(layer.y) +
                     " P=" + std::to_string(p) + " k=" + std::to_string(k));
        const LayerCost cost = Analyse(layer, Dataflow::kShi, p, k);
        ++checked;
        EXPECT_TRUE(cost.valid);
        EXPECT_GT(cost.runtime, 0);
        // Exact when the channel tiles divide C; otherwise at most a tile short (above).
        if (layer.c % k == 0) {
          EXPECT_EQ(cost.macs, exact_macs);
        } else {
          EXPECT_LE(cost.macs, exact_macs);
          EXPECT_GE(cost.macs, exact_macs - k * exact_macs / layer.c);
        }
        // Every PE computes at least its share of the MACs, one per cycle.
        EXPECT_GE(cost.runtime * p, cost.macs);
        EXPECT_GT(cost.l1_size, 0);
        EXPECT_GT(cost.l2_size, 0);
        // dpt is used whatever the dataflow.
        EXPECT_EQ(Analyse(layer, Dataflow::kDla, p, k).runtime, cost.runtime);
      }
    }
  }
  EXPECT_GT(checked, 0);
}

TEST(MaestroOffchipTest, V2021TermNeverChangesExampleRuntimes) {
  // docs/maestro_model.md 5.4: over the whole `example` space the off-chip term never binds.
  for (const AccelLayer* layer : {&kExampleLayer1, &kExampleLayer2}) {
    for (Dataflow dataflow : {Dataflow::kShi, Dataflow::kDla}) {
      int differences = 0;
      for (int64_t p = 1; p <= 128; ++p) {
        for (int64_t k = 1; k <= 12; ++k) {
          const LayerCost v2020 = Analyse(*layer, dataflow, p, k, MaestroVersion::k2020);
          const LayerCost v2021 = Analyse(*layer, dataflow, p, k, MaestroVersion::k2021);
          if (v2020.runtime != v2021.runtime || v2020.valid != v2021.valid) ++differences;
        }
      }
      EXPECT_EQ(differences, 0) << DataflowName(dataflow) << " K=" << layer->k;
    }
  }
}

TEST(MaestroHardwareTest, ParametersReachTheModel) {
  // A narrow NoC makes communication, not computation, bound the steps (2.3).
  MaestroHardware narrow;
  narrow.noc_bandwidth = 16;
  const LayerCost wide_cost = Analyse(kExampleLayer1, Dataflow::kShi, 58, 8);
  const LayerCost narrow_cost = AnalyseLayer(kExampleLayer1, Dataflow::kShi, 58, 8, narrow);
  EXPECT_GT(narrow_cost.runtime, wide_cost.runtime);
  EXPECT_LT(narrow_cost.area, wide_cost.area);  // the bus area scales with the bandwidth (8)
  // Two MACs per PE per cycle halve the innermost compute delay.
  MaestroHardware simd;
  simd.simd_lanes = 2;
  EXPECT_LT(AnalyseLayer(kExampleLayer1, Dataflow::kShi, 58, 8, simd).runtime, wide_cost.runtime);
  // A tiny off-chip bandwidth makes v2021's off-chip term bind (5.4), but not v2020's.
  MaestroHardware slow_offchip;
  slow_offchip.offchip_bandwidth = 1;
  EXPECT_GT(AnalyseLayer(kExampleLayer1, Dataflow::kShi, 58, 8, slow_offchip).runtime,
            wide_cost.runtime);
  slow_offchip.version = MaestroVersion::k2020;
  EXPECT_EQ(AnalyseLayer(kExampleLayer1, Dataflow::kShi, 58, 8, slow_offchip).runtime,
            wide_cost.runtime);
}

}  // namespace
}  // namespace tessel
