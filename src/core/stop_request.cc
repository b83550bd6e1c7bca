#include "core/stop_request.h"

#include <signal.h>

#include <atomic>

namespace tessel {
namespace {

std::atomic<int> stop_signal{0};
static_assert(std::atomic<int>::is_always_lock_free, "the signal handler needs a lock-free flag");

void OnStopSignal(int signal_number) {
  // The second request ends the process the default way: someone wants out now.
  if (stop_signal.exchange(signal_number) != 0) {
    signal(signal_number, SIG_DFL);
    raise(signal_number);
  }
}

}  // namespace

void InstallStopHandlers() {
  struct sigaction action {};
  action.sa_handler = OnStopSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;  // no SA_RESTART: blocking waits return with EINTR
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
}

void UninstallStopHandlers() {
  signal(SIGINT, SIG_DFL);
  signal(SIGTERM, SIG_DFL);
  if (const int requested = stop_signal.load()) raise(requested);
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
