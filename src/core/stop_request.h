// Ctrl-C (SIGINT) and SIGTERM ask a long run to stop, rather than killing it: the work in
// flight is abandoned (kernel processes killed), what was finished is committed, and the
// command then ends by the same signal (DieOfStopSignal), so that a shell or `make` sees a
// process the signal ended (status 128 + its number) and stops its own loop too. A second
// signal ends the process at once, as if no handler were installed.
//
// The flag is process-wide and set from a signal handler, so it is a lock-free atomic; long
// loops (the measurer's waits, the tuning loop, training) poll StopRequested().
#pragma once

#include <stdexcept>
#include <string>

namespace tessel {

// Installs the handlers for SIGINT and SIGTERM (idempotent). A signal the process inherited
// as ignored (`nohup`, a background job of a script) stays ignored. System calls are restarted
// (SA_RESTART); the waits that must notice a stop poll the flag in short slices.
void InstallStopHandlers();
// Gives SIGINT and SIGTERM the actions they had before InstallStopHandlers; a stop requested
// meanwhile ends the process now, as the signal would have.
void UninstallStopHandlers();

// Flushes stdio and ends the process by the signal that asked to stop, with its default
// action (exit status 128 + its number when that cannot be done). Call it once what was
// finished is committed and the records are closed.
[[noreturn]] void DieOfStopSignal();

bool StopRequested();
// The signal that asked to stop, 0 when none did.
int StopSignal();
// What the handler does (signal_number > 0), for tests and for stops of Tessel's own.
void RequestStop(int signal_number);
void ClearStopRequest();

// Thrown by work that cannot return part of a result (training a network, say) when a stop is
// requested; main() reports it and ends by the signal (DieOfStopSignal).
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
