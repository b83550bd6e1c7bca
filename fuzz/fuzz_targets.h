// One entry point per parser of user input, shared by the libFuzzer programs (fuzz/*_fuzzer.cc)
// and the regression test that replays every input that once crashed one of them
// (fuzz/regressions_test.cc), so both exercise exactly the same code.
//
// Each function feeds the bytes to its parser and catches tessel::Error only: that is how a
// parser refuses bad input. Anything else escaping (another exception, a sanitizer report, an
// abort, a hang, gigabytes of memory) is a bug in the parser.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace tessel::fuzz {

// ParseWorkloadSpec, then the arithmetic every user of a workload does on it (FLOPs, output
// sizes) and the documented round trip through WorkloadSpec.
void FuzzWorkloadSpec(const uint8_t* data, size_t size);

// ReplayTable::Parse on the bytes as CSV text.
void FuzzReplayCsv(const uint8_t* data, size_t size);

// ParseLayerTable (the accelerator problem's ConfuciuX layer tables) on the bytes as CSV text.
void FuzzLayerTable(const uint8_t* data, size_t size);

// RecordStore::ImportJsonl of the bytes into a fresh in-memory database, then the reads a
// user makes of what was imported.
void FuzzJsonlImport(const uint8_t* data, size_t size);

// ImportOnnxBytes on the bytes as a serialized ONNX model.
void FuzzOnnxImport(const uint8_t* data, size_t size);

// The key=value option parsers (--ppo, --sampling, --bted, --bao, --ga, --releq, --constraint,
// --fine-tune, --train); the first byte picks the parser, the rest is its text.
void FuzzOptions(const uint8_t* data, size_t size);

// RecordStore opening the bytes as a database file, then every read it offers.
void FuzzRecordStore(const uint8_t* data, size_t size);

// A target by the name its fuzzer and its directories under fuzz/ carry.
struct FuzzTarget {
  std::string_view name;
  void (*run)(const uint8_t* data, size_t size);
};
inline constexpr FuzzTarget kFuzzTargets[] = {
    {"workload_spec", FuzzWorkloadSpec}, {"replay_csv", FuzzReplayCsv},
    {"layer_table", FuzzLayerTable},     {"jsonl_import", FuzzJsonlImport},
    {"onnx_import", FuzzOnnxImport},     {"options", FuzzOptions},
    {"record_store", FuzzRecordStore},
};

}  // namespace tessel::fuzz
