// Fidelity of Tessel's MAESTRO model (problems/accel/maestro_model.h) against the real MAESTRO:
// every case that run_maestro.py ran through a MAESTRO build is analysed again with
// tessel::AnalyseLayer under the same version's constants, and every printed field compared.
//
//   accel_fidelity CASES_CSV MAESTRO_CSV [MAESTRO_CSV...] [--show N] [--invalid-fields]
//
// CASES_CSV is make_cases.py's output; each MAESTRO_CSV is run_maestro.py's, whose `version`
// column picks MaestroHardware::version. Integers (runtime, MACs, L1 and L2 sizes, the twelve
// access counts) must match exactly; floats (energy, area, power and its four terms) must
// match after tessel::RoundToPrintedDigits, because MAESTRO prints 6 significant digits and
// ConfuciuX adds up those printed values. The largest relative difference of the unrounded
// model value from the printed one is reported too, so that a near miss in the sixth digit
// can be told from a wrong term.
//
// MAESTRO's runtime 0 (shi with X' < P <= X) marks an invalid configuration: the model must
// say `valid = false` there, and the other fields are not compared (LayerCost leaves them
// meaningless) unless --invalid-fields asks for it. Cases that MAESTRO itself failed on are
// listed and skipped.
//
// Prints, per MAESTRO CSV, a table of exact matches per field and per dataflow and layer type
// (depthwise layers run dpt.m whatever the dataflow), then the first --show mismatches of each
// field. Exit status: 1 when any runtime (or validity) differs or the model throws, 2 for bad
// arguments or unreadable files, else 0.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "problems/accel/layer_table.h"
#include "problems/accel/maestro_model.h"

namespace tessel {
namespace {

struct Csv {
  std::string path;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;

  // The column's index; throws naming the file when it is absent.
  size_t Column(const std::string& name) const {
    const auto it = std::find(header.begin(), header.end(), name);
    if (it == header.end()) throw ConfigError(path + ": no column '" + name + "'");
    return it - header.begin();
  }
};

// The benchmark's CSVs are written by its own scripts: no quoting, no commas inside fields.
Csv ReadCsv(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw IoError("cannot read " + path);
  Csv csv{path, {}, {}};
  std::string line;
  for (size_t number = 1; std::getline(in, line); ++number) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::vector<std::string> fields;
    std::stringstream stream(line);
    for (std::string field; std::getline(stream, field, ',');) fields.push_back(field);
    if (line.back() == ',') fields.emplace_back();  // getline drops a trailing empty field
    if (csv.header.empty()) {
      csv.header = std::move(fields);
    } else if (fields.size() != csv.header.size()) {
      throw ConfigError(path + ":" + std::to_string(number) + ": " + std::to_string(fields.size()) +
                        " fields, the header has " + std::to_string(csv.header.size()));
    } else {
      csv.rows.push_back(std::move(fields));
    }
  }
  if (csv.header.empty()) throw ConfigError(path + ": empty file");
  return csv;
}

int64_t ParseInt(const std::string& text, const std::string& where) {
  size_t end = 0;
  int64_t value = 0;
  try {
    value = std::stoll(text, &end);
  } catch (const std::exception&) {
    end = std::string::npos;
  }
  if (end != text.size()) throw ConfigError(where + ": '" + text + "' is not an integer");
  return value;
}

double ParseDouble(const std::string& text, const std::string& where) {
  size_t end = 0;
  double value = 0;
  try {
    value = std::stod(text, &end);
  } catch (const std::exception&) {
    end = std::string::npos;
  }
  if (end != text.size()) throw ConfigError(where + ": '" + text + "' is not a number");
  return value;
}

struct Case {
  std::string id, group, net, layer_row, dataflow;
  AccelLayer layer;
  int64_t pes = 0, ktile = 0;

