// A recorded configuration rebuilt as a kernel for a benchmark to time: built on the data the
// tuner measured with, run once, and checked against the template's reference loops, as the
// LocalMeasurer does; or why it cannot be timed.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/error.h"
#include "problems/schedule/local_measurer.h"
#include "problems/schedule/operator_template.h"

namespace tessel {

// The LocalMeasurer's defaults, so that a kernel is checked on the data it was tuned with and
// by the same bound.
constexpr double kTolerance = LocalMeasurerOptions{}.tolerance;
constexpr uint64_t kDataSeed = LocalMeasurerOptions{}.data_seed;

struct CheckedKernel {
  std::unique_ptr<Kernel> kernel;  // null when it failed
  std::string failure;             // empty, "wrong", "build error", "run error" or "bad record"
  std::string message;             // the compiler's, the runtime's or the space's message
  double error = 0;                // the checked output's error relative to the reference
};

inline CheckedKernel BuildCheckedKernel(const OperatorTemplate& tmpl, const std::string& config,
                                        const OperatorData& data,
                                        const std::vector<float>& reference) {
  CheckedKernel checked;
  try {
    std::unique_ptr<Kernel> kernel = tmpl.Build(tmpl.space().FromText(config), data);
    kernel->Run();
    checked.error = RelativeError(kernel->Output(), reference);
    if (checked.error <= kTolerance)
      checked.kernel = std::move(kernel);
    else
      checked.failure = "wrong";
  } catch (const KernelBuildError& error) {
    checked.failure = "build error";
    checked.message = error.what();
  } catch (const KernelRunError& error) {
    checked.failure = "run error";
    checked.message = error.what();
  } catch (const Error& error) {  // a configuration the template's space no longer parses
    checked.failure = "bad record";
    checked.message = error.what();
  }
  return checked;
}

}  // namespace tessel
