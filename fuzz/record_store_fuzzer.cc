// libFuzzer entry point for FuzzRecordStore (fuzz/fuzz_targets.h); see bench/reliability/fuzz/.
#include <cstddef>
#include <cstdint>

#include "fuzz_targets.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  tessel::fuzz::FuzzRecordStore(data, size);
  return 0;
}
