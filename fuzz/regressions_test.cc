// Replays every input under fuzz/regressions/<target>/ (inputs that once crashed a parser) and
// fuzz/corpus/<target>/ (the campaigns' starting inputs) through the fuzz targets, so the
// ordinary test run keeps fixed parser bugs fixed without a fuzzing build.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>
#include <typeinfo>
#include <vector>

#include "fuzz_targets.h"

namespace tessel::fuzz {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> Inputs(const std::string& target) {
  std::vector<fs::path> inputs;
  for (const char* kind : {"regressions", "corpus"}) {
    const fs::path directory = fs::path(TESSEL_SOURCE_DIR) / "fuzz" / kind / target;
    if (!fs::is_directory(directory)) continue;
    for (const auto& entry : fs::directory_iterator(directory))
      if (entry.is_regular_file()) inputs.push_back(entry.path());
  }
  std::sort(inputs.begin(), inputs.end());
  return inputs;
}

// The targets catch tessel::Error themselves; anything that reaches here is a parser bug.
void Replay(const FuzzTarget& target) {
  for (const fs::path& path : Inputs(std::string(target.name))) {
    std::ifstream in(path, std::ios::binary);
    ASSERT_TRUE(in) << "cannot read " << path;
    const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                     std::istreambuf_iterator<char>());
    try {
      target.run(bytes.data(), bytes.size());
    } catch (const std::exception& error) {
      ADD_FAILURE() << path << " threw " << typeid(error).name() << ": " << error.what();
    } catch (...) {
      ADD_FAILURE() << path << " threw something that is not a std::exception";
    }
  }
}

// One test per target, so a failure names the parser.
const FuzzTarget& Target(std::string_view name) {
  for (const FuzzTarget& target : kFuzzTargets)
    if (target.name == name) return target;
  throw std::invalid_argument("no fuzz target " + std::string(name));
}

TEST(FuzzRegressions, WorkloadSpec) { Replay(Target("workload_spec")); }
TEST(FuzzRegressions, ReplayCsv) { Replay(Target("replay_csv")); }
TEST(FuzzRegressions, LayerTable) { Replay(Target("layer_table")); }
TEST(FuzzRegressions, JsonlImport) { Replay(Target("jsonl_import")); }
TEST(FuzzRegressions, OnnxImport) { Replay(Target("onnx_import")); }
TEST(FuzzRegressions, Options) { Replay(Target("options")); }
TEST(FuzzRegressions, RecordStore) { Replay(Target("record_store")); }

TEST(FuzzRegressions, EveryTargetHasInputs) {
  for (const FuzzTarget& target : kFuzzTargets)
    EXPECT_FALSE(Inputs(std::string(target.name)).empty()) << target.name << " has no inputs";
}

}  // namespace
}  // namespace tessel::fuzz
