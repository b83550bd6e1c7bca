// Ctrl-C (SIGINT) and SIGTERM ask a long run to stop, rather than killing it: the work in
// flight is abandoned (kernel processes killed), what was finished is committed, and the
// command exits with 128 + the signal's number, as a shell reports a process the signal
// ended. A second signal ends the process at once, as if no handler were installed.
//
// The flag is process-wide and set from a signal handler, so it is a lock-free atomic; long
// loops (the measurer's waits, the tuning loop, training) poll StopRequested().
#pragma once

#include <stdexcept>
#include <string>

namespace tessel {

// Installs the handlers for SIGINT and SIGTERM (idempotent). Their system calls are not
// restarted, so a blocking poll() returns early with EINTR and its loop sees the request.
void InstallStopHandlers();
// Gives SIGINT and SIGTERM their default action back; a stop requested meanwhile ends the
// process now, as the signal would have.
void UninstallStopHandlers();

bool StopRequested();
// The signal that asked to stop, 0 when none did.
int StopSignal();
// What the handler does (signal_number > 0), for tests and for stops of Tessel's own.
void RequestStop(int signal_number);
void ClearStopRequest();

// Thrown by work that cannot return part of a result (training a network, say) when a stop is
// requested; main() turns it into the exit status 128 + signal.
class StopRequestedError : public std::runtime_error {
 public:
  StopRequestedError() : std::runtime_error("stopped on request") {}
};

// Throws StopRequestedError when a stop is requested.
inline void ThrowIfStopRequested() {
  if (StopRequested()) throw StopRequestedError();
}

// "SIGINT", "SIGTERM" or "signal N".
std::string SignalName(int signal_number);

}  // namespace tessel
