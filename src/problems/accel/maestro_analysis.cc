#include "problems/accel/maestro_analysis.h"

#include <algorithm>
#include <optional>

#include "problems/accel/maestro_case_quantities.h"
#include "problems/accel/maestro_iteration.h"

namespace tessel::maestro {
namespace {

// MAESTRO always double-buffers (CA_cost-analysis-engine.hpp:88, docs/maestro_model.md 1.3).
constexpr int64_t kBufferCopies = 2;

constexpr TensorClass kInputTensors[] = {TensorClass::kInput, TensorClass::kFilter};

class LevelAnalyser {
 public:
  LevelAnalyser(const ClusterStack& clusters, const TensorSet& tensors,
                const MaestroHardware& hardware)
      : clusters_(clusters), tensors_(tensors), hardware_(hardware) {}

  LevelResult Analyze(int level, const DimTable& case_dims);

  const LevelResult& first_result() const { return *first_result_; }
  bool aborted() const { return aborted_; }

 private:
  // An analysis depends only on the level and its case dimensions, and many cases of a level
  // hand the same dimensions down (4.8), so sub-cluster runtimes are reused. The first
  // analysis is never a reuse, so OUT[0] is unaffected, and a reused analysis already set
  // `aborted_` the first time.
  struct Memo {
    int level = 0;
    DimTable case_dims;
    int64_t runtime = 0;
  };
  static constexpr int kMemoCapacity = 32;

  // One step's output-side quantities (4.5, 4.6).
  struct OutputStep {
    int64_t egress = 0, macs = 0, partial_sums = 0;
  };

  int64_t SubClusterRuntime(int level, const DimTable& case_dims);
  OutputStep AccountOutput(const CaseQuantities& quantities, int64_t occurrences,
                           LevelResult& result) const;
  int64_t AccountInputs(const CaseQuantities& quantities, int64_t occurrences, int64_t macs,
                        LevelResult& result) const;
  int64_t StepDelay(int level, const IterCase& iter_case, const CaseQuantities& quantities,
                    const OutputStep& output, int64_t ingress, const LevelResult& result);
  void RecordBufferRequirements(const CaseQuantities& quantities, const DimTable& case_dims,
                                LevelResult& result) const;
  int64_t SubClusterDelay(int level, const CaseQuantities& quantities);
  int64_t NocDelay(int64_t elements) const;
  int64_t WithOffchipTerm(const LevelResult& result, int64_t compute_delay, int64_t delay);

