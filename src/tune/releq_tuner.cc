#include "tune/releq_tuner.h"

#include <torch/torch.h>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <variant>

#include "core/error.h"
#include "core/key_values.h"

namespace tessel {
namespace {

using LstmState = c10::optional<std::tuple<torch::Tensor, torch::Tensor>>;

constexpr int kStepwiseActions = 3;  // one level down, stay, one level up
constexpr double kAdamEpsilon = 1e-5;
// What the agent sees besides a step's features: the layer's current bits (over the largest)
// and the network's quantization and accuracy states.
constexpr int kDynamicInputs = 3;

// ReLeQ's networks (the public code's RPolicy_net, with the LSTM state carried over the
// episode's steps): an LSTM over the states, then for the policy two ReLU layers of `hidden`
// and a softmax over the actions, and for the value a ReLU layer of `hidden`, one of hidden / 2
// and a linear output. The paper has a policy network and a value network; the code shares one
// LSTM between its heads, here each has its own, so that fitting the value cannot move the
// policy's memory.
struct ActorCriticImpl : torch::nn::Module {
  ActorCriticImpl(int inputs, int actions, int hidden)
      : policy_lstm(register_module("policy_lstm", torch::nn::LSTM(inputs, hidden))),
        policy1(register_module("policy1", torch::nn::Linear(hidden, hidden))),
        policy2(register_module("policy2", torch::nn::Linear(hidden, hidden))),
        policy_out(register_module("policy_out", torch::nn::Linear(hidden, actions))),
        value_lstm(register_module("value_lstm", torch::nn::LSTM(inputs, hidden))),
        value1(register_module("value1", torch::nn::Linear(hidden, hidden))),
        value2(register_module("value2", torch::nn::Linear(hidden, std::max(1, hidden / 2)))),
        value_out(register_module("value_out", torch::nn::Linear(std::max(1, hidden / 2), 1))) {}

  // For a sequence of states ([steps, inputs]) from the LSTMs' states `policy` and `value`
  // (zero when unset), the actions' log-probabilities ([steps, actions]) and the states' values
  // ([steps]); advances both LSTM states. One call over a whole episode when learning, one per
  // step when acting.
  std::pair<torch::Tensor, torch::Tensor> Forward(const torch::Tensor& states, LstmState& policy,
                                                  LstmState& value, double temperature) {
    const torch::Tensor sequence = states.unsqueeze(1);  // [steps, batch 1, inputs]
    auto [policy_memory, policy_next] = policy_lstm(sequence, policy);
    auto [value_memory, value_next] = value_lstm(sequence, value);
    policy = policy_next;
    value = value_next;
    const torch::Tensor logits =
        policy_out(torch::relu(policy2(torch::relu(policy1(policy_memory.squeeze(1))))));
    const torch::Tensor values =
        value_out(torch::relu(value2(torch::relu(value1(value_memory.squeeze(1)))))).squeeze(1);
    return {torch::log_softmax(logits / temperature, 1), values};
  }

