#include "fuzz_targets.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <streambuf>
#include <string>
#include <system_error>
#include <variant>
#include <vector>

#include "core/error.h"
#include "design/ted.h"
#include "engine/evaluation.h"
#include "network/graph.h"
#include "network/onnx_import.h"
#include "problems/accel/layer_table.h"
#include "problems/quant/quant_setup.h"
#include "problems/replay/replay_measurer.h"
#include "problems/schedule/workload.h"
#include "records/record_store.h"
#include "sampling/adaptive_sampler.h"
#include "search/ppo_search.h"
#include "space/space.h"
#include "tune/bao_options.h"
#include "tune/genetic_tuner.h"
#include "tune/releq_tuner.h"

namespace tessel::fuzz {
namespace {

std::string_view Text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

// An input that a parser accepted but that breaks a promise its header makes (a round trip, a
// readable result) is as much a bug as a crash, and is reported as one: the fuzzer keeps the
// input, and the regression test dies on it.
[[noreturn]] void Broken(std::string_view target, const std::string& what) {
  std::cerr << "fuzz target " << target << ": " << what << std::endl;
  std::abort();
}

// A sink for exports whose bytes do not matter; unlike a stream without a buffer it reports
// success, so the exporter runs to its end.
class NullBuffer : public std::streambuf {
 protected:
  int overflow(int c) override { return traits_type::not_eof(c); }
  std::streamsize xsputn(const char*, std::streamsize count) override { return count; }
};

// Everything a user (`tessel records`, `tessel export`, resuming a run) reads from a store.
void ReadEverything(const RecordStore& store) {
  for (const auto& [task_id, key] : store.Tasks()) store.History(task_id);
  store.BestPerTask();
  store.AllRunTimes();
  NullBuffer null_buffer;
  std::ostream null(&null_buffer);
  store.ExportJsonl(null);
}

// The store's database file in a directory of this process's own, removed at exit; SQLite
// puts its journal, WAL and shared-memory files beside it.
class ScratchDatabase {
 public:
  ScratchDatabase() {
    std::error_code error;
    std::filesystem::path base = std::filesystem::temp_directory_path(error);
    if (error) base = "/tmp";
    std::string pattern = (base / "tessel_fuzz_XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      std::perror("mkdtemp");
      std::abort();
    }
    directory_ = pattern;
    path_ = (directory_ / "store.db").string();
  }
  ~ScratchDatabase() {
    std::error_code ignored;
    std::filesystem::remove_all(directory_, ignored);
  }
  ScratchDatabase(const ScratchDatabase&) = delete;
  ScratchDatabase& operator=(const ScratchDatabase&) = delete;

  const std::string& path() const { return path_; }

  void Write(std::string_view bytes) const {
    Clear();
    std::ofstream out(path_, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) {
      std::cerr << "cannot write " << path_ << std::endl;
      std::abort();
    }
  }

  // Every file of the last input, so that none leaks into the next.
  void Clear() const {
    std::error_code ignored;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"})
      std::filesystem::remove(path_ + suffix, ignored);
  }

