#include "tune/bao_options.h"

#include <charconv>
#include <sstream>

#include "core/error.h"
#include "core/key_values.h"

namespace tessel {

void BaoOptions::Validate() const {
  if (members < 1) throw ConfigError("--bao members must be at least 1");
  if (!(spread_weight >= 0)) throw ConfigError("--bao spread must be >= 0");
  if (batch < 1) throw ConfigError("--bao batch must be at least 1");
  if (members > 256) throw ConfigError("--bao members is at most 256 (one model each)");
  if (batch > 100000) throw ConfigError("--bao batch is at most 100000");
  search.Validate();
  radius.Validate();
}

BaoOptions BaoOptions::Parse(std::string_view spec) {
  BaoOptions options;
  for (const auto& pair : SplitKeyValues(spec, "--bao")) {
    const std::string& name = pair.first;
    auto whole = [&] {
      return static_cast<int>(ParseOptionNumber(pair.second, "--bao", name, true));
    };
    auto number = [&] { return ParseOptionNumber(pair.second, "--bao", name, false); };
    if (name == "members") {
      options.members = whole();
    } else if (name == "spread") {
      options.spread_weight = number();
    } else if (name == "centres") {
      options.search.centres = whole();
    } else if (name == "candidates") {
      options.search.candidates = whole();
    } else if (name == "anneal") {
      options.search.anneal_chains = whole();
    } else if (name == "apart") {
      options.search.min_knobs_apart = whole();
    } else if (name == "radius") {
      options.radius.initial = number();
    } else if (name == "tau") {
      options.radius.tau = number();
    } else if (name == "threshold") {
      options.radius.min_improvement = number();
    } else if (name == "batch") {
      options.batch = whole();
    } else {
      throw ConfigError("unknown --bao key '" + name +
                        "'; known keys: members, spread, centres, candidates, anneal, apart, "
                        "radius, tau, threshold, batch");
    }
  }
  options.Validate();
  return options;
}

namespace {

// The shortest text that reads back as the same number: a stream's six digits would print
// threshold=0.9999999 as 1, which Parse refuses.
std::string Number(double value) {
  char text[32];
  return std::string(text, std::to_chars(text, text + sizeof(text), value).ptr);
}

}  // namespace

std::string BaoOptions::ToString() const {
  std::ostringstream text;
  text << "members=" << members << ",spread=" << Number(spread_weight)
       << ",centres=" << search.centres << ",candidates=" << search.candidates
       << ",anneal=" << search.anneal_chains << ",apart=" << search.min_knobs_apart
       << ",radius=" << Number(radius.initial) << ",tau=" << Number(radius.tau)
       << ",threshold=" << Number(radius.min_improvement) << ",batch=" << batch;
  return text.str();
}

}  // namespace tessel