  torch::nn::LSTM policy_lstm;
  torch::nn::Linear policy1, policy2, policy_out;
  torch::nn::LSTM value_lstm;
  torch::nn::Linear value1, value2, value_out;
};
TORCH_MODULE(ActorCritic);

torch::Tensor Row(const std::vector<float>& values) {
  return torch::tensor(values, torch::kFloat32).view({1, -1});
}

// A level's numeric value; nullopt for a knob value that is not a positive number.
std::optional<double> LevelValue(const Knob& knob, int32_t level) {
  const int64_t* number = std::get_if<int64_t>(&knob.values[level]);
  if (number == nullptr || *number <= 0) return std::nullopt;
  return static_cast<double>(*number);
}

// Each level as the state shows it: its value over the largest level's (ReLeQ's bits / 8);
// (position + 1) / count when the values are not all positive numbers.
std::vector<float> LevelFractions(const Knob& knob, const std::vector<int32_t>& levels) {
  std::vector<double> numbers;
  for (int32_t level : levels)
    if (const std::optional<double> value = LevelValue(knob, level)) numbers.push_back(*value);
  const bool numeric = numbers.size() == levels.size();
  const double largest = numeric ? *std::max_element(numbers.begin(), numbers.end()) : 1;
  std::vector<float> fractions;
  for (size_t i = 0; i < levels.size(); ++i)
    fractions.push_back(numeric ? static_cast<float>(numbers[i] / largest)
                                : static_cast<float>(i + 1) / static_cast<float>(levels.size()));
  return fractions;
}

// One draw from the categorical distribution with these log-probabilities ([1, actions]), with
// our own stream: the same on every platform, and apart from LibTorch's global generator.
int64_t SampleAction(const torch::Tensor& log_probs, Rng& rng) {
  const torch::Tensor probabilities = log_probs.detach().exp().contiguous();
  const float* p = probabilities.data_ptr<float>();
  const int64_t actions = probabilities.size(1);
  const double draw = rng.UniformReal();
  double cumulative = 0;
  for (int64_t action = 0; action < actions; ++action) {
    TESSEL_CHECK(std::isfinite(p[action])) << "the ReLeQ policy produced a non-finite value";
    cumulative += p[action];
    if (draw < cumulative) return action;
  }
  return actions - 1;  // rounding left the sum a little under 1
}

// Throws ConfigError unless the steps are what ReLeQ's agent decides over: both state metrics
// named, one knob per step, and as many levels at every step (one softmax over them).
void CheckReleqSteps(const DecisionSteps& steps, const Space& space) {
  if (steps.quality_state_metric.empty() || steps.cost_state_metric.empty())
    throw ConfigError(
        "the releq tuner is rewarded by ReLeQ's accuracy and quantization states, which this "
        "problem does not report; use it with the quant problem");
  CheckDecisionSteps(steps, space);
  for (const DecisionStep& step : steps.steps) {
    if (step.knobs.size() != 1)
      throw ConfigError("the releq tuner decides one knob per step (a layer's bits)");
    if (step.levels[0].size() != steps.steps.front().levels[0].size())
      throw ConfigError("the releq tuner needs every step to offer as many levels as the first");
  }
}

// The position, among `levels`, of the level with the largest value (the last one when the
// values are not numbers).
size_t LargestPosition(const Knob& knob, const std::vector<int32_t>& levels) {
  size_t largest = levels.size() - 1;
  double largest_value = -INFINITY;
  for (size_t i = 0; i < levels.size(); ++i) {
    const std::optional<double> value = LevelValue(knob, levels[i]);
    if (!value) return levels.size() - 1;
    if (*value > largest_value) largest_value = *value, largest = i;
  }
  return largest;
}

// Over every step, the smallest level's value over the largest's (ReLeQ's min bits / max bits,
// the least quantization state); 0 when the values are not numbers.
double LowestQuantizationState(const DecisionSteps& steps, const Space& space) {
  double lowest = 1;
  for (const DecisionStep& step : steps.steps) {
    const Knob& knob = space.knobs()[step.knobs[0]];
    double smallest = INFINITY, largest = 0;
    for (int32_t level : step.levels[0]) {
      const std::optional<double> value = LevelValue(knob, level);
      if (!value) return 0;
      smallest = std::min(smallest, *value);
      largest = std::max(largest, *value);
    }
    lowest = std::min(lowest, smallest / largest);
  }
  return lowest;
}

// Parse's keys, each with where its value goes; shaping, actions and variant are words.
struct ReleqKey {
  std::string_view name;
  double ReleqTuner::Options::*real = nullptr;
  int ReleqTuner::Options::*integer = nullptr;
  bool ReleqTuner::Options::*flag = nullptr;
};
using O = ReleqTuner::Options;
constexpr ReleqKey kReleqKeys[] = {
    {"lr", &O::learning_rate},
    {"clip", &O::clip},
    {"epochs", nullptr, &O::epochs},
    {"discount", &O::discount},
    {"gae", &O::gae_lambda},
    {"vcoef", &O::value_coefficient},
    {"entropy", &O::entropy_coefficient},
    {"hidden", nullptr, &O::hidden},
    {"temperature", &O::temperature},
    {"update_every", nullptr, &O::episodes_per_update},
    {"a", &O::a},
    {"q", &O::q},
    {"threshold", &O::threshold},
    {"shaping"},
    {"actions"},
    {"carry", nullptr, nullptr, &O::carry},
    {"end_below", nullptr, nullptr, &O::end_below_threshold},
    {"max_known_steps", nullptr, &O::max_known_steps},
};

// Every constant of one of the public scripts: its discount (GAMMA), reward (a, q: its b,
// threshold: its margin, and its shaping), Adam's step size and the entropy coefficient.
void ApplyVariant(std::string_view name, ReleqTuner::Options& options) {
  if (name == "lenet") {
    options.discount = 0.9, options.a = 0.6, options.q = 3, options.threshold = 0.8;
  } else if (name == "cifar" || name == "svhn") {
    options.discount = name == "cifar" ? 0.999 : 0.9;
    options.a = 0.8, options.q = 1, options.threshold = 0.1;
  } else {
    throw ConfigError("unknown --releq variant '" + std::string(name) +
                      "'; known: lenet, cifar, svhn");
  }
  options.shaping = ReleqTuner::Shaping::kCode;
  options.learning_rate = 1e-4;
  options.entropy_coefficient = 0.01;
}

void SetWord(std::string_view key, const std::string& word, ReleqTuner::Options& options) {
  if (key == "shaping") {
    if (word != "paper" && word != "code")
      throw ConfigError("--releq shaping is paper or code, got '" + word + "'");
    options.shaping = word == "code" ? ReleqTuner::Shaping::kCode : ReleqTuner::Shaping::kPaper;
  } else {
    if (word != "flexible" && word != "stepwise")
      throw ConfigError("--releq actions is flexible or stepwise, got '" + word + "'");
    options.actions = word == "stepwise" ? ReleqTuner::ActionSpace::kStepwise
                                         : ReleqTuner::ActionSpace::kFlexible;
  }
}

}  // namespace

ReleqReward ShapedReward(double quantization_state, double accuracy_state,
                         const ReleqTuner::Options& options, double lowest_quantization_state) {
  if (accuracy_state < options.threshold) return {-1, true};
  const bool code = options.shaping == ReleqTuner::Shaping::kCode;
  const double x = std::max(0.0, quantization_state - (code ? lowest_quantization_state : 0));
  const double kept = std::max(accuracy_state, options.threshold);
  const double reward = (1 - std::pow(x, options.a)) * std::pow(kept, options.q / kept);
  return {code ? 2 * (reward - 0.5) : reward, false};
}

std::vector<double> GaeAdvantages(const std::vector<double>& rewards,
                                  const std::vector<double>& values, double discount,
                                  double lambda) {
  TESSEL_CHECK(rewards.size() == values.size()) << "one value per reward";
  std::vector<double> advantages(rewards.size());
  double later = 0;  // the advantage of the step after, 0 past the end
  for (size_t t = rewards.size(); t-- > 0;) {
    const double next_value = t + 1 < values.size() ? values[t + 1] : 0;
    const double delta = rewards[t] + discount * next_value - values[t];
    later = advantages[t] = delta + discount * lambda * later;
  }
  return advantages;
}

void ReleqTuner::Options::Validate() const {
  if (!(learning_rate > 0)) throw ConfigError("the releq learning rate must be positive");
  if (!(clip > 0)) throw ConfigError("the releq clip range must be positive");
  if (epochs < 1) throw ConfigError("the releq agent needs at least one epoch per update");
  if (!(discount >= 0 && discount <= 1)) throw ConfigError("the releq discount must be in [0, 1]");
  if (!(gae_lambda >= 0 && gae_lambda <= 1))
    throw ConfigError("the releq GAE lambda must be in [0, 1]");
  if (!(value_coefficient >= 0 && entropy_coefficient >= 0))
    throw ConfigError("the releq loss coefficients must not be negative");
  if (hidden < 1) throw ConfigError("the releq networks' hidden width must be positive");
  if (hidden > 4096 || epochs > 1000 || episodes_per_update > 100000)
    throw ConfigError(
        "the releq networks' hidden width is at most 4096, its epochs 1000 and update_every "
        "100000");
  if (!(temperature > 0)) throw ConfigError("the releq policy's temperature must be positive");
  if (episodes_per_update < 1) throw ConfigError("releq update_every must be at least 1");
  if (!(a > 0)) throw ConfigError("the releq reward's a must be positive");
  if (!(q >= 0)) throw ConfigError("the releq reward's q must not be negative");
  if (!(threshold >= 0 && threshold <= 1))
    throw ConfigError("the releq reward's threshold must be in [0, 1]");
  if (max_known_steps < 0) throw ConfigError("releq max_known_steps must not be negative");
}

ReleqTuner::Options ReleqTuner::Options::Parse(std::string_view spec) {
  Options options;
  const std::vector<std::pair<std::string, std::string>> pairs = SplitKeyValues(spec, "--releq");
  for (const auto& [name, text] : pairs)
    if (name == "variant") ApplyVariant(text, options);
  std::string known = "variant";
  for (const ReleqKey& key : kReleqKeys) known += ", " + std::string(key.name);
  for (const auto& [name, text] : pairs) {
    if (name == "variant") continue;
    const ReleqKey* key = nullptr;
    for (const ReleqKey& candidate : kReleqKeys)
      if (candidate.name == name) key = &candidate;
    if (key == nullptr)
      throw ConfigError("unknown --releq key '" + name + "'; known keys: " + known);
    if (key->real) {
      options.*(key->real) = ParseOptionNumber(text, "--releq", name, false);
    } else if (key->integer) {
      options.*(key->integer) = static_cast<int>(ParseOptionNumber(text, "--releq", name, true));
    } else if (key->flag) {
      const double value = ParseOptionNumber(text, "--releq", name, true);
      if (value != 0 && value != 1) throw ConfigError("--releq " + name + " is 0 or 1");
      options.*(key->flag) = value == 1;
    } else {
      SetWord(name, text, options);
    }
  }
  options.Validate();
  return options;
}

std::string ReleqTuner::Options::ToString() const {
  std::ostringstream text;
  for (const ReleqKey& key : kReleqKeys) {
    if (&key != kReleqKeys) text << ',';
    text << key.name << '=';
    if (key.real) {
      text << this->*(key.real);
    } else if (key.integer) {
      text << this->*(key.integer);
    } else if (key.flag) {
      text << (this->*(key.flag) ? 1 : 0);
    } else if (key.name == "shaping") {
      text << (shaping == Shaping::kCode ? "code" : "paper");
    } else {
      text << (actions == ActionSpace::kStepwise ? "stepwise" : "flexible");
    }
  }
  return text.str();
}

struct ReleqTuner::Agent {
  Agent(int inputs, int actions, const Options& options)
      : network(inputs, actions, options.hidden),
        optimiser(network->parameters(),
                  torch::optim::AdamOptions(options.learning_rate).eps(kAdamEpsilon)) {}
  ActorCritic network;
  torch::optim::Adam optimiser;
  // Per step, each level's value as the state shows it.
  std::vector<std::vector<float>> fractions;
};

struct ReleqTuner::Episode {
  Config config;  // the configuration as it stands: the last step's with both states
  NetworkState state;
  size_t step = 0;  // the next step to decide
  LstmState policy_state, value_state;
  // Per step taken: what the agent saw (the steps' states one after the other), did, thought of
  // it then, and got.
  std::vector<float> observations;
  std::vector<int64_t> actions;
  std::vector<double> old_log_probs, values, rewards;
};

ReleqTuner::ReleqTuner(const Space& space, const DecisionSteps& steps, const Options& options,
                       Rng rng)
    : space_(space), steps_(steps), options_(options), rng_(rng.Fork("episodes")) {
  options_.Validate();
  CheckReleqSteps(steps_, space_);
  const int levels = static_cast<int>(steps_.steps.front().levels[0].size());
  const int actions = options_.actions == ActionSpace::kStepwise ? kStepwiseActions : levels;
  const int inputs = static_cast<int>(steps_.steps.front().features.size()) + kDynamicInputs;
  // The networks are small: one thread keeps their arithmetic, and so the run, reproducible.
  torch::set_num_threads(1);
  torch::manual_seed(rng.Fork("weights").seed());
  agent_ = std::make_unique<Agent>(inputs, actions, options_);
  start_.assign(space_.num_knobs(), 0);  // knobs no step sets keep their first value
  for (const DecisionStep& step : steps_.steps) {
    const Knob& knob = space_.knobs()[step.knobs[0]];
    agent_->fractions.push_back(LevelFractions(knob, step.levels[0]));
    start_[step.knobs[0]] = step.levels[0][LargestPosition(knob, step.levels[0])];
  }
  lowest_quantization_state_ = LowestQuantizationState(steps_, space_);
}

ReleqTuner::~ReleqTuner() = default;

std::optional<ReleqTuner::NetworkState> ReleqTuner::StateOf(const Evaluation& evaluation) const {
  if (evaluation.status != EvalStatus::kOk && evaluation.status != EvalStatus::kInfeasible)
    return std::nullopt;
  const std::optional<double> quantization = StepMetric(evaluation, steps_.cost_state_metric);
  const std::optional<double> accuracy = StepMetric(evaluation, steps_.quality_state_metric);
  if (!quantization || !accuracy) return std::nullopt;
  return NetworkState{*quantization, *accuracy};
}

void ReleqTuner::StartEpisode() {
  episode_ = std::make_unique<Episode>();
  episode_->config = options_.carry && carried_ ? *carried_ : start_;
  // The code starts from quantization state 1 and the float accuracy; a known evaluation of the
  // starting configuration says better.
  if (const Evaluation* known = known_.Find(episode_->config))
    if (const std::optional<NetworkState> state = StateOf(*known)) episode_->state = *state;
}

Config ReleqTuner::Act() {
  Episode& episode = *episode_;
  const DecisionStep& step = steps_.steps[episode.step];
  const std::vector<int32_t>& levels = step.levels[0];
  const size_t knob = step.knobs[0];
  const auto found = std::find(levels.begin(), levels.end(), episode.config[knob]);
  const int64_t position =
      found == levels.end() ? static_cast<int64_t>(levels.size()) - 1 : found - levels.begin();

  std::vector<float> observation(step.features.begin(), step.features.end());
  observation.push_back(agent_->fractions[episode.step][position]);
  observation.push_back(static_cast<float>(episode.state.quantization));
  observation.push_back(static_cast<float>(episode.state.accuracy));

  torch::NoGradGuard no_grad;
  const auto [log_probs, value] = agent_->network->Forward(
      Row(observation), episode.policy_state, episode.value_state, options_.temperature);
  const int64_t action = SampleAction(log_probs, rng_);
  episode.observations.insert(episode.observations.end(), observation.begin(), observation.end());
  episode.actions.push_back(action);
  episode.old_log_probs.push_back(log_probs[0][action].item<float>());
  episode.values.push_back(value[0].item<float>());

  const int64_t last = static_cast<int64_t>(levels.size()) - 1;
  const int64_t chosen = options_.actions == ActionSpace::kStepwise
                             ? std::clamp<int64_t>(position + action - 1, 0, last)
                             : action;
  Config next = episode.config;
  next[knob] = levels[chosen];
  return next;
}

void ReleqTuner::Observe(const Config& config, const Evaluation& evaluation) {
  Episode& episode = *episode_;
  const std::optional<NetworkState> state = StateOf(evaluation);
  double reward = -1;  // an evaluation without both states
  bool ends = !state;
  if (state) {
    const ReleqReward shaped =
        ShapedReward(state->quantization, state->accuracy, options_, lowest_quantization_state_);
    reward = shaped.reward;
    ends = shaped.below && options_.end_below_threshold;
    episode.config = config;
    episode.state = *state;
  }
  episode.rewards.push_back(reward);
  ++episode.step;
  if (ends || episode.step == steps_.steps.size()) FinishEpisode();
}

void ReleqTuner::FinishEpisode() {
  EpisodeSummary summary;
  summary.steps = static_cast<int>(episode_->rewards.size());
  for (double reward : episode_->rewards) summary.total_reward += reward;
  summary.quantization_state = episode_->state.quantization;
  summary.accuracy_state = episode_->state.accuracy;
  summaries_.push_back(summary);
  stats_.push_back({"reward", static_cast<int64_t>(summaries_.size()) - 1, summary.total_reward});
  if (options_.carry) carried_ = episode_->config;
  finished_.push_back(std::move(episode_));
  if (static_cast<int>(finished_.size()) >= options_.episodes_per_update) {
    Learn();
    finished_.clear();
  }
}

// Per finished episode, its steps as tensors, with the advantages and value targets computed
// from the values the agent had when it acted (the targets are the lambda-returns, advantage +
// value).
namespace {
struct Batch {
  torch::Tensor states, actions, old_log_probs, advantages, returns;
};
}  // namespace

void ReleqTuner::Learn() {
  const int64_t inputs =
      static_cast<int64_t>(steps_.steps.front().features.size()) + kDynamicInputs;
  std::vector<Batch> batches;
  int64_t transitions = 0;
  for (const std::unique_ptr<Episode>& episode : finished_) {
    const std::vector<double> advantages =
        GaeAdvantages(episode->rewards, episode->values, options_.discount, options_.gae_lambda);
    std::vector<double> returns = advantages;
    for (size_t t = 0; t < returns.size(); ++t) returns[t] += episode->values[t];
    auto column = [](const std::vector<double>& values) {
      return torch::tensor(values, torch::kFloat64).to(torch::kFloat32);
    };
    batches.push_back({torch::tensor(episode->observations, torch::kFloat32).view({-1, inputs}),
                       torch::tensor(episode->actions, torch::kInt64).view({-1, 1}),
                       column(episode->old_log_probs), column(advantages), column(returns)});
    transitions += static_cast<int64_t>(episode->actions.size());
  }
  ActorCritic& network = agent_->network;
  double mean_loss = 0;  // over the epochs, per transition: for the report only
  for (int epoch = 0; epoch < options_.epochs; ++epoch) {
    torch::Tensor loss = torch::zeros({});
    for (const Batch& batch : batches) {
      // The whole episode through the LSTMs from their zero state, as the agent acted.
      LstmState policy_state, value_state;
      const auto [log_probs, values] =
          network->Forward(batch.states, policy_state, value_state, options_.temperature);
      const torch::Tensor ratio =
          torch::exp(log_probs.gather(1, batch.actions).squeeze(1) - batch.old_log_probs);
      const torch::Tensor surrogate =
          torch::min(ratio * batch.advantages,
                     torch::clamp(ratio, 1 - options_.clip, 1 + options_.clip) * batch.advantages);
      const torch::Tensor entropy = -(log_probs.exp() * log_probs).sum(1);
      loss = loss - surrogate.sum() +
             options_.value_coefficient * (values - batch.returns).pow(2).sum() -
             options_.entropy_coefficient * entropy.sum();
    }
    agent_->optimiser.zero_grad();
    const torch::Tensor per_transition = loss / static_cast<double>(transitions);
    per_transition.backward();
    agent_->optimiser.step();
    mean_loss += per_transition.item<double>() / options_.epochs;
  }
  stats_.push_back({"loss", updates_, mean_loss});
  ++updates_;
}

std::vector<Config> ReleqTuner::NextBatch(int max_count) {
  if (max_count < 1) return {};
  if (awaiting_) {  // a step never fed back: its episode teaches nothing
    episode_.reset();
    awaiting_.reset();
  }
  for (int known_steps = 0; known_steps <= options_.max_known_steps; ++known_steps) {
    if (!episode_) StartEpisode();
    const Config next = Act();
    if (const Evaluation* known = known_.Find(next)) {
      Observe(next, *known);
      continue;
    }
    if (!space_.IsValid(next)) {
      Evaluation invalid;
      invalid.status = EvalStatus::kInvalid;
      invalid.error = "outside the space's validity rule";
      known_.Add(next, invalid);
      Observe(next, invalid);
      continue;
    }
    awaiting_ = next;
    return {next};
  }
  return {};
}

void ReleqTuner::Update(const std::vector<Config>& configs,
                        const std::vector<Evaluation>& results) {
  TESSEL_CHECK(configs.size() == results.size()) << "one evaluation per configuration";
  for (size_t i = 0; i < configs.size(); ++i) known_.Add(configs[i], results[i]);
  if (awaiting_ && configs.size() == 1 && configs[0] == *awaiting_) {
    awaiting_.reset();
    Observe(configs[0], results[0]);
  }
}

void ReleqTuner::Resume(const std::vector<Config>& configs,
                        const std::vector<Evaluation>& results) {
  TESSEL_CHECK(configs.size() == results.size()) << "one evaluation per configuration";
  for (size_t i = 0; i < configs.size(); ++i) known_.Add(configs[i], results[i]);
}

}  // namespace tessel
