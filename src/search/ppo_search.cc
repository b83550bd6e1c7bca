#include "search/ppo_search.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <sstream>

#include "core/error.h"
#include "core/key_values.h"
#include "core/stop_request.h"
#include "search/top_candidates.h"

namespace tessel {
namespace {

constexpr int kActions = 3;  // decrement, stay, increment

// Actor-critic: one shared layer feeds a policy head (a 3-way softmax per knob) and a value
// head.
struct ActorCriticImpl : torch::nn::Module {
  ActorCriticImpl(int inputs, int knobs, int hidden, double temperature)
      : shared(register_module("shared", torch::nn::Linear(inputs, hidden))),
        policy_hidden(register_module("policy_hidden", torch::nn::Linear(hidden, hidden))),
        policy_out(register_module("policy_out", torch::nn::Linear(hidden, knobs * kActions))),
        value_hidden(register_module("value_hidden", torch::nn::Linear(hidden, hidden))),
        value_out(register_module("value_out", torch::nn::Linear(hidden, 1))),
        knobs_(knobs),
        inverse_temperature_(1.0 / temperature) {}

  // Log-probabilities [n, knobs, 3] and values [n].
  std::pair<torch::Tensor, torch::Tensor> forward(const torch::Tensor& states) {
    const torch::Tensor features = torch::tanh(shared(states));
    const torch::Tensor logits =
        policy_out(torch::tanh(policy_hidden(features))).view({-1, knobs_, kActions}) *
        inverse_temperature_;
    const torch::Tensor values = value_out(torch::tanh(value_hidden(features))).squeeze(-1);
    return {torch::log_softmax(logits, -1), values};
  }

