#include "tune/reinforce_tuner.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

#include "core/error.h"

namespace tessel {
namespace {

// docs/maestro_model.md 9.2 (rl_confx.py).
constexpr int kEncoderWidth = 10;  // each of the three encoders
constexpr int kTrunkWidth = 128;   // the trunk's layers and the LSTM cell
constexpr double kClipAll = 100;   // global gradient norm over every parameter
constexpr double kClipLstm = 10;   // then over the LSTM cell's
constexpr double kRewardEpsilon = 0x1.0p-12;
constexpr int kDecayEvery = 100;  // episodes between learning-rate decays
constexpr double kDecayFactor = 0.8;
constexpr double kMinLearningRate = 1e-6;

using LstmState = c10::optional<std::tuple<torch::Tensor, torch::Tensor>>;

// ConfuciuX's actor: three encoders (the step's features, the previous step's actions, its
// position) concatenated, a three-layer ReLU trunk, an LSTM cell carried over the episode's
// steps, and one head per knob giving a softmax over that knob's levels.
struct PolicyImpl : torch::nn::Module {
  PolicyImpl(int features, const std::vector<int>& levels)
      : features_encoder(
            register_module("features_encoder", torch::nn::Linear(features, kEncoderWidth))),
        actions_encoder(register_module(
            "actions_encoder", torch::nn::Linear(static_cast<int>(levels.size()), kEncoderWidth))),
        position_encoder(register_module("position_encoder", torch::nn::Linear(1, kEncoderWidth))),
        trunk1(register_module("trunk1", torch::nn::Linear(3 * kEncoderWidth, kTrunkWidth))),
        trunk2(register_module("trunk2", torch::nn::Linear(kTrunkWidth, kTrunkWidth))),
        trunk3(register_module("trunk3", torch::nn::Linear(kTrunkWidth, kTrunkWidth))),
        lstm(register_module("lstm", torch::nn::LSTMCell(kTrunkWidth, kTrunkWidth))) {
    for (size_t knob = 0; knob < levels.size(); ++knob) {
      const std::string name = "head" + std::to_string(knob);
      head_hidden.push_back(
          register_module(name + "_hidden", torch::nn::Linear(kTrunkWidth, levels[knob])));
      head_out.push_back(
          register_module(name + "_out", torch::nn::Linear(levels[knob], levels[knob])));
    }
  }

  // Per knob, the log-probabilities of its levels ([1, levels]); advances `state`.
  std::vector<torch::Tensor> Step(const torch::Tensor& features, const torch::Tensor& actions,
                                  const torch::Tensor& position, LstmState& state,
                                  double temperature) {
    torch::Tensor x = torch::cat(
        {features_encoder(features), actions_encoder(actions), position_encoder(position)}, 1);
    x = torch::relu(trunk3(torch::relu(trunk2(torch::relu(trunk1(x))))));
    state = lstm(x, state);
    const torch::Tensor hidden = std::get<0>(*state);
    std::vector<torch::Tensor> log_probs;
    for (size_t knob = 0; knob < head_hidden.size(); ++knob) {
      const torch::Tensor logits = head_out[knob](torch::relu(head_hidden[knob](hidden)));
      log_probs.push_back(torch::log_softmax(logits / temperature, 1));
    }
    return log_probs;
  }