  // "shi/conv", "dla/dw": the dataflow option and the layer type, which together pick the
  // directive file (depthwise layers run dpt.m with either option).
  std::string Kind() const {
    return dataflow + (layer.type == AccelLayerType::kDepthwise ? "/dw" : "/conv");
  }
  std::string Describe() const {
    std::ostringstream text;
    text << "case " << id << " (" << net;
    if (net != "synthetic") text << " row " << layer_row;
    text << ", K=" << layer.k << " C=" << layer.c << " Y=" << layer.y << " X=" << layer.x
         << " R=" << layer.r << " S=" << layer.s << " T=" << static_cast<int>(layer.type) << ", "
         << dataflow << " P=" << pes << " k=" << ktile << ")";
    return text.str();
  }
};

// The cases in file order; the layer columns go through Tessel's own table parser, which
// ignores the other columns.
std::vector<Case> LoadCases(const std::string& path) {
  const Csv csv = ReadCsv(path);
  const LayerTable table = LoadLayerTable(path);
  if (table.layers.size() != csv.rows.size())
    throw ConfigError(path + ": the layer parser and the CSV reader disagree on the row count");
  const size_t id = csv.Column("case"), group = csv.Column("group"), net = csv.Column("net"),
               layer = csv.Column("layer"), dataflow = csv.Column("dataflow"),
               pes = csv.Column("P"), ktile = csv.Column("k");
  std::vector<Case> cases;
  for (size_t i = 0; i < csv.rows.size(); ++i) {
    const auto& row = csv.rows[i];
    const std::string where = path + " case " + row[id];
    cases.push_back({row[id], row[group], row[net], row[layer], row[dataflow], table.layers[i],
                     ParseInt(row[pes], where), ParseInt(row[ktile], where)});
  }
  return cases;
}

// Integer fields are read out as doubles too; MAESTRO's counts stay far below 2^53 (the
// largest here are VGG-16's 1.8e9 MACs), so their comparison is still exact.
struct Field {
  std::string name;  // run_maestro.py's column
  bool is_float;
  std::function<double(const LayerCost&)> get;
};

const std::vector<Field>& Fields() {
  static const std::vector<Field> fields = [] {
    std::vector<Field> list = {
        {"runtime", false, [](const LayerCost& c) { return double(c.valid ? c.runtime : 0); }},
        {"macs", false, [](const LayerCost& c) { return double(c.macs); }},
        {"l1_size", false, [](const LayerCost& c) { return double(c.l1_size); }},
        {"l2_size", false, [](const LayerCost& c) { return double(c.l2_size); }},
    };
    using Tensor = TensorAccesses LayerCost::*;
    using Count = int64_t TensorAccesses::*;
    const std::pair<const char*, Tensor> tensors[] = {{"input", &LayerCost::input},
                                                      {"filter", &LayerCost::filter},
                                                      {"output", &LayerCost::output}};
    const std::pair<const char*, Count> counts[] = {{"l1_read", &TensorAccesses::l1_read},
                                                    {"l1_write", &TensorAccesses::l1_write},
                                                    {"l2_read", &TensorAccesses::l2_read},
                                                    {"l2_write", &TensorAccesses::l2_write}};
    for (const auto& [tensor_name, tensor] : tensors)
      for (const auto& [count_name, count] : counts)
        list.push_back(
            {std::string(tensor_name) + "_" + count_name, false,
             [tensor, count](const LayerCost& c) { return double((c.*tensor).*count); }});
    const std::pair<const char*, double LayerCost::*> floats[] = {
        {"energy", &LayerCost::energy},      {"area", &LayerCost::area},
        {"power", &LayerCost::power},        {"pe_power", &LayerCost::pe_power},
        {"l1_power", &LayerCost::l1_power},  {"l2_power", &LayerCost::l2_power},
        {"noc_power", &LayerCost::noc_power}};
    for (const auto& [name, member] : floats)
      list.push_back({name, true, [member](const LayerCost& c) { return c.*member; }});
    return list;
  }();
  return fields;
}

struct Tally {
  int compared = 0, matched = 0;
};

struct Report {
  std::vector<std::string> kinds;  // the columns of the table
  std::map<std::string, int> cases, invalid, maestro_failed, model_threw, all_exact;
  std::map<std::pair<std::string, std::string>, Tally> tallies;  // (field, kind)
  std::map<std::string, double> max_relative;                    // per field
  std::map<std::string, std::vector<std::string>> mismatches;    // per field, all of them
  bool runtime_failed = false;
};

std::string FormatNumber(double value, bool is_float) {
  char text[64];
  if (is_float)
    std::snprintf(text, sizeof text, "%.9g", value);
  else
    std::snprintf(text, sizeof text, "%.0f", value);
  return text;
}

Report Compare(const std::vector<Case>& cases, const Csv& maestro, bool invalid_fields) {
  std::map<std::string, const Case*> by_id;
  for (const Case& c : cases) by_id[c.id] = &c;
  const size_t id_column = maestro.Column("case"), version_column = maestro.Column("version"),
               status_column = maestro.Column("status"),
               dataflow_column = maestro.Column("dataflow"), pes_column = maestro.Column("P"),
               ktile_column = maestro.Column("k");
  const char* layer_columns[] = {"K", "C", "Y", "X", "R", "S", "T"};
  std::vector<size_t> field_columns;
  for (const Field& field : Fields()) field_columns.push_back(maestro.Column(field.name));

  Report report;
  report.kinds = {"shi/conv", "dla/conv", "shi/dw", "dla/dw"};
  for (const auto& row : maestro.rows) {
    const std::string where = maestro.path + " case " + row[id_column];
    const auto found = by_id.find(row[id_column]);
    if (found == by_id.end()) throw ConfigError(where + ": not in the cases file");
    const Case& c = *found->second;
    // A MAESTRO CSV made from another cases file would compare the wrong layers.
    const int64_t layer_values[] = {c.layer.k,
                                    c.layer.c,
                                    c.layer.y,
                                    c.layer.x,
                                    c.layer.r,
                                    c.layer.s,
                                    static_cast<int64_t>(c.layer.type)};
    for (size_t i = 0; i < 7; ++i)
      if (ParseInt(row[maestro.Column(layer_columns[i])], where) != layer_values[i])
        throw ConfigError(where + ": column " + layer_columns[i] +
                          " differs from the cases file; rerun run_maestro.py on it");
    if (row[dataflow_column] != c.dataflow || ParseInt(row[pes_column], where) != c.pes ||
        ParseInt(row[ktile_column], where) != c.ktile)
      throw ConfigError(where + ": dataflow, P or k differs from the cases file");

    const std::string kind = c.Kind();
    ++report.cases[kind];
    if (row[status_column] != "ok") {
      ++report.maestro_failed[kind];
      report.mismatches["(MAESTRO failed)"].push_back(c.Describe() + ": " + row[status_column]);
      continue;
    }

    MaestroHardware hardware;
    hardware.version = MaestroVersionFromName(row[version_column]);
    LayerCost cost;
    try {
      cost = AnalyseLayer(c.layer, DataflowFromName(c.dataflow), c.pes, c.ktile, hardware);
    } catch (const std::exception& error) {
      ++report.model_threw[kind];
      report.runtime_failed = true;
      report.mismatches["(model threw)"].push_back(c.Describe() + ": " + error.what());
      continue;
    }

    const int64_t maestro_runtime = ParseInt(row[field_columns[0]], where);
    const bool maestro_valid = maestro_runtime != 0;
    if (!maestro_valid) ++report.invalid[kind];
    if (cost.valid != maestro_valid) {
      report.runtime_failed = true;
      report.mismatches["(validity)"].push_back(
          c.Describe() + ": MAESTRO runtime " + std::to_string(maestro_runtime) + ", model " +
          (cost.valid ? "valid, runtime " + std::to_string(cost.runtime) : "invalid"));
    }
    bool all_exact = true;
    for (size_t f = 0; f < Fields().size(); ++f) {
      const Field& field = Fields()[f];
      // Only the runtime (0, i.e. invalid) means anything in an invalid configuration.
      if (!maestro_valid && f > 0 && !invalid_fields) break;
      const double expected = field.is_float ? ParseDouble(row[field_columns[f]], where)
                                             : double(ParseInt(row[field_columns[f]], where));
      const double model = field.get(cost);
      const double shown = field.is_float ? RoundToPrintedDigits(model) : model;
      Tally& tally = report.tallies[{field.name, kind}];
      ++tally.compared;
      if (shown == expected) {
        ++tally.matched;
      } else {
        all_exact = false;
        if (f == 0) report.runtime_failed = true;
        report.mismatches[field.name].push_back(c.Describe() + ": MAESTRO " +
                                                row[field_columns[f]] + ", model " +
                                                FormatNumber(model, field.is_float));
      }
      const double relative =
          expected != 0 ? std::abs(model - expected) / std::abs(expected) : std::abs(model);
      report.max_relative[field.name] = std::max(report.max_relative[field.name], relative);
    }
    if (all_exact && cost.valid == maestro_valid) ++report.all_exact[kind];
  }
  return report;
}

void Print(const std::string& title, const Report& report, size_t show) {
  std::printf("## %s\n\n", title.c_str());
  auto total = [&](const std::map<std::string, int>& counts) {
    int sum = 0;
    for (const auto& [kind, count] : counts) sum += count;
    return sum;
  };
  auto get = [](const std::map<std::string, int>& counts, const std::string& kind) {
    const auto it = counts.find(kind);
    return it == counts.end() ? 0 : it->second;
  };
  std::printf("%-16s", "");
  for (const std::string& kind : report.kinds) std::printf(" %12s", kind.c_str());
  std::printf(" %12s %12s\n", "all", "max rel diff");
  const std::pair<const char*, const std::map<std::string, int>*> counts[] = {
      {"cases", &report.cases},
      {"MAESTRO failed", &report.maestro_failed},
      {"model threw", &report.model_threw},
      {"invalid (rt 0)", &report.invalid},
      {"all fields exact", &report.all_exact}};
  for (const auto& [label, map] : counts) {
    std::printf("%-16s", label);
    for (const std::string& kind : report.kinds) std::printf(" %12d", get(*map, kind));
    std::printf(" %12d\n", total(*map));
  }
  for (const Field& field : Fields()) {
    std::printf("%-16s", field.name.c_str());
    Tally sum;
    for (const std::string& kind : report.kinds) {
      const auto it = report.tallies.find({field.name, kind});
      const Tally tally = it == report.tallies.end() ? Tally{} : it->second;
      sum.compared += tally.compared;
      sum.matched += tally.matched;
      const std::string cell = std::to_string(tally.matched) + "/" + std::to_string(tally.compared);
      std::printf(" %12s", cell.c_str());
    }
    const std::string cell = std::to_string(sum.matched) + "/" + std::to_string(sum.compared);
    const auto relative = report.max_relative.find(field.name);
    std::printf(" %12s %12.3g\n", cell.c_str(),
                relative == report.max_relative.end() ? 0.0 : relative->second);
  }
  std::printf("\n");
  if (report.mismatches.empty()) {
    std::printf("No mismatches.\n\n");
    return;
  }
  for (const auto& [field, list] : report.mismatches) {
    std::printf("%s: %zu mismatches\n", field.c_str(), list.size());
    for (size_t i = 0; i < std::min(show, list.size()); ++i) std::printf("  %s\n", list[i].c_str());
    if (list.size() > show) std::printf("  ...\n");
  }
  std::printf("\n");
}

}  // namespace
}  // namespace tessel