 private:
  std::filesystem::path directory_;
  std::string path_;
};

}  // namespace

void FuzzWorkloadSpec(const uint8_t* data, size_t size) {
  const std::string_view spec = Text(data, size);
  Workload workload;
  try {
    workload = ParseWorkloadSpec(spec);
  } catch (const Error&) {
    return;
  }
  // The sizes every consumer derives first; the operator templates (which plan buffers of the
  // workload's size) are left out: ParseWorkloadSpec refuses a tensor over 2 GiB (Halide's
  // limit), but a valid spec may still describe several tensors of up to 2 GiB each, more than
  // a fuzzing run can allocate for every input.
  const double flops = Flops(workload);
  if (!(flops > 0) || !std::isfinite(flops))
    Broken("workload_spec", "FLOPs of '" + std::string(spec) + "' are " + std::to_string(flops));
  if (const auto* conv = std::get_if<Conv2dShape>(&workload)) {
    if (conv->out_h() < 1 || conv->out_w() < 1 || conv->channels_per_group() < 1)
      Broken("workload_spec", "'" + std::string(spec) + "' has an empty output");
  }
  OperatorName(workload);
  // workload.h promises ParseWorkloadSpec(WorkloadSpec(w)) == w; records key tasks by it.
  const std::string canonical = WorkloadSpec(workload);
  try {
    if (ParseWorkloadSpec(canonical) != workload)
      Broken("workload_spec", "'" + canonical + "' reads back as another workload");
  } catch (const Error& error) {
    Broken("workload_spec", "'" + canonical + "' does not read back: " + error.what());
  }
}

void FuzzReplayCsv(const uint8_t* data, size_t size) {
  std::optional<ReplayTable> table;
  try {
    table.emplace(ReplayTable::Parse(Text(data, size), "fuzz.csv"));
  } catch (const Error&) {
    return;
  }
  // Records store configurations as text and resuming a run reads them back, so every row
  // must survive the trip. FromText scans a knob's values, so a few rows suffice.
  const Space& space = table->space();
  const std::vector<uint64_t>* rows = space.valid_list();
  if (rows == nullptr || rows->size() != table->rows())
    Broken("replay_csv", "the table does not list its rows as the valid configurations");
  for (size_t i = 0; i < rows->size() && i < 16; ++i) {
    const Config config = space.FromFlatIndex((*rows)[i]);
    if (!space.IsValid(config) || !table->TimeMs(config))
      Broken("replay_csv", "row " + std::to_string(i) + " is not in its own table");
    const std::string text = space.ToText(config);
    try {
      if (space.FromText(text) != config)
        Broken("replay_csv", "configuration '" + text + "' reads back as another");
    } catch (const Error& error) {
      Broken("replay_csv", "configuration '" + text + "' does not read back: " + error.what());
    }
  }
}

void FuzzLayerTable(const uint8_t* data, size_t size) {
  try {
    ParseLayerTable(Text(data, size), "fuzz.csv");
  } catch (const Error&) {
  }
}

void FuzzJsonlImport(const uint8_t* data, size_t size) {
  // A fresh in-memory store per input: inputs stay independent and memory stays bounded.
  RecordStore store(":memory:");
  std::istringstream in{std::string(Text(data, size))};
  int64_t added = 0;
  try {
    added = store.ImportJsonl(in);
  } catch (const Error&) {
    return;
  }
  // What was imported must read back, and its export must import again whole: that is how
  // records move between machines.
  std::string exported;
  try {
    ReadEverything(store);
    std::ostringstream out;
    store.ExportJsonl(out);
    exported = out.str();
  } catch (const Error& error) {
    Broken("jsonl_import", std::string("imported records do not read back: ") + error.what());
  }
  RecordStore again(":memory:");
  std::istringstream export_in(exported);
  try {
    const int64_t readded = again.ImportJsonl(export_in);
    if (readded != added)
      Broken("jsonl_import", "the export of " + std::to_string(added) + " imported records " +
                                 "imports as " + std::to_string(readded));
  } catch (const Error& error) {
    Broken("jsonl_import",
           std::string("the export of imported records does not import: ") + error.what());
  }
}

void FuzzOnnxImport(const uint8_t* data, size_t size) {
  try {
    const Graph graph = ImportOnnxBytes(std::string(Text(data, size)), "fuzz.onnx");
    // Callers size buffers from the shapes; an imported graph's must be usable for that.
    for (const Node& node : graph.nodes) ElementCount(node.shape);
  } catch (const Error&) {
  }
}

void FuzzOptions(const uint8_t* data, size_t size) {
  if (size == 0) return;
  const std::string spec(Text(data + 1, size - 1));
  // Each parser with its printer: runs record the options as ToString writes them, so the
  // text must parse back (ToString is the parser's inverse where one exists).
  auto round_trip = [&](const char* flag, auto parse) {
    std::string printed;
    try {
      printed = parse(spec).ToString();
    } catch (const Error&) {
      return;
    }
    try {
      parse(printed);
    } catch (const Error& error) {
      Broken("options", std::string(flag) + " '" + spec + "' prints as '" + printed +
                            "', which does not parse: " + error.what());
    }
  };
  try {
    switch (data[0] % 9) {
      case 0:
        round_trip("--ppo", [](const std::string& s) { return PpoSearch::Options::Parse(s); });
        break;
      case 1:
        AdaptiveSampler::Options::Parse(spec);
        break;
      case 2:
        round_trip("--bted", [](const std::string& s) { return BtedOptions::Parse(s); });
        break;
      case 3:
        round_trip("--bao", [](const std::string& s) { return BaoOptions::Parse(s); });
        break;
      case 4:
        round_trip("--ga", [](const std::string& s) { return GeneticTuner::Options::Parse(s); });
        break;
      case 5:
        round_trip("--releq", [](const std::string& s) { return ReleqTuner::Options::Parse(s); });
        break;
      case 6:
        round_trip("--constraint", [](const std::string& s) { return Constraint::Parse(s); });
        break;
      case 7:
        ParseFineTune(spec);
        break;
      case 8:
        ParseTrainSettings(spec, TrainSettings{});
        break;
    }
  } catch (const Error&) {
  }
}

void FuzzRecordStore(const uint8_t* data, size_t size) {
  static const ScratchDatabase scratch;
  scratch.Write(Text(data, size));
  try {
    RecordStore store(scratch.path());
    ReadEverything(store);
  } catch (const Error&) {
  }
  scratch.Clear();
}

}  // namespace tessel::fuzz