  torch::nn::Linear features_encoder, actions_encoder, position_encoder, trunk1, trunk2, trunk3;
  torch::nn::LSTMCell lstm;
  std::vector<torch::nn::Linear> head_hidden, head_out;
};
TORCH_MODULE(Policy);

torch::Tensor Row(const std::vector<float>& values) {
  return torch::tensor(values, torch::kFloat32).view({1, -1});
}

// ConfuciuX's norm_state: (x - 0.5) x 2, onto [-1, 1].
std::vector<float> Centred(std::vector<float> values) {
  for (float& value : values) value = (value - 0.5f) * 2;
  return values;
}

// The mean and numpy's (population) standard deviation.
std::pair<double, double> MeanAndDeviation(const std::vector<double>& values) {
  const double mean = std::accumulate(values.begin(), values.end(), 0.0) / values.size();
  double squares = 0;
  for (double value : values) squares += (value - mean) * (value - mean);
  return {mean, std::sqrt(squares / values.size())};
}

std::vector<double> Normalised(std::vector<double> values) {
  const auto [mean, deviation] = MeanAndDeviation(values);
  for (double& value : values) value = (value - mean) / (deviation + kRewardEpsilon);
  return values;
}

// A level's value as the state shows it: the value over the largest of the knob's levels
// (ConfuciuX's action space divided by its bound); (index + 1) / count for knobs whose
// values are not positive numbers.
std::vector<float> LevelFractions(const Knob& knob, const std::vector<int32_t>& levels) {
  std::vector<double> numbers;
  for (int32_t level : levels) {
    const int64_t* number = std::get_if<int64_t>(&knob.values[level]);
    if (number == nullptr || *number <= 0) break;
    numbers.push_back(static_cast<double>(*number));
  }
  std::vector<float> fractions;
  const double largest = numbers.empty() ? 0 : *std::max_element(numbers.begin(), numbers.end());
  for (size_t i = 0; i < levels.size(); ++i)
    fractions.push_back(numbers.size() == levels.size()
                            ? static_cast<float>(numbers[i] / largest)
                            : static_cast<float>(i + 1) / static_cast<float>(levels.size()));
  return fractions;
}

// One draw from the categorical distribution with these log-probabilities ([1, levels]), with
// our own stream: the same on every platform, and apart from LibTorch's global generator.
int64_t SampleLevel(const torch::Tensor& log_probs, Rng& rng) {
  const torch::Tensor probabilities = log_probs.detach().exp().contiguous();
  const float* p = probabilities.data_ptr<float>();
  const int64_t levels = probabilities.size(1);
  const double draw = rng.UniformReal();
  double cumulative = 0;
  for (int64_t level = 0; level < levels; ++level) {
    TESSEL_CHECK(std::isfinite(p[level])) << "the REINFORCE policy produced a non-finite value";
    cumulative += p[level];
    if (draw < cumulative) return level;
  }
  return levels - 1;  // rounding left the sum a little under 1
}

// Per knob position, the number of levels every step offers there: the policy's head sizes.
// Throws ConfigError when steps differ or have no features to show the policy.
std::vector<int> HeadSizes(const DecisionSteps& steps) {
  if (steps.steps.front().features.empty())
    throw ConfigError("the reinforce tuner needs features describing each decision step");
  std::vector<int> levels;
  for (const std::vector<int32_t>& knob_levels : steps.steps.front().levels)
    levels.push_back(static_cast<int>(knob_levels.size()));
  for (const DecisionStep& step : steps.steps)
    for (size_t j = 0; j < step.levels.size(); ++j)
      if (static_cast<int>(step.levels[j].size()) != levels[j])
        throw ConfigError(
            "the reinforce tuner needs every step to offer as many levels per knob as the "
            "first (one policy head per knob)");
  return levels;
}

}  // namespace

PolicyInput PolicyInput::First(const DecisionStep& first) {
  return {std::vector<float>(first.features.begin(), first.features.end()),
          std::vector<float>(first.knobs.size(), 0.0f), 0.0f};
}

PolicyInput PolicyInput::After(const DecisionStep& assigned, const std::vector<float>& fractions,
                               size_t position, size_t count) {
  const float centred_position =
      (static_cast<float>(position) / static_cast<float>(count) - 0.5f) * 2;
  return {Centred(std::vector<float>(assigned.features.begin(), assigned.features.end())),
          Centred(fractions), centred_position};
}

StepRewarder::Episode StepRewarder::Reward(const std::vector<StepShare>& shares) {
  Episode episode;
  double earlier = 0;  // the sum of the episode's rewards so far
  double used = 0;     // the budgeted quantity the episode's steps took so far
  for (const StepShare& share : shares) {
    if (!share.objective) {  // an invalid step: the penalty with overshoot factor 1
      episode.rewards.push_back(-earlier);
      return episode;
    }
    const double fitness = -*share.objective;
    min_fitness_ = std::min(min_fitness_.value_or(fitness), fitness);
    used += share.constraint;
    if (used > budget_) {
      episode.rewards.push_back(-earlier * (used - budget_) / budget_);
      return episode;
    }
    const double reward = fitness - *min_fitness_;
    episode.rewards.push_back(reward);
    earlier += reward;
  }
  episode.succeeded = true;
  return episode;
}

std::vector<double> NormalisedReturns(const std::vector<double>& rewards, double discount) {
  std::vector<double> returns = Normalised(rewards);
  double later = 0;
  for (size_t t = returns.size(); t-- > 0;) later = returns[t] += discount * later;
  return Normalised(std::move(returns));
}

void ReinforceTuner::Options::Validate() const {
  if (!(learning_rate > 0)) throw ConfigError("the REINFORCE learning rate must be positive");
  if (!(discount >= 0 && discount <= 1))
    throw ConfigError("the REINFORCE discount must be in [0, 1]");
  if (!(temperature > 0)) throw ConfigError("the REINFORCE temperature must be positive");
  if (max_cached_episodes < 0)
    throw ConfigError("the REINFORCE agent's max_cached_episodes must not be negative");
}

struct ReinforceTuner::Agent {
  Agent(int features, const std::vector<int>& levels, double learning_rate)
      : policy(features, levels),
        optimiser(policy->parameters(), torch::optim::AdamOptions(learning_rate)) {}
  Policy policy;
  torch::optim::Adam optimiser;
  // Per step and knob, each level's value as the state shows it.
  std::vector<std::vector<std::vector<float>>> fractions;
};

struct ReinforceTuner::Episode {
  std::vector<size_t> order;  // the steps, in the order this episode visits them
  // Per visited step, the log-probability of the levels it chose (summed over its knobs).
  std::vector<torch::Tensor> log_probs;
  Config config;
  int64_t number = 0;  // episodes sampled before it
};

ReinforceTuner::ReinforceTuner(const Space& space, const DecisionSteps& steps,
                               const Options& options, Rng rng)
    : space_(space),
      steps_(steps),
      options_(options),
      rng_(rng.Fork("episodes")),
      rewarder_(steps.budget) {
  options_.Validate();
  CheckDecisionSteps(steps_, space_);
  const std::vector<int> levels = HeadSizes(steps_);
  // The network is small: one thread keeps its arithmetic, and so the run, reproducible.
  torch::set_num_threads(1);
  torch::manual_seed(rng.Fork("weights").seed());
  agent_ = std::make_unique<Agent>(static_cast<int>(steps_.steps.front().features.size()), levels,
                                   options_.learning_rate);
  for (const DecisionStep& step : steps_.steps) {
    std::vector<std::vector<float>> per_knob;
    for (size_t j = 0; j < step.knobs.size(); ++j)
      per_knob.push_back(LevelFractions(space_.knobs()[step.knobs[j]], step.levels[j]));
    agent_->fractions.push_back(std::move(per_knob));
  }
}

ReinforceTuner::~ReinforceTuner() = default;

double ReinforceTuner::learning_rate() const {
  return static_cast<const torch::optim::AdamOptions&>(
             agent_->optimiser.param_groups().front().options())
      .lr();
}

void ReinforceTuner::DecayLearningRate() {
  for (torch::optim::OptimizerParamGroup& group : agent_->optimiser.param_groups()) {
    auto& adam = static_cast<torch::optim::AdamOptions&>(group.options());
    adam.lr(std::max(kMinLearningRate, adam.lr() * kDecayFactor));
  }
}

ReinforceTuner::Episode ReinforceTuner::Sample() {
  ++episodes_;
  // main.py decays before episodes 99, 199, ... (counted from 1), once one succeeded.
  if ((episodes_ + 1) % kDecayEvery == 0 && succeeded_) DecayLearningRate();

  const size_t count = steps_.steps.size();
  Episode episode;
  episode.number = episodes_ - 1;
  episode.order.resize(count);
  std::iota(episode.order.begin(), episode.order.end(), size_t{0});
  rng_.Shuffle(episode.order);
  episode.config.assign(space_.num_knobs(), 0);  // knobs no step sets keep their first value

  const size_t knobs = steps_.steps.front().knobs.size();
  PolicyInput input = PolicyInput::First(steps_.steps[episode.order[0]]);
  LstmState state;
  for (size_t t = 0; t < count; ++t) {
    const size_t index = episode.order[t];
    const DecisionStep& step = steps_.steps[index];
    const std::vector<torch::Tensor> log_probs =
        agent_->policy->Step(Row(input.features), Row(input.actions), Row({input.position}), state,
                             options_.temperature);
    torch::Tensor chosen = torch::zeros({}, torch::kFloat32);
    std::vector<float> fractions(knobs);
    for (size_t j = 0; j < knobs; ++j) {
      const int64_t level = SampleLevel(log_probs[j], rng_);
      chosen = chosen + log_probs[j][0][level];
      episode.config[step.knobs[j]] = step.levels[j][level];
      fractions[j] = agent_->fractions[index][j][level];
    }
    episode.log_probs.push_back(chosen);
    input = PolicyInput::After(step, fractions, t, count);  // (quirk) this step, not the next
  }
  return episode;
}

std::vector<StepShare> ReinforceTuner::Shares(const Episode& episode,
                                              const Evaluation& evaluation) const {
  std::vector<StepShare> shares;
  for (size_t index : episode.order) {
    const DecisionStep& step = steps_.steps[index];
    StepShare share;
    share.objective = StepMetric(evaluation, step.objective_metric);
    if (!step.constraint_metric.empty()) {
      const std::optional<double> constraint = StepMetric(evaluation, step.constraint_metric);
      if (constraint) {
        share.constraint = *constraint;
      } else {
        share.objective.reset();  // without its constraint share the step is invalid too
      }
    }
    shares.push_back(share);
  }
  return shares;
}

void ReinforceTuner::Learn(Episode& episode, const Evaluation& evaluation) {
  const StepRewarder::Episode rewarded = rewarder_.Reward(Shares(episode, evaluation));
  succeeded_ |= rewarded.succeeded;
  const std::vector<double> returns = NormalisedReturns(rewarded.rewards, options_.discount);
  torch::Tensor loss = torch::zeros({}, torch::kFloat32);
  for (size_t t = 0; t < returns.size(); ++t)
    loss = loss - episode.log_probs[t] * static_cast<float>(returns[t]);
  torch::optim::Adam& optimiser = agent_->optimiser;
  optimiser.zero_grad();
  loss.backward();
  torch::nn::utils::clip_grad_norm_(agent_->policy->parameters(), kClipAll);
  torch::nn::utils::clip_grad_norm_(agent_->policy->lstm->parameters(), kClipLstm);
  // Stepped even when the returns are all zero (a one-step episode), as ConfuciuX does: Adam's
  // momentum still moves the weights.
  optimiser.step();
  // For the report: the episode's undiscounted reward and the loss it learned from.
  double total = 0;
  for (double reward : rewarded.rewards) total += reward;
  stats_.push_back({"reward", episode.number, total});
  stats_.push_back({"loss", episode.number, loss.item<double>()});
}

std::vector<Config> ReinforceTuner::NextBatch(int max_count) {
  if (max_count < 1) return {};
  pending_.reset();  // an episode never fed back teaches nothing
  for (int cached = 0; cached <= options_.max_cached_episodes; ++cached) {
    Episode episode = Sample();
    if (const Evaluation* known = known_.Find(episode.config)) {
      Learn(episode, *known);
      continue;
    }
    if (!space_.IsValid(episode.config)) {
      Evaluation invalid;
      invalid.status = EvalStatus::kInvalid;
      invalid.error = "outside the space's validity rule";
      known_.Add(episode.config, invalid);
      Learn(episode, invalid);
      continue;
    }
    pending_ = std::make_unique<Episode>(std::move(episode));
    return {pending_->config};
  }
  return {};
}

void ReinforceTuner::Update(const std::vector<Config>& configs,
                            const std::vector<Evaluation>& results) {
  TESSEL_CHECK(configs.size() == results.size()) << "one evaluation per configuration";
  for (size_t i = 0; i < configs.size(); ++i) known_.Add(configs[i], results[i]);
  if (pending_ && configs.size() == 1 && configs[0] == pending_->config)
    Learn(*pending_, results[0]);
  pending_.reset();
}

void ReinforceTuner::Resume(const std::vector<Config>& configs,
                            const std::vector<Evaluation>& results) {
  TESSEL_CHECK(configs.size() == results.size()) << "one evaluation per configuration";
  for (size_t i = 0; i < configs.size(); ++i) known_.Add(configs[i], results[i]);
}

}  // namespace tessel
