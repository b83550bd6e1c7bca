// Interleaved timing for the benchmarks that compare kernels with each other in one process.
//
// Every contender runs once per round, for about the same time, in an order that rotates from
// round to round; each keeps its per-call time of every round, so that the median over rounds
// (and ratios of rounds that ran back to back) leave out the stretches when this shared
// machine runs everything slower. Before each contender's turn the process waits until its
// other threads have stopped spinning.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

namespace tessel {

using BenchClock = std::chrono::steady_clock;

constexpr double kMaxCoolDownMs = 100;  // longest wait for spinning threads between turns

inline double MsSince(BenchClock::time_point start) {
  return std::chrono::duration<double, std::milli>(BenchClock::now() - start).count();
}

struct Contender {
  std::function<void()> run;
  int calls_per_round = 1;
  std::vector<double> per_call_ms;  // one entry per round
};

// True when a thread of this process other than the calling one is running or runnable.
inline bool OtherThreadRunning() {
  const std::string self = std::to_string(gettid());
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/task")) {
    if (entry.path().filename() == self) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string text;
    std::getline(stat, text);
    const size_t paren = text.rfind(')');  // the state follows the command name
    if (paren != std::string::npos && paren + 2 < text.size() && text[paren + 2] == 'R')
      return true;
  }
  return false;
}

// Waits, at most kMaxCoolDownMs, until the other threads of the process are all asleep. After
// a parallel region libgomp's workers spin-wait for several milliseconds (GOMP_SPINCOUNT) and
// Halide's pool workers spin briefly too: on 2 cores that takes a core from whichever
// implementation runs next. (The CPU-time clocks cannot tell: a thread running on another core
// is accounted only at the next scheduler tick.)
inline void CoolDown() {
  const auto start = BenchClock::now();
  while (OtherThreadRunning()) {
    if (MsSince(start) >= kMaxCoolDownMs) {
      static bool warned = false;
      if (!warned)
        std::cerr << "warning: threads still running " << kMaxCoolDownMs
                  << " ms after a round (OMP_WAIT_POLICY=active?); timings may interfere\n";
      warned = true;
      return;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
}

// Enough back-to-back calls to last about `round_ms`.
inline int CallsPerRound(const std::function<void()>& run, double round_ms) {
  run();  // warm caches and thread pools
  int calls = 1;
  for (;;) {
    const auto start = BenchClock::now();
    for (int i = 0; i < calls; ++i) run();
    const double elapsed = MsSince(start);
    if (elapsed >= round_ms / 4 || calls >= (1 << 20)) {
      const double per_call = std::max(elapsed / calls, 1e-6);
      return std::max(1, static_cast<int>(std::ceil(round_ms / per_call)));
    }
    calls *= 2;
  }
}

// Runs the contenders in `rounds` rounds; round r starts with contender r mod n and goes on in
// order (so two contenders alternate which goes first), and no contender always follows the
// same one into a slow stretch. Each contender keeps its per-call time of every round.
inline void TimeInterleaved(std::vector<Contender>& contenders, int rounds, double round_ms) {
  for (Contender& c : contenders) {
    CoolDown();
    c.calls_per_round = CallsPerRound(c.run, round_ms);
  }
  const size_t n = contenders.size();
  for (int round = 0; round < rounds; ++round) {
    for (size_t i = 0; i < n; ++i) {
      Contender& c = contenders[(static_cast<size_t>(round) + i) % n];
      CoolDown();
      const auto start = BenchClock::now();
      for (int call = 0; call < c.calls_per_round; ++call) c.run();
      c.per_call_ms.push_back(MsSince(start) / c.calls_per_round);
    }
  }
}

}  // namespace tessel
