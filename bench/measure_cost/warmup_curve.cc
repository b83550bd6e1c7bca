// How long a fresh kernel process takes to run its kernel at its steady speed: what the
// measurer's warm-up (--warmup-ms) must cover. For each of a seeded sample of a zoo layer's
// configurations, a child forked from this process (which, like the tuner, has compiled but never
// run a kernel) builds the configuration and runs it back to back for --ms milliseconds,
// timing every run. The runs are grouped by when they started; each window's median is given
// relative to the steady speed (the median of the runs in the last half).
//
//   warmup_curve [--tasks mb1.13,r18.4] [--configs 8] [--seed 1] [--ms 100]
//
// Prints, per task, the median over configurations of each window's ratio, and writes every
// configuration's ratios with --json.
#include <sys/wait.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/host.h"
#include "core/rng.h"
#include "core/stats.h"
#include "measure_cost/config_sample.h"

namespace {

using namespace tessel;
using Clock = std::chrono::steady_clock;

// Windows of run start times, in ms since the first run started.
const std::vector<std::pair<double, double>> kWindows = {{0, 2},   {2, 5},   {5, 10},
                                                         {10, 20}, {20, 30}, {30, 50}};

double MsSince(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

// In the child: (start ms, duration ms) of every run, as text "start duration" per line.
std::string RunFor(Kernel& kernel, double total_ms) {
  std::ostringstream out;
  const auto first = Clock::now();
  while (MsSince(first) < total_ms) {
    const double start = MsSince(first);
    const auto run = Clock::now();
    kernel.Run();
    out << start << ' ' << MsSince(run) << '\n';
  }
  return out.str();
}

// Forks a child that builds `config`, runs it for `total_ms` and reports its runs.
std::vector<std::pair<double, double>> RunsInFreshProcess(const OperatorTemplate& tmpl,
                                                          const Config& config,
                                                          const OperatorData& data,
                                                          double total_ms) {
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    std::string text;
    try {
      text = RunFor(*tmpl.Build(config, data), total_ms);
    } catch (const std::exception&) {
    }
    for (size_t done = 0; done < text.size();) {
      const ssize_t n = write(fds[1], text.data() + done, text.size() - done);
      if (n <= 0) break;
      done += static_cast<size_t>(n);
    }
    _exit(0);
  }
  close(fds[1]);
  std::string text;
  char buffer[4096];
  for (ssize_t n; (n = read(fds[0], buffer, sizeof(buffer))) > 0;) text.append(buffer, n);
  close(fds[0]);
  waitpid(pid, nullptr, 0);
  std::vector<std::pair<double, double>> runs;
  std::istringstream in(text);
  for (double start, duration; in >> start >> duration;) runs.emplace_back(start, duration);
  return runs;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"How long a fresh kernel process takes to reach its steady speed"};
  std::string tasks = "mb1.13,r18.4,r18.12,mb1.2";
  int configs = 8;
  uint64_t seed = 1;
  double total_ms = 100;
  std::string json_path;
  app.add_option("--tasks", tasks, "zoo layers, by name");
  app.add_option("--configs", configs, "random valid configurations per task");
  app.add_option("--seed", seed, "seeds the configurations and the data");
  app.add_option("--ms", total_ms, "how long each child runs its kernel");
  app.add_option("--json", json_path, "also write every configuration's window ratios here");
  CLI11_PARSE(app, argc, argv);
  setenv("HL_NUM_THREADS", std::to_string(DefaultThreadCount()).c_str(), 1);

  nlohmann::json out = nlohmann::json::array();
  std::printf(
      "%-8s %3s | window of run starts (ms): median over configurations of its median run "
      "/ the steady run\n%-8s %3s |",
      "task", "n", "", "");
  for (const auto& [from, to] : kWindows) std::printf(" %5.0f-%-3.0f", from, to);
  std::printf(" | steady ms (median)\n");
  std::stringstream names(tasks);
  for (std::string name; std::getline(names, name, ',');) {
    const ZooLayer* layer = nullptr;
    try {
      layer = &FindZooLayer(name);
    } catch (const std::exception& error) {
      std::fprintf(stderr, "warmup_curve: %s\n", error.what());
      return 2;
    }
    const ConfigSample sample = SampleConfigs(*layer, configs, seed);
    const OperatorTemplate& tmpl = *sample.tmpl;
    const OperatorData& data = sample.data;
    tmpl.Build(tmpl.DefaultConfig(), data);  // compiled, never run: as the tuner's process
    std::vector<std::vector<double>> ratios(kWindows.size());
    std::vector<double> steadies;
    nlohmann::json task = {{"task", name}, {"configs", nlohmann::json::array()}};
    for (const Config& config : sample.configs) {
      const auto runs = RunsInFreshProcess(tmpl, config, data, total_ms);
      std::vector<double> late;
      for (const auto& [start, duration] : runs)
        if (start >= total_ms / 2) late.push_back(duration);
      if (late.size() < 3) continue;  // failed, or too slow to tell
      const double steady = Median(late);
      steadies.push_back(steady);
      nlohmann::json windows = nlohmann::json::array();
      for (size_t w = 0; w < kWindows.size(); ++w) {
        std::vector<double> in;
        for (const auto& [start, duration] : runs)
          if (start >= kWindows[w].first && start < kWindows[w].second) in.push_back(duration);
        const double ratio = in.empty() ? std::nan("") : Median(in) / steady;
        if (!in.empty()) ratios[w].push_back(ratio);
        windows.push_back(in.empty() ? nlohmann::json(nullptr) : nlohmann::json(ratio));
      }
      task["configs"].push_back({{"steady_ms", steady}, {"windows", windows}});
    }
    std::printf("%-8s %3zu |", name.c_str(), steadies.size());
    for (const auto& window : ratios)
      window.empty() ? std::printf("      -   ") : std::printf("  %6.3f  ", Median(window));
    if (steadies.empty()) {
      std::printf(" | -\n");
    } else {
      std::printf(" | %.4f\n", Median(steadies));
    }
    std::fflush(stdout);
    out.push_back(task);
  }
  if (!json_path.empty()) std::ofstream(json_path) << out.dump(1) << '\n';
  return 0;
}
