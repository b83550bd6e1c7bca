#include "core/host.h"

#include <immintrin.h>
#include <sched.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <latch>
#include <nlohmann/json.hpp>
#include <thread>
#include <vector>

namespace tessel {
namespace {

// ---------------------------------------------------------------------------------------------
// The FMA loop: enough independent accumulator chains to cover the FMA latency on every pipe
// (two pipes of 4-5 cycles on current x86 cores), so the loop runs at the issue rate.

volatile float g_sink;  // keeps the loops' results alive

constexpr int kAvx512Chains = 24;
constexpr int kAvx2Chains = 12;

__attribute__((target("avx512f"))) void FmaLoopAvx512(int64_t iterations) {
  __m512 acc[kAvx512Chains];
#pragma GCC unroll 24
  for (int j = 0; j < kAvx512Chains; ++j) acc[j] = _mm512_set1_ps(0.001f * static_cast<float>(j));
  const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
  for (int64_t i = 0; i < iterations; ++i) {
#pragma GCC unroll 24
    for (int j = 0; j < kAvx512Chains; ++j) acc[j] = _mm512_fmadd_ps(acc[j], a, b);
  }
#pragma GCC unroll 24
  for (int j = 1; j < kAvx512Chains; ++j) acc[0] = _mm512_add_ps(acc[0], acc[j]);
  // Summed by hand: GCC 12's _mm512_reduce_add_ps trips -Wuninitialized.
  float lanes[16];
  _mm512_storeu_ps(lanes, acc[0]);
  float sum = 0;
  for (float v : lanes) sum += v;
  g_sink = sum;
}

__attribute__((target("avx2,fma"))) void FmaLoopAvx2(int64_t iterations) {
  __m256 acc[kAvx2Chains];
#pragma GCC unroll 12
  for (int j = 0; j < kAvx2Chains; ++j) acc[j] = _mm256_set1_ps(0.001f * static_cast<float>(j));
  const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
  for (int64_t i = 0; i < iterations; ++i) {
#pragma GCC unroll 12
    for (int j = 0; j < kAvx2Chains; ++j) acc[j] = _mm256_fmadd_ps(acc[j], a, b);
  }
#pragma GCC unroll 12
  for (int j = 1; j < kAvx2Chains; ++j) acc[0] = _mm256_add_ps(acc[0], acc[j]);
  float lanes[8];
  _mm256_storeu_ps(lanes, acc[0]);
  float sum = 0;
  for (float v : lanes) sum += v;
  g_sink = sum;
}

// Seconds for `threads` threads to run `iterations` each, all started together: from the first
// start to the last finish, as the workers see them. (A clock read by the starting thread
// after the release may come late, when that thread is descheduled, and the loop would seem to
// take no time at all.)
double TimeFmaLoop(void (*loop)(int64_t), int threads, int64_t iterations) {
  using Clock = std::chrono::steady_clock;
  std::latch start(threads);
  std::vector<Clock::time_point> begins(threads), ends(threads);
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t)
    workers.emplace_back([&, t] {
      start.arrive_and_wait();
      begins[t] = Clock::now();
      loop(iterations);
      ends[t] = Clock::now();
    });
  for (std::thread& worker : workers) worker.join();
  return std::chrono::duration<double>(*std::max_element(ends.begin(), ends.end()) -
                                       *std::min_element(begins.begin(), begins.end()))
      .count();
}

// ---------------------------------------------------------------------------------------------
// /proc/cpuinfo and /sys.

// The value of the first "name<tabs>: value" line of /proc/cpuinfo ("" when absent).
std::string CpuinfoField(const std::string& name) {
  std::ifstream cpuinfo("/proc/cpuinfo");
  std::string line;
  while (std::getline(cpuinfo, line)) {
    if (line.rfind(name, 0) != 0) continue;
    const size_t colon = line.find(':');
    if (colon == std::string::npos) continue;
    // The field's name must end where the padding begins: "model" is not "model name".
    if (line.find_first_not_of(" \t", name.size()) != colon) continue;
    const size_t start = line.find_first_not_of(' ', colon + 1);
    return start == std::string::npos ? "" : line.substr(start);
  }
  return "";
}

int CpuinfoInt(const std::string& name) {
  const std::string text = CpuinfoField(name);
  int value = -1;
  return std::sscanf(text.c_str(), "%d", &value) == 1 ? value : -1;
}

std::string ReadFirstLine(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

// "32K", "1M" or "512" bytes as sysfs writes cache sizes; 0 when unreadable.
int64_t CacheSizeBytes(const std::string& text) {
  long long number = 0;
  char unit = 0;
  const int fields = std::sscanf(text.c_str(), "%lld%c", &number, &unit);
  if (fields < 1 || number < 0) return 0;
  if (fields == 1) return number;
  if (unit == 'K') return number << 10;
  if (unit == 'M') return number << 20;
  if (unit == 'G') return number << 30;
  return number;
}

void ReadCaches(HostDescription* host) {
  namespace fs = std::filesystem;
  std::error_code error;
  const fs::path caches = "/sys/devices/system/cpu/cpu0/cache";
  for (const fs::directory_entry& index : fs::directory_iterator(caches, error)) {
    if (!index.path().filename().string().starts_with("index")) continue;
    const std::string level = ReadFirstLine(index.path() / "level");
    const std::string type = ReadFirstLine(index.path() / "type");
    const int64_t bytes = CacheSizeBytes(ReadFirstLine(index.path() / "size"));
    if (level == "1" && type == "Data") host->l1d_bytes = bytes;
    if (level == "2" && type != "Instruction") host->l2_bytes = bytes;
    if (level == "3" && type != "Instruction") host->l3_bytes = bytes;
  }
}

std::string SizeText(int64_t bytes) {
  if (bytes >= (int64_t{1} << 20) && bytes % (int64_t{1} << 20) == 0)
    return std::to_string(bytes >> 20) + " MiB";
  return std::to_string(bytes >> 10) + " KiB";
}

}  // namespace

std::string CpuModelName() {
  const std::string name = CpuinfoField("model name");
  return name.empty() ? "unknown" : name;
}

int DefaultThreadCount() {
  cpu_set_t set;
  if (sched_getaffinity(0, sizeof(set), &set) == 0) return CPU_COUNT(&set);
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

FmaPeak MeasureFmaPeak(int threads, double target_ms) {
  const bool avx512 = __builtin_cpu_supports("avx512f");
  void (*loop)(int64_t) = avx512 ? FmaLoopAvx512 : FmaLoopAvx2;
  const double flops_per_iteration = avx512 ? kAvx512Chains * 16 * 2 : kAvx2Chains * 8 * 2;
  // Calibrate the iteration count on one thread, then keep the best of a few timed runs: the
  // best, as anything else running on the machine only ever slows the loop down.
  int64_t iterations = 1 << 14;
  double seconds = 0;
  while ((seconds = TimeFmaLoop(loop, 1, iterations)) < target_ms / 4e3) iterations *= 2;
  iterations = std::max<int64_t>(1, static_cast<int64_t>(iterations * target_ms / 1e3 / seconds));
  double best = 0;
  for (int rep = 0; rep < 3; ++rep) {
    seconds = TimeFmaLoop(loop, threads, iterations);
    best = std::max(
        best, flops_per_iteration * static_cast<double>(iterations) * threads / seconds / 1e9);
  }
  return {best, threads, avx512 ? "AVX-512 FMA" : "AVX2 FMA"};
}

HostDescription DescribeHost(int peak_threads) {
  HostDescription host;
  host.cpu = CpuinfoField("model name");
  host.vendor = CpuinfoField("vendor_id");
  host.family = CpuinfoInt("cpu family");
  host.model = CpuinfoInt("model");
  host.stepping = CpuinfoInt("stepping");
  ReadCaches(&host);
  host.cpus = DefaultThreadCount();
  if (peak_threads > 0) host.peak = MeasureFmaPeak(peak_threads, 40);
  return host;
}

std::string HostToJson(const HostDescription& host) {
  // Keys sorted (nlohmann::json, not ordered_json): the text an import writes back is the same.
  nlohmann::json json;
  json["cpu"] = host.cpu;
  json["vendor"] = host.vendor;
  json["family"] = host.family;
  json["model"] = host.model;
  json["stepping"] = host.stepping;
  json["l1d_bytes"] = host.l1d_bytes;
  json["l2_bytes"] = host.l2_bytes;
  json["l3_bytes"] = host.l3_bytes;
  json["cpus"] = host.cpus;
  if (host.peak.threads > 0) {
    json["fma_peak_gflops"] = std::round(host.peak.gflops * 10) / 10;
    json["fma_peak_threads"] = host.peak.threads;
    json["fma_isa"] = host.peak.isa;
  }
  return json.dump();
}

HostDescription HostFromJson(const std::string& text) {
  HostDescription host;
  const nlohmann::json json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object()) return host;
  auto read = [&](const char* name, auto* out) {
    const auto found = json.find(name);
    if (found == json.end()) return;
    using Value = std::remove_pointer_t<decltype(out)>;
    if constexpr (std::is_same_v<Value, std::string>) {
      if (found->is_string()) *out = found->template get<std::string>();
    } else {
      if (found->is_number()) *out = found->template get<Value>();
    }
  };
  read("cpu", &host.cpu);
  read("vendor", &host.vendor);
  read("family", &host.family);
  read("model", &host.model);
  read("stepping", &host.stepping);
  read("l1d_bytes", &host.l1d_bytes);
  read("l2_bytes", &host.l2_bytes);
  read("l3_bytes", &host.l3_bytes);
  read("cpus", &host.cpus);
  read("fma_peak_gflops", &host.peak.gflops);
  read("fma_peak_threads", &host.peak.threads);
  read("fma_isa", &host.peak.isa);
  if (!(host.peak.gflops > 0)) host.peak = {};
  return host;
}

std::string HostSummary(const HostDescription& host) {
  if (host.cpu.empty() && host.vendor.empty()) return "unknown host";
  std::string text = host.cpu.empty() ? "unnamed CPU" : host.cpu;
  if (host.family >= 0) {
    text += " (" + (host.vendor.empty() ? std::string() : host.vendor + " ") + "family " +
            std::to_string(host.family) + " model " + std::to_string(host.model) + " stepping " +
            std::to_string(host.stepping) + ")";
  }
  if (host.l2_bytes > 0) text += ", L2 " + SizeText(host.l2_bytes);
  if (host.l3_bytes > 0) text += ", L3 " + SizeText(host.l3_bytes);
  if (host.peak.threads > 0) {
    char peak[96];
    std::snprintf(peak, sizeof(peak), ", FMA peak %.0f GFLOP/s on %d thread%s", host.peak.gflops,
                  host.peak.threads, host.peak.threads == 1 ? "" : "s");
    text += peak;
  }
  return text;
}

}  // namespace tessel
