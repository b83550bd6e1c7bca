// What describes the machine a run measured on, beyond the target key its records are filed
// under. The key (CPU model name, ISA features, threads) decides which records apply; machines
// sold under one name still differ (a cloud "AMD EPYC" may be any of several generations, with
// other caches and clocks), and kernels tuned on one run slower or faster on another. Each run
// keeps this description so that `tessel best` and `tessel run` can show where the records in
// use were measured, next to the host they run on now.
#pragma once

#include <cstdint>
#include <string>

namespace tessel {

// The CPU model name as /proc/cpuinfo gives it ("unknown" when unreadable).
std::string CpuModelName();

// Number of cores this process may run on (its affinity mask): the default thread count.
int DefaultThreadCount();

// The FP32 rate of a loop of independent fused multiply-adds: the most the machine's vector
// units can do, measured rather than computed from a clock that virtual machines hide.
struct FmaPeak {
  double gflops = 0;
  int threads = 0;
  std::string isa;  // "AVX-512 FMA" or "AVX2 FMA"
};

// Runs the loop on `threads` threads, each for about `target_ms`, and keeps the best of three.
// Takes about 4 x target_ms (the calibration is the fourth).
FmaPeak MeasureFmaPeak(int threads, double target_ms);

struct HostDescription {
  std::string cpu;     // the model name, as /proc/cpuinfo gives it
  std::string vendor;  // "AuthenticAMD", "GenuineIntel"
  int family = -1;     // -1 when unknown
  int model = -1;
  int stepping = -1;
  int64_t l1d_bytes = 0;  // per core; 0 when unknown
  int64_t l2_bytes = 0;
  int64_t l3_bytes = 0;  // as shared by the first core's cluster
  int cpus = 0;          // DefaultThreadCount()
  FmaPeak peak;          // peak.threads == 0: not measured
};

// Reads the CPU's identity and caches from /proc and /sys. With `peak_threads` > 0 it also
// measures the FMA peak on that many threads (about 0.15 s).
HostDescription DescribeHost(int peak_threads);

// A JSON object (what a run stores), and back. Reading is lenient: a field that is absent or of
// the wrong type stays unknown, as descriptions of older runs lack fields.
std::string HostToJson(const HostDescription& host);
HostDescription HostFromJson(const std::string& text);

// One line: "AMD EPYC (AuthenticAMD family 25 model 1 stepping 1), L2 512 KiB, L3 32 MiB,
// FMA peak 524 GFLOP/s on 2 threads"; "unknown host" for an empty description.
std::string HostSummary(const HostDescription& host);

}  // namespace tessel
