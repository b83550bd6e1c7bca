// libFuzzer entry point for FuzzLayerTable (fuzz/fuzz_targets.h); see bench/reliability/fuzz/.
#include <cstddef>
#include <cstdint>

#include "fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tessel::fuzz::FuzzLayerTable(data, size);
  return 0;
}
