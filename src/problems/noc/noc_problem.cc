#include "problems/noc/noc_problem.h"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <type_traits>

#include "core/error.h"
#include "core/key_values.h"
#include "core/parallel_for.h"
#include "core/rng.h"
#include "problems/noc/routing_catalog.h"

namespace tessel::noc {
namespace {

// "0+9+18": hotspot nodes, '+'-separated because ',' separates the options.
std::vector<int> ParseNodeList(const std::string& text, std::string_view flag) {
  std::vector<int> nodes;
  std::string_view rest = text;
  while (!rest.empty()) {
    const size_t plus = rest.find('+');
    const std::string item(rest.substr(0, plus));
    nodes.push_back(static_cast<int>(ParseOptionNumber(item, flag, "hotspots", true)));
    rest = plus == std::string_view::npos ? std::string_view() : rest.substr(plus + 1);
  }
  if (nodes.empty())
    throw ConfigError(std::string(flag) + " hotspots needs node numbers joined by '+', e.g. 0+9");
  return nodes;
}

Space MakeRoutingSpace(int vcs) {
  std::vector<KnobValue> names;
  for (std::string_view name : AllRoutingNames()) names.emplace_back(std::string(name));
  // An algorithm whose VC classes the buffers cannot split (o1turn on an odd VC count) has no
  // valid configuration on this instance.
  return Space({{"routing", std::move(names)}}, [vcs](const Space& space, const Config& config) {
    const std::string& routing = space.TextValue(config, "routing");
    return vcs % RoutingVcClasses(routing) == 0;
  });
}

}  // namespace

void ApplyNocOptions(std::string_view spec, std::string_view flag, NocConfig& config) {
  for (const auto& [key, value] : SplitKeyValues(spec, flag)) {
    auto whole = [&](auto& field) {
      field = static_cast<std::remove_reference_t<decltype(field)>>(
          ParseOptionNumber(value, flag, key, true));
    };
    if (key == "vcs") {
      whole(config.vcs);
    } else if (key == "buffer_flits") {
      whole(config.buffer_flits);
    } else if (key == "packet_flits") {
      whole(config.packet_flits);
    } else if (key == "router_latency") {
      whole(config.router_latency);
    } else if (key == "link_latency") {
      whole(config.link_latency);
    } else if (key == "credit_latency") {
      whole(config.credit_latency);
    } else if (key == "warmup") {
      whole(config.warmup_cycles);
    } else if (key == "measure") {
      whole(config.measure_cycles);
    } else if (key == "drain_limit") {
      whole(config.drain_limit_cycles);
    } else if (key == "hotspot_fraction") {
      config.hotspot_fraction = ParseOptionNumber(value, flag, key, false);
    } else if (key == "hotspots") {
      config.hotspot_nodes = ParseNodeList(value, flag);
    } else {
      throw ConfigError(std::string(flag) + " has no key '" + key +
                        "'; known: vcs, buffer_flits, packet_flits, router_latency, "
                        "link_latency, credit_latency, hotspot_fraction, hotspots, warmup, "
                        "measure, drain_limit");
    }
  }
}

std::string NocInstanceText(const NocConfig& c) {
  std::string text = "mesh=" + std::to_string(c.k) + ",traffic=" + c.traffic +
                     ",rate=" + FormatNumber(c.rate) + ",vcs=" + std::to_string(c.vcs) +
                     ",buffer_flits=" + std::to_string(c.buffer_flits) +
                     ",packet_flits=" + std::to_string(c.packet_flits) +
                     ",router_latency=" + std::to_string(c.router_latency) +
                     ",link_latency=" + std::to_string(c.link_latency) +
                     ",credit_latency=" + std::to_string(c.credit_latency);
  if (c.traffic == "hotspot") {
    text += ",hotspot_fraction=" + FormatNumber(c.hotspot_fraction);
    std::string nodes;
    for (int node : c.hotspot_nodes) {
      if (!nodes.empty()) nodes += '+';
      nodes += std::to_string(node);
    }
    text += ",hotspots=" + (nodes.empty() ? std::string("centre") : nodes);
  }
  text += ",warmup=" + std::to_string(c.warmup_cycles) +
          ",measure=" + std::to_string(c.measure_cycles) +
          ",drain_limit=" + std::to_string(c.drain_limit_cycles);
  return text;
}

NocProblem::NocProblem(const NocConfig& config, uint64_t seed)
    : config_(config), seed_(seed), space_(MakeRoutingSpace(config.vcs)) {
  ValidateExceptRouting(config_);
  key_ = {kName, NocInstanceText(config_), "{}", "tessel-mesh-sim", 1};
}

ObjectiveInfo NocProblem::Objective() { return {"latency", "cycles", true}; }

std::vector<MetricInfo> NocProblem::DeclaredMetrics() {
  return {
      {"latency_p99", "cycles", "99th percentile of packet latency (creation to tail ejection)"},
      {"network_latency", "cycles", "mean latency from the head entering the network"},
      {"hops", "links", "mean links a packet crosses"},
      {"throughput", "flits/node/cycle", "accepted load: flits ejected in the measurement window"},
      {"offered", "flits/node/cycle", "flits created in the measurement window"},
      {"packets", "packets", "measured packets that arrived"},
      {"cycles", "cycles", "cycles simulated, all phases"},
  };
}

Evaluation NocProblem::ToEvaluation(const NocStats& stats) {
  Evaluation evaluation;
  evaluation.metrics = {{"latency_p99", stats.latency_p99},
                        {"network_latency", stats.network_latency},
                        {"hops", stats.hops},
                        {"throughput", stats.throughput},
                        {"offered", stats.offered},
                        {"packets", static_cast<double>(stats.packets)},
                        {"cycles", static_cast<double>(stats.cycles)}};
  evaluation.value = stats.latency;
  if (stats.deadlock) {
    evaluation.status = EvalStatus::kRuntimeError;
    evaluation.value = std::nan("");
    evaluation.error = "deadlock: no flit moved for the deadlock limit with flits in the network";
  } else if (stats.saturated) {
    evaluation.status = EvalStatus::kInfeasible;
    evaluation.error = "saturated: " + std::to_string(stats.packets) + " of " +
                       std::to_string(stats.packets_measured) +
                       " measured packets arrived within the drain limit (accepted " +
                       FormatNumber(stats.throughput) + " of " + FormatNumber(stats.offered) +
                       " flits/node/cycle offered)";
  }
  return evaluation;
}

std::vector<Evaluation> NocProblem::Evaluate(const std::vector<Config>& configs) {
  std::vector<Evaluation> results(configs.size());
  const int64_t first = evaluations_;
  evaluations_ += static_cast<int64_t>(configs.size());
  auto simulate = [&](size_t i) {
    NocConfig run = config_;
    run.routing = Routing(configs[i]);
    run.seed = Rng(seed_).Fork("noc-evaluation", static_cast<uint64_t>(first) + i).Next();
    try {
      results[i] = ToEvaluation(Simulate(run));
    } catch (const Error& error) {  // a limit of the simulator's: recorded, the run goes on
      results[i].status = EvalStatus::kRuntimeError;
      results[i].error = error.what();
    }
  };
  // One simulation per core at a time; each result depends only on its own seed.
  ParallelFor(configs.size(), 0, simulate);
  return results;
}

std::optional<Config> NocProblem::DefaultConfig() const { return ConfigOf("xy"); }

std::string NocProblem::Routing(const Config& config) const {
  return space_.TextValue(config, "routing");
}

Config NocProblem::ConfigOf(std::string_view routing) const {
  RoutingVcClasses(routing);  // throws, listing the names, for an unknown one
  return {space_.ValueIndex(0, std::string(routing))};
}

}  // namespace tessel::noc
