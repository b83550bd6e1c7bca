#include "core/stop_request.h"

#include <pthread.h>
#include <signal.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdio>

namespace tessel {
namespace {

std::atomic<int> stop_signal{0};
static_assert(std::atomic<int>::is_always_lock_free, "the signal handler needs a lock-free flag");

constexpr std::array<int, 2> kStopSignals = {SIGINT, SIGTERM};
// The actions InstallStopHandlers replaced, for UninstallStopHandlers to put back.
std::array<struct sigaction, 2> previous{};
bool installed = false;

void OnStopSignal(int signal_number) {
  // The second request ends the process the default way: someone wants out now.
  if (stop_signal.exchange(signal_number) != 0) {
    signal(signal_number, SIG_DFL);
    raise(signal_number);
  }
}

}  // namespace

void InstallStopHandlers() {
  if (installed) return;
  struct sigaction action {};
  action.sa_handler = OnStopSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  for (size_t i = 0; i < kStopSignals.size(); ++i) {
    sigaction(kStopSignals[i], nullptr, &previous[i]);
    if (previous[i].sa_handler != SIG_IGN) sigaction(kStopSignals[i], &action, nullptr);
  }
  installed = true;
}

void UninstallStopHandlers() {
  if (!installed) return;
  for (size_t i = 0; i < kStopSignals.size(); ++i)
    sigaction(kStopSignals[i], &previous[i], nullptr);
  installed = false;
  if (const int requested = stop_signal.load()) raise(requested);
}

void DieOfStopSignal() {
  const int signal_number = stop_signal.load();
  std::fflush(nullptr);
  if (signal_number > 0) {
    signal(signal_number, SIG_DFL);
    sigset_t unblock;
    sigemptyset(&unblock);
    sigaddset(&unblock, signal_number);
    pthread_sigmask(SIG_UNBLOCK, &unblock, nullptr);
    raise(signal_number);
  }
  // No signal asked, or its default action did not end the process.
  _exit(128 + signal_number);
}

bool StopRequested() { return stop_signal.load(std::memory_order_relaxed) != 0; }

int StopSignal() { return stop_signal.load(std::memory_order_relaxed); }

void RequestStop(int signal_number) { stop_signal.store(signal_number); }

void ClearStopRequest() { stop_signal.store(0); }

std::string SignalName(int signal_number) {
  switch (signal_number) {
    case SIGINT:
      return "SIGINT";
    case SIGTERM:
      return "SIGTERM";
    default:
      return "signal " + std::to_string(signal_number);
  }
}

}  // namespace tessel
