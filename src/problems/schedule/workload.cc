#include "problems/schedule/workload.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <optional>
#include <vector>

#include "core/error.h"
#include "core/memory_size.h"
#include "core/overloaded.h"

namespace tessel {

double Flops(const Workload& workload) {
  return std::visit(
      Overloaded{[](const Conv2dShape& conv) {
                   return 2.0 * conv.n * conv.k * conv.out_h() * conv.out_w() *
                          conv.channels_per_group() * conv.r * conv.s;
                 },
                 [](const DenseShape& dense) { return 2.0 * dense.n * dense.in * dense.out; }},
      workload);
}

std::string_view TensorLayoutName(TensorLayout layout) {
  return layout == TensorLayout::kNhwc ? "nhwc" : "nchw";
}

std::string OperatorName(const Workload& workload) {
  return std::visit(Overloaded{[](const Conv2dShape&) { return "conv2d"; },
                               [](const DenseShape&) { return "dense"; }},
                    workload);
}

std::string WorkloadSpec(const Workload& workload) {
  std::string spec;
  auto add = [&spec](const char* key, int64_t value) {
    spec += spec.back() == ':' ? "" : ",";
    spec += std::string(key) + "=" + std::to_string(value);
  };
  std::visit(Overloaded{[&](const Conv2dShape& conv) {
                          spec = "conv2d:";
                          if (conv.n != 1) add("n", conv.n);
                          add("c", conv.c);
                          add("h", conv.h);
                          add("w", conv.w);
                          add("k", conv.k);
                          add("r", conv.r);
                          add("s", conv.s);
                          add("stride", conv.stride);
                          add("pad", conv.pad);
                          if (conv.groups != 1) add("groups", conv.groups);
                          if (conv.layout != TensorLayout::kNchw)
                            spec += ",layout=" + std::string(TensorLayoutName(conv.layout));
                        },
                        [&](const DenseShape& dense) {
                          spec = "dense:";
                          if (dense.n != 1) add("n", dense.n);
                          add("in", dense.in);
                          add("out", dense.out);
                        }},
             workload);
  return spec;
}

namespace {

constexpr const char* kSpecHelp =
    "expected conv2d:c=..,h=..,w=..,k=..,r=..,s=..[,stride=..][,pad=..][,groups=..][,n=..]"
    "[,layout=nchw|nhwc] or dense:in=..,out=..[,n=..]";

// The integer items of a spec's body; the one textual item, layout=, goes to `layout`.
std::map<std::string, int64_t> ParseKeyValues(std::string_view spec, std::string_view body,
                                              std::optional<std::string>& layout) {
  std::map<std::string, int64_t> values;
  size_t start = 0;
  while (start < body.size()) {
    size_t end = body.find(',', start);
    if (end == std::string_view::npos) end = body.size();
    const std::string_view item = body.substr(start, end - start);
    start = end + 1;
    const size_t eq = item.find('=');
    if (eq == std::string_view::npos || eq == 0)
      throw ConfigError("malformed workload '" + std::string(spec) + "': item '" +
                        std::string(item) + "' is not key=value; " + kSpecHelp);
    const std::string key(item.substr(0, eq));
    const std::string_view text = item.substr(eq + 1);
    if (key == "layout") {
      if (layout)
        throw ConfigError("malformed workload '" + std::string(spec) +
                          "': 'layout' is given twice");
      layout = std::string(text);
      continue;
    }
    int64_t value = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || ptr != text.data() + text.size())
      throw ConfigError("malformed workload '" + std::string(spec) + "': '" + key +
                        "' is not an integer");
    if (!values.emplace(key, value).second)
      throw ConfigError("malformed workload '" + std::string(spec) + "': '" + key +
                        "' is given twice");
  }
  return values;
}

int64_t Take(std::map<std::string, int64_t>& values, const std::string& key,
             std::optional<int64_t> fallback, std::string_view spec, int64_t minimum) {
  auto it = values.find(key);
  int64_t value;
  if (it == values.end()) {
    if (!fallback)
      throw ConfigError("workload '" + std::string(spec) + "' lacks '" + key + "'; " + kSpecHelp);
    value = *fallback;
  } else {
    value = it->second;
    values.erase(it);
  }
  if (value < minimum)
    throw ConfigError("workload '" + std::string(spec) + "': '" + key + "' must be at least " +
                      std::to_string(minimum));
  return value;
}

}  // namespace