  const ClusterStack& clusters_;
  const TensorSet& tensors_;
  const MaestroHardware& hardware_;
  std::optional<LevelResult> first_result_;
  bool aborted_ = false;
  FixedList<Memo, kMemoCapacity> memos_;
};

int64_t LevelAnalyser::SubClusterRuntime(int level, const DimTable& case_dims) {
  for (const Memo& memo : memos_) {
    if (memo.level == level && memo.case_dims == case_dims) return memo.runtime;
  }
  const int64_t runtime = Analyze(level, case_dims).runtime;
  if (memos_.size() < kMemoCapacity) memos_.push_back({level, case_dims, runtime});
  return runtime;
}

// docs/maestro_model.md 2.3 (AHW_noc-model.hpp:47-64): a head latency of hops x hop latency
// (MAESTRO builds every NoC with one hop of latency hop_latency x hops), then one more cycle per
// further bandwidth-sized piece. Zero traffic costs hops x latency - 1 (0 for ConfuciuX).
int64_t LevelAnalyser::NocDelay(int64_t elements) const {
  const int64_t head_latency = hardware_.noc_hops * hardware_.noc_hop_latency;
  return head_latency + (CeilDiv(elements, hardware_.noc_bandwidth) - 1);
}

// docs/maestro_model.md 6.1 (UpdateBufferSizeReq, 711-781), on the first processed case.
void LevelAnalyser::RecordBufferRequirements(const CaseQuantities& quantities,
                                             const DimTable& case_dims, LevelResult& result) const {
  for (TensorClass t : kInputTensors) {
    const TensorVars& vars = tensors_.Vars(t);
    int64_t size = 1;
    for (Dim v : vars) size *= case_dims[v];
    // The input requirements add up (MAESTRO reads the previous value back), which matters only
    // when the first case is skipped and this runs again on the next one.
    result[t].l2_requirement += kBufferCopies * quantities.SpatialIngressTraffic(vars);
    result[t].l2_write = size;  // the whole tensor is written into L2 once
    result[t].l1_requirement += kBufferCopies * quantities.MappedVolume(vars);
  }
  const TensorVars& output = tensors_.output;
  int64_t output_size = 1;
  for (Dim v : output) {
    // Y and X are overlapped dimensions: the output has Y - R + 1 rows, X - S + 1 columns.
    output_size *= IsReferenceDim(v) ? case_dims[v] - case_dims[SlidingDimOf(v)] + 1 : case_dims[v];
  }
  TensorCounts& out = result[TensorClass::kOutput];
  out.l2_requirement = kBufferCopies * quantities.SpatialEgressTraffic(output);
  out.l2_read = output_size;  // the whole output is read out of L2 once
  out.l1_requirement = kBufferCopies * quantities.MappedVolume(output);
}

// docs/maestro_model.md 5.1, lines 279-316: the sub-clusters' runtime for this step, the
// slowest of the analyses started for it (one for the full sub-clusters, and one more for the
// partial sub-cluster of a spatial edge step).
int64_t LevelAnalyser::SubClusterDelay(int level, const CaseQuantities& quantities) {
  const IterState& spatial = quantities.SpatialState();
  int64_t delay = 0;
  if (spatial.IsEdge() && spatial.sp_edge_edge) {
    delay = std::max(delay, SubClusterRuntime(level + 1, quantities.SubClusterDimensions(true)));
    if (clusters_[level].edge_clusters - 1 > 0) {
      delay = std::max(delay, SubClusterRuntime(level + 1, quantities.SubClusterDimensions(false)));
    }
    return delay;
  }
  return std::max(delay, SubClusterRuntime(level + 1, quantities.SubClusterDimensions(false)));
}

// docs/maestro_model.md 5.4 (v2021 only, top cluster, CA_cost-analysis-engine.hpp:337-349 at
// 4eb08d1): the step also waits for half of the L2 contents to stream in or out off-chip.
int64_t LevelAnalyser::WithOffchipTerm(const LevelResult& result, int64_t compute_delay,
                                       int64_t delay) {
  const int64_t bandwidth = hardware_.offchip_bandwidth;
  const int64_t out_delay = TruncDiv(result[TensorClass::kOutput].l2_requirement, bandwidth);
  const int64_t in_delay = TruncDiv(
      result[TensorClass::kInput].l2_requirement + result[TensorClass::kFilter].l2_requirement,
      bandwidth);
  // v2021 then divides the L2 requirements by the compute delay (its off-chip bandwidth
  // column) before MAESTRO's guard against a zero delay: a zero compute delay is an integer
  // division by zero, and MAESTRO dies without output.
  if (compute_delay == 0) aborted_ = true;
  return std::max(TruncDiv(in_delay, 2), std::max(delay, TruncDiv(out_delay, 2)));
}

// docs/maestro_model.md 5.1, lines 165-202: the output tensor's traffic, MACs and partial sums
// for one step, and its counts, which accumulate even when the case is then skipped.
LevelAnalyser::OutputStep LevelAnalyser::AccountOutput(const CaseQuantities& quantities,
                                                       int64_t occurrences,
                                                       LevelResult& result) const {
  const TensorVars& output = tensors_.output;
  OutputStep step;
  step.egress = quantities.SpatialEgressTraffic(output);
  step.macs = quantities.OutputSpatialMappingSize(output);
  step.partial_sums = quantities.CriticalPathPartialSums(output);
  TensorCounts& counts = result[TensorClass::kOutput];
  counts.l2_write += occurrences * step.egress;
  counts.l1_write += occurrences * step.macs;
  counts.l1_read += occurrences * step.macs;
  return step;
}

// 5.1, lines 212-234: the input tensors' traffic for one step and their counts; returns the
// total ingress traffic.
int64_t LevelAnalyser::AccountInputs(const CaseQuantities& quantities, int64_t occurrences,
                                     int64_t macs, LevelResult& result) const {
  int64_t ingress = 0;
  for (TensorClass t : kInputTensors) {
    const int64_t traffic = quantities.SpatialIngressTraffic(tensors_.Vars(t));
    ingress += traffic;
    TensorCounts& counts = result[t];
    const int64_t previous_l2_read = counts.l2_read;
    counts.l2_read = previous_l2_read + occurrences * traffic;
    // Quirk (lines 231-232): the L1 writes are set from the L2 reads, not accumulated.
    counts.l1_write = previous_l2_read + occurrences * traffic;
    counts.l1_read += occurrences * macs;
  }
  return ingress;
}

// 5.1, lines 279-349: what one step of this case costs.
int64_t LevelAnalyser::StepDelay(int level, const IterCase& iter_case,
                                 const CaseQuantities& quantities, const OutputStep& output,
                                 int64_t ingress, const LevelResult& result) {
  const bool innermost = level + 1 == clusters_.size();
  const int64_t compute_delay = innermost ? CeilDiv(output.partial_sums, hardware_.simd_lanes)
                                          : SubClusterDelay(level, quantities);
  const int64_t ingress_delay = NocDelay(ingress);
  const int64_t egress_delay = NocDelay(output.egress);
  // Lines 326-333, double buffering: the first load is not hidden; later steps overlap
  // communication with computation.
  const int64_t delay = iter_case.all_init
                            ? compute_delay + ingress_delay
                            : std::max(egress_delay, std::max(compute_delay, ingress_delay));
  if (level == 0 && hardware_.version == MaestroVersion::k2021) {
    return WithOffchipTerm(result, compute_delay, delay);
  }
  return delay;
}

// docs/maestro_model.md 5.1 (AnalyzeClusterLevel_V2, CA_cost-analysis-engine.hpp:84-436).
LevelResult LevelAnalyser::Analyze(int level, const DimTable& case_dims) {
  const ClusterLevel& cluster = clusters_[level];
  const IterationCases cases(cluster, case_dims);
  LevelResult result;
  // MAESTRO's case_id == 0 test: case_id advances only at the end of a processed case, so the
  // buffer requirements come from the first case that is not skipped.
  bool processed_a_case = false;
  for (int64_t id = 0; id < cases.size(); ++id) {
    const IterCase iter_case = cases[id];
    const CaseQuantities quantities(cluster, iter_case);
    if (!processed_a_case) RecordBufferRequirements(quantities, case_dims, result);
    const int64_t occurrences = iter_case.occurrences;
    const OutputStep output = AccountOutput(quantities, occurrences, result);
    // Lines 204-210: a case without partial sums is skipped (runtime 0 in shi's invalid region).
    if (output.partial_sums > 0) {
      const int64_t ingress = AccountInputs(quantities, occurrences, output.macs, result);
      const int64_t delay = StepDelay(level, iter_case, quantities, output, ingress, result);
      result.runtime += occurrences * delay;
      result.macs += occurrences * output.macs;
      processed_a_case = true;
    }
    if (quantities.aborted()) aborted_ = true;
  }
  // Results are appended after those of the sub-analyses they started: the first one appended
  // is the first innermost analysis (OUT[0]).
  if (!first_result_) first_result_ = result;
  return result;
}

}  // namespace

LayerAnalysis AnalyseClusterStack(const ClusterStack& clusters, const TensorSet& tensors,
                                  const DimTable& layer_dims, const MaestroHardware& hardware) {
  LevelAnalyser analyser(clusters, tensors, hardware);
  LayerAnalysis analysis;
  analysis.top = analyser.Analyze(0, layer_dims);
  analysis.first_innermost = analyser.first_result();
  analysis.aborted = analyser.aborted();
  return analysis;
}

}  // namespace tessel::maestro
