// Schedule templates: for each operator one algorithm and one parameterised schedule whose
// knobs form the task's Space. Building a configuration JIT-compiles it with Halide into a
// Kernel bound to concrete input data. Halide stays behind this header: the rest of Tessel
// never includes Halide.h.
#pragma once

#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/rng.h"
#include "problems/schedule/loop_nest.h"
#include "problems/schedule/workload.h"
#include "space/space.h"

namespace tessel {

// The inputs of one operator instance, dense and row-major: NCHW input and OIHW weights for
// conv2d, (n, in) input and (out, in) weights for dense.
struct OperatorData {
  std::vector<float> input;
  std::vector<float> weights;
};

// One layer of a network bound to its buffers, dense and row-major as OperatorData's. The
// kernel computes the operator, then adds the bias (per output channel) and the residual
// (the output's shape) when given, then applies ReLU when asked: the epilogues that graph
// passes fuse into a convolution or dense layer.
struct LayerBinding {
  const float* input = nullptr;
  const float* weights = nullptr;
  const float* bias = nullptr;
  const float* residual = nullptr;
  bool relu = false;
  float* output = nullptr;  // null: the kernel keeps its own output buffer
};

// A configuration that cannot be compiled, or a kernel that fails when run. These are
// measurement outcomes: the Measurer records them and the run goes on.
class KernelBuildError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};
class KernelRunError : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A compiled kernel with its input and output buffers. Destroying it releases the JIT code.
class Kernel {
 public:
  virtual ~Kernel() = default;
  // Computes the output; throws KernelRunError when the kernel reports an error.
  virtual void Run() = 0;
  // The output of the last Run(), dense NCHW (conv2d) or (n, out) (dense).
  virtual std::span<const float> Output() const = 0;
  // Whether later Runs keep to the calling thread (true) or share their parallel loops with
  // the thread pool (false, the default). Returns false for a kernel that never uses the pool
  // (plain loops), and then changes nothing.
  virtual bool SetSingleThreaded(bool single) {
    (void)single;
    return false;
  }
  // Evicts from the CPU's caches the buffers the kernel keeps besides its output (weights
  // packed or transformed when it was built), so that the next Run reads them from memory as
  // a network layer does. Buffers the kernel reads from its caller are the caller's to evict.
  virtual void EvictOwnBuffers() {}
};

class OperatorTemplate {
 public:
  virtual ~OperatorTemplate() = default;

  // Name and version identify the template in the records: a new version invalidates old ones.
  virtual std::string name() const = 0;
  virtual int version() const = 0;
  virtual const Workload& workload() const = 0;
  virtual const Space& space() const = 0;

  // A reasonable hand-written schedule, the "default schedule" results are compared with.
  // Throws tessel::Error when the space has no valid configuration for this workload.
  virtual Config DefaultConfig() const = 0;

  // The configuration that stands for every one compiling to the same code as `config`: knobs
  // without effect given the others take one fixed value (an unroll step when nothing is
  // unrolled, say). Measuring one of them measures them all; valid configurations map to valid
  // ones. The identity unless a template knows better.
  virtual Config Canonical(const Config& config) const { return config; }

  // Random inputs of the right sizes in [-1, 1].
  virtual OperatorData RandomData(Rng& rng) const = 0;

  // Plain loops, independent of Halide, that every measured configuration is checked against.
  virtual std::vector<float> Reference(const OperatorData& data) const = 0;

  // The hot loop nest this configuration compiles to, as the schedule states it (for loop
  // features; nothing is compiled).
  virtual LoopNest DescribeLoops(const Config& config) const = 0;

  // JIT-compiles the configuration and binds it to the data (which must outlive the kernel).
  // Throws KernelBuildError with the compiler's message when the schedule is rejected.
  virtual std::unique_ptr<Kernel> Build(const Config& config, const OperatorData& data) const = 0;

  // The same as a network layer: the buffers must outlive the kernel, and the kernel writes
  // into `layer.output` when it is given.
  virtual std::unique_ptr<Kernel> BuildLayer(const Config& config,
                                             const LayerBinding& layer) const = 0;
};

// The template for the workload's operator (conv2d or dense).
std::unique_ptr<OperatorTemplate> MakeOperatorTemplate(const Workload& workload);

// The host's description as recorded with every task: Halide's host target string, which
// names the ISA features the kernels are compiled for.
std::string HostTargetString();

}  // namespace tessel