Workload ParseWorkloadSpec(std::string_view spec) {
  const size_t colon = spec.find(':');
  if (colon == std::string_view::npos)
    throw ConfigError("malformed workload '" + std::string(spec) + "'; " + kSpecHelp);
  const std::string_view op = spec.substr(0, colon);
  std::optional<std::string> layout;
  auto values = ParseKeyValues(spec, spec.substr(colon + 1), layout);
  if (layout && op != "conv2d")
    throw ConfigError("workload '" + std::string(spec) + "': only conv2d takes a layout; " +
                      kSpecHelp);
  Workload workload;
  if (op == "conv2d") {
    Conv2dShape conv;
    conv.n = Take(values, "n", 1, spec, 1);
    conv.c = Take(values, "c", std::nullopt, spec, 1);
    conv.h = Take(values, "h", std::nullopt, spec, 1);
    conv.w = Take(values, "w", std::nullopt, spec, 1);
    conv.k = Take(values, "k", std::nullopt, spec, 1);
    conv.r = Take(values, "r", std::nullopt, spec, 1);
    conv.s = Take(values, "s", std::nullopt, spec, 1);
    conv.stride = Take(values, "stride", 1, spec, 1);
    conv.pad = Take(values, "pad", 0, spec, 0);
    conv.groups = Take(values, "groups", 1, spec, 1);
    if (layout && *layout == "nhwc") {
      conv.layout = TensorLayout::kNhwc;
    } else if (layout && *layout != "nchw") {
      throw ConfigError("workload '" + std::string(spec) + "': unknown layout '" + *layout +
                        "'; give nchw or nhwc");
    }
    if (conv.c % conv.groups || conv.k % conv.groups)
      throw ConfigError("workload '" + std::string(spec) +
                        "': c and k must be divisible by groups");
    // In double: 2 * pad overflows int64 for a pad near 2^63 (too large anyway, as
    // CheckWorkloadFits then says).
    if (conv.h + 2.0 * conv.pad < conv.r || conv.w + 2.0 * conv.pad < conv.s)
      throw ConfigError("workload '" + std::string(spec) +
                        "': the kernel is larger than the padded input");
    workload = conv;
  } else if (op == "dense") {
    DenseShape dense;
    dense.n = Take(values, "n", 1, spec, 1);
    dense.in = Take(values, "in", std::nullopt, spec, 1);
    dense.out = Take(values, "out", std::nullopt, spec, 1);
    workload = dense;
  } else {
    throw ConfigError("unknown operator '" + std::string(op) + "' in workload '" +
                      std::string(spec) + "'; " + kSpecHelp);
  }
  if (!values.empty())
    throw ConfigError("workload '" + std::string(spec) + "': unknown key '" +
                      values.begin()->first + "'; " + kSpecHelp);
  CheckWorkloadTensors(workload);
  return workload;
}

namespace {

// What measuring a workload holds: its tensors, and the bytes of the data, the reference
// output and one kernel's output together.
struct WorkloadTensors {
  struct Tensor {
    const char* name;
    double elements;  // in double: products of user-given sizes overflow 64-bit integers
  };
  std::vector<Tensor> tensors;
  double measured_bytes = 0;
};

WorkloadTensors TensorsOf(const Workload& workload) {
  WorkloadTensors result;
  auto& tensors = result.tensors;
  std::visit(
      Overloaded{[&](const Conv2dShape& conv) {
                   const double n = conv.n, c = conv.c, h = conv.h, w = conv.w, k = conv.k,
                                r = conv.r, s = conv.s, pad = conv.pad, stride = conv.stride;
                   const double out_h = std::floor((h + 2 * pad - r) / stride) + 1;
                   const double out_w = std::floor((w + 2 * pad - s) / stride) + 1;
                   tensors = {{"input", n * c * h * w},
                              {"padded input", n * c * (h + 2 * pad) * (w + 2 * pad)},
                              {"weights", k * (c / conv.groups) * r * s},
                              {"output", n * k * out_h * out_w}};
                   result.measured_bytes =
                       4 * (tensors[0].elements + tensors[2].elements + 2 * tensors[3].elements);
                 },
                 [&](const DenseShape& dense) {
                   const double n = dense.n, in = dense.in, out = dense.out;
                   tensors = {{"input", n * in}, {"weights", in * out}, {"output", n * out}};
                   result.measured_bytes =
                       4 * (tensors[0].elements + tensors[1].elements + 2 * tensors[2].elements);
                 }},
      workload);
  return result;
}

}  // namespace

void CheckWorkloadTensors(const Workload& workload) {
  // Halide indexes a buffer's bytes with 32-bit integers (without its LargeBuffers feature).
  constexpr double kHalideBufferBytes = 2147483647.0;
  for (const WorkloadTensors::Tensor& tensor : TensorsOf(workload).tensors) {
    if (4 * tensor.elements <= kHalideBufferBytes) continue;
    throw ConfigError("workload '" + WorkloadSpec(workload) + "': its " + tensor.name + " is " +
                      FormatMemorySize(static_cast<uint64_t>(std::min(4 * tensor.elements, 1e18))) +
                      ", and a tensor may hold at most 2 GiB (Halide's buffer limit); give "
                      "smaller sizes");
  }
}

void CheckWorkloadFits(const Workload& workload, uint64_t memory_bytes) {
  CheckWorkloadTensors(workload);
  const double measured_bytes = TensorsOf(workload).measured_bytes;
  if (memory_bytes == 0) memory_bytes = UsableMemoryBytes();
  if (memory_bytes > 0 && measured_bytes > static_cast<double>(memory_bytes) / 2)
    throw ConfigError("workload '" + WorkloadSpec(workload) + "': measuring it needs " +
                      FormatMemorySize(static_cast<uint64_t>(measured_bytes)) +
                      ", more than half of the memory this process may use, " +
                      FormatMemorySize(memory_bytes) + "; give smaller sizes");
}

}  // namespace tessel