int main(int argc, char** argv) {
  CLI::App app{"Tessel's MAESTRO model against MAESTRO's own output, field by field"};
  std::string cases_path;
  std::vector<std::string> maestro_paths;
  size_t show = 5;
  bool invalid_fields = false;
  app.add_option("cases", cases_path, "make_cases.py's CSV")->required();
  app.add_option("maestro", maestro_paths, "run_maestro.py's CSVs")->required();
  app.add_option("--show", show, "mismatches listed per field")->capture_default_str();
  app.add_flag("--invalid-fields", invalid_fields,
               "also compare the fields of invalid configurations (MAESTRO runtime 0)");
  CLI11_PARSE(app, argc, argv);
  try {
    const std::vector<tessel::Case> cases = tessel::LoadCases(cases_path);
    bool runtime_failed = false;
    for (const std::string& path : maestro_paths) {
      const tessel::Csv maestro = tessel::ReadCsv(path);
      const tessel::Report report = tessel::Compare(cases, maestro, invalid_fields);
      std::string versions;
      const size_t version = maestro.Column("version");
      for (const auto& row : maestro.rows)
        if (versions.find(row[version]) == std::string::npos)
          versions += (versions.empty() ? "" : ", ") + row[version];
      tessel::Print("MAESTRO v" + versions + ": " + path, report, show);
      runtime_failed |= report.runtime_failed;
    }
    if (runtime_failed) {
      std::printf("FAIL: some runtimes (or validity) differ from MAESTRO's\n");
      return 1;
    }
    return 0;
  } catch (const tessel::Error& error) {
    std::fprintf(stderr, "accel_fidelity: %s\n", error.what());
    return 2;
  }
}