  torch::nn::Linear shared, policy_hidden, policy_out, value_hidden, value_out;
  int knobs_;
  double inverse_temperature_;
};
TORCH_MODULE(ActorCritic);

// The candidate nearest `target` in normalised knob space (the first on ties); `fallback`
// when there are no candidates.
Config NearestTo(const Space& space, const Config& target, const std::vector<Config>& candidates,
                 const Config& fallback) {
  const std::vector<double> aim = space.NormalisedFeatures(target);
  const Config* best = &fallback;
  double best_distance = INFINITY;
  for (const Config& candidate : candidates) {
    const double distance = Space::SquaredDistance(space.NormalisedFeatures(candidate), aim);
    if (distance < best_distance) best_distance = distance, best = &candidate;
  }
  return *best;
}

}  // namespace

struct PpoSearch::Agent {
  Agent(int inputs, int knobs, const Options& options)
      : network(inputs, knobs, options.hidden, options.temperature),
        optimiser(network->parameters(), torch::optim::AdamOptions(options.learning_rate)) {}
  ActorCritic network;
  torch::optim::Adam optimiser;
};

void PpoSearch::Options::Validate() const {
  if (!(learning_rate > 0)) throw ConfigError("the PPO learning rate must be positive");
  if (!(discount >= 0 && discount <= 1)) throw ConfigError("the PPO discount must be in [0, 1]");
  if (!(gae_lambda >= 0 && gae_lambda <= 1))
    throw ConfigError("PPO's GAE lambda must be in [0, 1]");
  if (epochs < 1) throw ConfigError("PPO needs at least one epoch");
  if (!(clip > 0)) throw ConfigError("the PPO clip range must be positive");
  if (!(value_coefficient >= 0 && entropy_coefficient >= 0))
    throw ConfigError("PPO's loss coefficients must not be negative");
  if (hidden < 1 || horizon < 1 || minibatch < 1)
    throw ConfigError("PPO's hidden width, horizon and minibatch must be positive");
  if (max_steps < 1 || early_stop < 1 || stall_steps < 1)
    throw ConfigError("PPO's step limits must be positive");
  if (!(stuck_share > 0 && stuck_share <= 1)) throw ConfigError("stuck_share must be in (0, 1]");
  if (!(temperature > 0)) throw ConfigError("the PPO policy's temperature must be positive");
  // Sizes beyond these would not fit in memory (the network's layers, a segment's states) or
  // would not finish; they are refused before anything is allocated.
  if (hidden > 4096 || horizon > 10000 || minibatch > 1000000 || epochs > 1000)
    throw ConfigError(
        "PPO's hidden width is at most 4096, its horizon 10000, its minibatch 1000000 and its "
        "epochs 1000");
  if (max_steps > 1000000 || early_stop > 1000000 || stall_steps > 1000000)
    throw ConfigError("PPO's step limits are at most 1000000");
}

namespace {

// Parse's keys, each with where its value goes.
struct PpoKey {
  std::string_view name;
  double PpoSearch::Options::*real = nullptr;
  int PpoSearch::Options::*integer = nullptr;
};
constexpr PpoKey kPpoKeys[] = {
    {"lr", &PpoSearch::Options::learning_rate},
    {"discount", &PpoSearch::Options::discount},
    {"gae", &PpoSearch::Options::gae_lambda},
    {"epochs", nullptr, &PpoSearch::Options::epochs},
    {"clip", &PpoSearch::Options::clip},
    {"vcoef", &PpoSearch::Options::value_coefficient},
    {"entropy", &PpoSearch::Options::entropy_coefficient},
    {"hidden", nullptr, &PpoSearch::Options::hidden},
    {"horizon", nullptr, &PpoSearch::Options::horizon},
    {"minibatch", nullptr, &PpoSearch::Options::minibatch},
    {"max_steps", nullptr, &PpoSearch::Options::max_steps},
    {"early_stop", nullptr, &PpoSearch::Options::early_stop},
    {"stuck_share", &PpoSearch::Options::stuck_share},
    {"stall_steps", nullptr, &PpoSearch::Options::stall_steps},
    {"temperature", &PpoSearch::Options::temperature},
};

}  // namespace

PpoSearch::Options PpoSearch::Options::Parse(std::string_view spec) {
  Options options;
  std::string known;
  for (const PpoKey& key : kPpoKeys) known += (known.empty() ? "" : ", ") + std::string(key.name);
  for (const auto& [name, text] : SplitKeyValues(spec, "--ppo")) {
    const PpoKey* key = nullptr;
    for (const PpoKey& candidate : kPpoKeys)
      if (candidate.name == name) key = &candidate;
    if (key == nullptr) throw ConfigError("unknown --ppo key '" + name + "'; known keys: " + known);
    const double value = ParseOptionNumber(text, "--ppo", name, key->integer != nullptr);
    if (key->real) {
      options.*(key->real) = value;
    } else {
      options.*(key->integer) = static_cast<int>(value);
    }
  }
  options.Validate();
  return options;
}

std::string PpoSearch::Options::ToString() const {
  std::ostringstream text;
  for (const PpoKey& key : kPpoKeys) {
    if (&key != kPpoKeys) text << ',';
    text << key.name << '=';
    if (key.real) {
      text << this->*(key.real);
    } else {
      text << this->*(key.integer);
    }
  }
  return text.str();
}

PpoSearch::PpoSearch(const Space& space, const Options& options, Rng rng)
    : space_(space), options_(options), rng_(std::move(rng)) {
  options_.Validate();
  // The network is small: one thread keeps its arithmetic, and so the run, reproducible.
  torch::set_num_threads(1);
  torch::manual_seed(rng_.Fork("weights").seed());
  const int knobs = static_cast<int>(space_.num_knobs());
  agent_ = std::make_unique<Agent>(knobs + 1, knobs, options_);
}

PpoSearch::~PpoSearch() = default;

PpoSearch::Result PpoSearch::Search(const CostModel& model, const std::vector<Config>& starts,
                                    int count, const ConfigSet& exclude) {
  TESSEL_CHECK(count >= 0) << "negative count";
  Result result;
  if (starts.empty()) return result;
  const int knobs = static_cast<int>(space_.num_knobs());
  const int walkers = static_cast<int>(starts.size());

  std::vector<Config> current = starts;
  std::vector<double> raw = model.Predict(current);
  // Rewards are the model's scores standardised over the starts: ranking models give scores
  // on an arbitrary scale, and PPO's step sizes assume rewards of order one.
  const double mean = std::accumulate(raw.begin(), raw.end(), 0.0) / walkers;
  double variance = 0;
  for (double score : raw) variance += (score - mean) * (score - mean);
  const double scale = std::max(std::sqrt(variance / walkers), 1e-6);
  auto standardise = [&](double score) { return (score - mean) / scale; };

  // The best `count` unvisited candidates so far.
  TopCandidates top(count, exclude);
  bool improved = false;
  auto offer = [&](double score, const Config& config) { improved |= top.Offer(score, config); };
  for (int w = 0; w < walkers; ++w) {
    offer(raw[w], current[w]);
    result.trajectory.push_back(current[w]);
  }

  auto state_of = [&](const Config& config, double score, float* out) {
    const std::vector<double> features = space_.NormalisedFeatures(config);
    for (int k = 0; k < knobs; ++k) out[k] = static_cast<float>(features[k]);
    out[knobs] = static_cast<float>(standardise(score));
  };

  std::vector<bool> active(walkers, true);
  // Per walker and knob: steps in a row the knob has not moved.
  std::vector<std::vector<int>> unchanged_for(walkers, std::vector<int>(knobs, 0));
  int last_improvement = 0;
  int step = 0;
  // A stop request (Ctrl-C) ends the search with what it has: the run is ending.
  while (step < options_.max_steps && step < last_improvement + options_.early_stop &&
         std::find(active.begin(), active.end(), true) != active.end() && !StopRequested()) {
    // One segment of up to `horizon` lockstep steps, then a PPO update on it.
    const int horizon = std::min(options_.horizon, options_.max_steps - step);
    std::vector<float> states, next_states;
    std::vector<int64_t> actions;
    std::vector<float> rewards, old_log_probs, dones;
    std::vector<int> rows_walker;  // the walker of each transition
    int taken = 0;
    for (; taken < horizon; ++taken) {
      std::vector<int> moving;
      for (int w = 0; w < walkers; ++w)
        if (active[w]) moving.push_back(w);
      if (moving.empty() || step >= last_improvement + options_.early_stop) break;
      const int n = static_cast<int>(moving.size());
      std::vector<float> batch_states(static_cast<size_t>(n) * (knobs + 1));
      for (int i = 0; i < n; ++i)
        state_of(current[moving[i]], raw[moving[i]], &batch_states[i * (knobs + 1)]);
      torch::Tensor log_probs;
      {
        torch::NoGradGuard no_grad;
        log_probs =
            agent_->network
                ->forward(torch::from_blob(batch_states.data(), {n, knobs + 1}, torch::kFloat))
                .first.contiguous();
      }
      const auto lp = log_probs.accessor<float, 3>();
      std::vector<Config> proposals(n);
      std::vector<int64_t> batch_actions(static_cast<size_t>(n) * knobs);
      std::vector<float> batch_log_probs(n, 0);
      for (int i = 0; i < n; ++i) {
        const Config& from = current[moving[i]];
        Config to = from;
        for (int k = 0; k < knobs; ++k) {
          // Sample from the softmax with the run's own generator, for reproducibility.
          double draw = rng_.UniformReal();
          int action = kActions - 1;
          for (int a = 0; a < kActions - 1; ++a) {
            draw -= std::exp(lp[i][k][a]);
            if (draw < 0) {
              action = a;
              break;
            }
          }
          batch_actions[i * knobs + k] = action;
          batch_log_probs[i] += lp[i][k][action];
          const int size = static_cast<int>(space_.knobs()[k].values.size());
          to[k] = std::clamp(from[k] + action - 1, 0, size - 1);
        }
        const bool valid = space_.IsValid(to);
        if (!valid && space_.valid_list()) {
          // A table of rows: the knob steps almost never land on a row, so go to the row
          // among the current one's nearest that is closest to where the steps pointed.
          to = NearestTo(space_, to, space_.Neighbours(from), from);
        } else if (!valid) {
          // Undo changed knobs in a seeded order until the constraint holds.
          std::vector<int> order(knobs);
          std::iota(order.begin(), order.end(), 0);
          for (int k = knobs - 1; k > 0; --k) std::swap(order[k], order[rng_.UniformInt(0, k)]);
          for (int k : order) {
            if (to[k] == from[k]) continue;
            to[k] = from[k];
            if (space_.IsValid(to)) break;
          }
        }
        proposals[i] = std::move(to);
      }
      const std::vector<double> scores = model.Predict(proposals);
      improved = false;
      for (int i = 0; i < n; ++i) {
        const int w = moving[i];
        int stuck_knobs = 0;
        for (int k = 0; k < knobs; ++k) {
          unchanged_for[w][k] = proposals[i][k] == current[w][k] ? unchanged_for[w][k] + 1 : 0;
          stuck_knobs += unchanged_for[w][k] >= options_.stall_steps;
        }
        const bool stuck = stuck_knobs >= options_.stuck_share * knobs;
        states.insert(states.end(), &batch_states[i * (knobs + 1)],
                      &batch_states[(i + 1) * (knobs + 1)]);
        actions.insert(actions.end(), &batch_actions[i * knobs], &batch_actions[(i + 1) * knobs]);
        old_log_probs.push_back(batch_log_probs[i]);
        rewards.push_back(static_cast<float>(standardise(scores[i])));
        current[w] = proposals[i];
        raw[w] = scores[i];
        std::vector<float> next(knobs + 1);
        state_of(current[w], raw[w], next.data());
        next_states.insert(next_states.end(), next.begin(), next.end());
        dones.push_back(stuck ? 1.f : 0.f);
        rows_walker.push_back(w);
        offer(scores[i], current[w]);
        result.trajectory.push_back(current[w]);
        if (stuck) active[w] = false;
      }
      if (improved) last_improvement = step;
      ++step;
    }
    if (rewards.empty()) break;

    // Advantages by GAE, per walker, backwards through the segment.
    const int64_t rows = static_cast<int64_t>(rewards.size());
    const torch::Tensor state_tensor =
        torch::from_blob(states.data(), {rows, knobs + 1}, torch::kFloat).clone();
    const torch::Tensor action_tensor =
        torch::from_blob(actions.data(), {rows, knobs}, torch::kLong).clone();
    const torch::Tensor old_log_prob_tensor =
        torch::from_blob(old_log_probs.data(), {rows}, torch::kFloat).clone();
    std::vector<float> values(rows), next_values(rows);
    {
      torch::NoGradGuard no_grad;
      const torch::Tensor v = agent_->network->forward(state_tensor).second.contiguous();
      const torch::Tensor nv =
          agent_->network
              ->forward(torch::from_blob(next_states.data(), {rows, knobs + 1}, torch::kFloat))
              .second.contiguous();
      std::copy(v.data_ptr<float>(), v.data_ptr<float>() + rows, values.begin());
      std::copy(nv.data_ptr<float>(), nv.data_ptr<float>() + rows, next_values.begin());
    }
    std::vector<float> advantages(rows), returns(rows);
    std::vector<float> carry(walkers, 0.f);
    for (int64_t r = rows - 1; r >= 0; --r) {
      const int w = rows_walker[r];
      const float not_done = 1.f - dones[r];
      const float delta = rewards[r] +
                          static_cast<float>(options_.discount) * next_values[r] * not_done -
                          values[r];
      carry[w] =
          delta + static_cast<float>(options_.discount * options_.gae_lambda) * not_done * carry[w];
      advantages[r] = carry[w];
      returns[r] = advantages[r] + values[r];
    }
    torch::Tensor advantage_tensor =
        torch::from_blob(advantages.data(), {rows}, torch::kFloat).clone();
    if (rows > 1)
      advantage_tensor =
          (advantage_tensor - advantage_tensor.mean()) / (advantage_tensor.std() + 1e-8);
    const torch::Tensor return_tensor =
        torch::from_blob(returns.data(), {rows}, torch::kFloat).clone();

    // PPO's clipped objective, a few epochs over shuffled minibatches.
    UpdateStats update;
    update.mean_reward = std::accumulate(rewards.begin(), rewards.end(), 0.0) / rows;
    int minibatches = 0;
    std::vector<int64_t> order(rows);
    std::iota(order.begin(), order.end(), 0);
    for (int epoch = 0; epoch < options_.epochs; ++epoch) {
      for (int64_t i = rows - 1; i > 0; --i) std::swap(order[i], order[rng_.UniformInt(0, i)]);
      for (int64_t begin = 0; begin < rows; begin += options_.minibatch) {
        const int64_t end = std::min<int64_t>(rows, begin + options_.minibatch);
        const torch::Tensor index =
            torch::from_blob(order.data() + begin, {end - begin}, torch::kLong).clone();
        auto [log_probs, value] = agent_->network->forward(state_tensor.index_select(0, index));
        const torch::Tensor chosen =
            log_probs.gather(-1, action_tensor.index_select(0, index).unsqueeze(-1))
                .squeeze(-1)
                .sum(-1);
        const torch::Tensor ratio = (chosen - old_log_prob_tensor.index_select(0, index)).exp();
        const torch::Tensor advantage = advantage_tensor.index_select(0, index);
        const torch::Tensor policy_loss =
            -torch::min(ratio * advantage,
                        torch::clamp(ratio, 1 - options_.clip, 1 + options_.clip) * advantage)
                 .mean();
        const torch::Tensor value_loss =
            (value - return_tensor.index_select(0, index)).pow(2).mean();
        const torch::Tensor entropy = -(log_probs.exp() * log_probs).sum(-1).sum(-1).mean();
        const torch::Tensor loss = policy_loss + options_.value_coefficient * value_loss -
                                   options_.entropy_coefficient * entropy;
        agent_->optimiser.zero_grad();
        loss.backward();
        agent_->optimiser.step();
        // Read for the report only; reading a tensor changes nothing the agent computes.
        update.policy_loss += policy_loss.item<double>();
        update.value_loss += value_loss.item<double>();
        update.entropy += entropy.item<double>();
        ++minibatches;
      }
    }
    if (minibatches > 0) {
      update.policy_loss /= minibatches;
      update.value_loss /= minibatches;
      update.entropy /= minibatches;
    }
    result.updates.push_back(update);
  }
  result.steps = step;
  result.best = top.Best();
  return result;
}

}  // namespace tessel
