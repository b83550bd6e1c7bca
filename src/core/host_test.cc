#include "core/host.h"

#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

namespace tessel {
namespace {

TEST(HostTest, DescribesThisLinuxMachine) {
  const HostDescription host = DescribeHost(0);
  EXPECT_EQ(host.cpu, CpuModelName());
  EXPECT_FALSE(host.vendor.empty());
  EXPECT_GE(host.family, 0);
  EXPECT_GE(host.model, 0);
  EXPECT_GE(host.cpus, 1);
  EXPECT_EQ(host.cpus, DefaultThreadCount());
  EXPECT_EQ(host.peak.threads, 0);  // not asked for
}

TEST(HostTest, MeasuresAPositivePeakOnTheThreadsAsked) {
  const FmaPeak peak = MeasureFmaPeak(1, 5);
  EXPECT_EQ(peak.threads, 1);
  EXPECT_TRUE(std::isfinite(peak.gflops));
  // An FMA unit of any x86 core this runs on does more than a GFLOP/s, and none does 10 TFLOP/s.
  EXPECT_GT(peak.gflops, 1);
  EXPECT_LT(peak.gflops, 1e4);
  EXPECT_TRUE(peak.isa == "AVX2 FMA" || peak.isa == "AVX-512 FMA") << peak.isa;
}

HostDescription Example() {
  HostDescription host;
  host.cpu = "AMD EPYC";
  host.vendor = "AuthenticAMD";
  host.family = 26;
  host.model = 2;
  host.stepping = 0;
  host.l1d_bytes = 48 << 10;
  host.l2_bytes = 1 << 20;
  host.l3_bytes = 32 << 20;
  host.cpus = 2;
  host.peak = {524.04, 2, "AVX-512 FMA"};
  return host;
}

TEST(HostTest, JsonRoundTripsAndRoundsThePeak) {
  const HostDescription back = HostFromJson(HostToJson(Example()));
  EXPECT_EQ(back.cpu, "AMD EPYC");
  EXPECT_EQ(back.vendor, "AuthenticAMD");
  EXPECT_EQ(back.family, 26);
  EXPECT_EQ(back.model, 2);
  EXPECT_EQ(back.stepping, 0);
  EXPECT_EQ(back.l1d_bytes, 48 << 10);
  EXPECT_EQ(back.l2_bytes, 1 << 20);
  EXPECT_EQ(back.l3_bytes, 32 << 20);
  EXPECT_EQ(back.cpus, 2);
  EXPECT_DOUBLE_EQ(back.peak.gflops, 524.0);
  EXPECT_EQ(back.peak.threads, 2);
  EXPECT_EQ(back.peak.isa, "AVX-512 FMA");
  // Without a measured peak there is none in the JSON.
  HostDescription no_peak = Example();
  no_peak.peak = {};
  EXPECT_FALSE(nlohmann::json::parse(HostToJson(no_peak)).contains("fma_peak_gflops"));
}

TEST(HostTest, ReadingIsLenientWithOldOrStrangeDescriptions) {
  for (const char* text : {"{}", "", "not json", "[1,2]", "null"}) {
    const HostDescription host = HostFromJson(text);
    EXPECT_TRUE(host.cpu.empty()) << text;
    EXPECT_EQ(host.family, -1) << text;
    EXPECT_EQ(host.peak.threads, 0) << text;
    EXPECT_EQ(HostSummary(host), "unknown host") << text;
  }
  // Fields of the wrong type stay unknown; the others are read.
  const HostDescription host =
      HostFromJson(R"({"cpu": 5, "vendor": "GenuineIntel", "family": "six", "model": 85,
                       "fma_peak_gflops": -1, "fma_peak_threads": 2})");
  EXPECT_TRUE(host.cpu.empty());
  EXPECT_EQ(host.vendor, "GenuineIntel");
  EXPECT_EQ(host.family, -1);
  EXPECT_EQ(host.model, 85);
  EXPECT_EQ(host.peak.threads, 0);  // a peak that is not positive is no peak
}

TEST(HostTest, SummaryIsOneReadableLine) {
  EXPECT_EQ(HostSummary(Example()),
            "AMD EPYC (AuthenticAMD family 26 model 2 stepping 0), L2 1 MiB, L3 32 MiB, FMA peak "
            "524 GFLOP/s on 2 threads");
  HostDescription one = Example();
  one.l2_bytes = 512 << 10;
  one.peak = {260.3, 1, "AVX-512 FMA"};
  EXPECT_EQ(HostSummary(one),
            "AMD EPYC (AuthenticAMD family 26 model 2 stepping 0), L2 512 KiB, L3 32 MiB, FMA "
            "peak 260 GFLOP/s on 1 thread");
}

}  // namespace
}  // namespace tessel
