// Q-routing over the odd-even turn model (see q_routing.h).
#include "problems/noc/q_routing.h"

#include <sstream>
#include <string>

#include "core/error.h"

namespace tessel::noc {

namespace {

// Above this the tables (nodes^2 x 5 doubles) pass 40 MB.
constexpr int kMaxK = 32;

void CheckOption(const char* what, double value, bool ok, const char* give) {
  if (ok) return;
  std::ostringstream text;
  text << "Q-routing " << what << " = " << value << " is out of range; give " << give;
  throw ConfigError(text.str());
}

}  // namespace

QRouting::QRouting(const NocConfig& config, QRoutingOptions options)
    : mesh_{config.k},
      options_(options),
      link_latency_(config.link_latency),
      buffer_slots_(config.vcs * config.buffer_flits),
      ejection_latency_(static_cast<double>(ZeroLoadLatency(config, 0))) {
  CheckOption("learning_rate", options.learning_rate,
              options.learning_rate > 0 && options.learning_rate <= 1, "a value in (0, 1]");
  CheckOption("epsilon", options.epsilon, options.epsilon >= 0 && options.epsilon < 1,
              "a value in [0, 1)");
  CheckOption("congestion_weight", options.congestion_weight, options.congestion_weight >= 0,
              "0 or more cycles per queued flit");
  if (config.k < 2 || config.k > kMaxK)
    throw ConfigError("Q-routing on a " + std::to_string(config.k) + "x" +
                      std::to_string(config.k) + " mesh is not supported; give k = 2.." +
                      std::to_string(kMaxK));
  const int nodes = mesh_.nodes();
  q_.assign(static_cast<size_t>(nodes) * nodes * kPorts, 0.0);
  // Every productive port starts at the zero-load latency of the rest of a minimal route.
  for (int node = 0; node < nodes; ++node)
    for (int destination = 0; destination < nodes; ++destination)
      for (int port = kEast; port < kPorts; ++port)
        if (mesh_.ProductivePorts(node, destination).Contains(port))
          SetEstimate(node, destination, port,
                      static_cast<double>(ZeroLoadLatency(config, mesh_.Hops(node, destination))));
}

PortSet QRouting::AllowedPorts(const RouteQuery& q) const {
  return OddEvenPorts(mesh_, q.source, q.node, q.destination);
}

double QRouting::BestEstimate(int source, int node, int destination) const {
  if (node == destination) return ejection_latency_;
  const PortSet allowed = OddEvenPorts(mesh_, source, node, destination);
  double best = 0;
  bool first = true;
  for (int port = kEast; port < kPorts; ++port) {
    if (!allowed.Contains(port)) continue;
    const double estimate = Estimate(node, destination, port);
    if (first || estimate < best) best = estimate;
    first = false;
  }
  return best;
}

double QRouting::SelectionCost(const RouteQuery& q, int port, const OutputPortView& view) const {
  const double queued = static_cast<double>(buffer_slots_ - view.credits(port));
  return Estimate(q.node, q.destination, port) + options_.congestion_weight * queued;
}

int QRouting::Route(const RouteQuery& q, const OutputPortView& view, Rng& rng) {
  const PortSet allowed = AllowedPorts(q);
  if (allowed.size() > 1 && options_.epsilon > 0 && rng.UniformReal() < options_.epsilon) {
    int pick = static_cast<int>(rng.UniformInt(0, allowed.size() - 1));
    for (int port = kEast; port < kPorts; ++port)
      if (allowed.Contains(port) && pick-- == 0) return port;
  }
  PortSet best;
  double best_cost = 0;
  for (int port = kEast; port < kPorts; ++port) {
    if (!allowed.Contains(port)) continue;
    const double cost = SelectionCost(q, port, view);
    if (best.empty() || cost < best_cost) {
      best = PortSet();
      best_cost = cost;
    }
    if (cost == best_cost) best.Add(port);
  }
  return SelectMostCredits(best, view, rng);
}

void QRouting::OnHeadForwarded(const RouteQuery& q, int out_port, int64_t cycles_at_router) {
  const int next = mesh_.Neighbor(q.node, out_port);
  const double target = static_cast<double>(cycles_at_router + link_latency_) +
                        BestEstimate(q.source, next, q.destination);
  double& estimate = q_[Index(q.node, q.destination, out_port)];
  estimate += options_.learning_rate * (target - estimate);
  ++updates_;
}

}  // namespace tessel::noc
