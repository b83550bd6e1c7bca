#include "engine/evaluation.h"

#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>

#include "core/error.h"

namespace tessel {
namespace {
constexpr std::pair<EvalStatus, std::string_view> kStatusNames[] = {
    {EvalStatus::kOk, "ok"},
    {EvalStatus::kInvalid, "invalid"},
    {EvalStatus::kInfeasible, "infeasible"},
    {EvalStatus::kCompileError, "compile_error"},
    {EvalStatus::kRuntimeError, "runtime_error"},
    {EvalStatus::kWrongResult, "wrong_result"},
    {EvalStatus::kTimeout, "timeout"},
    {EvalStatus::kCrash, "crash"},
    {EvalStatus::kFailed, "failed"},
    {EvalStatus::kOutOfMemory, "out_of_memory"},
    {EvalStatus::kCancelled, "cancelled"},
};

std::string Trim(std::string_view text) {
  const size_t first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return "";
  const size_t last = text.find_last_not_of(" \t");
  return std::string(text.substr(first, last - first + 1));
}

// Shortest text that reads back as the same double (cheap: infeasible evaluations of fast
// analytical problems each format two numbers).
std::string NumberText(double value) {
  char text[32];
  const std::to_chars_result end = std::to_chars(text, text + sizeof(text), value);
  return std::string(text, end.ptr);
}
}  // namespace

std::string_view EvalStatusName(EvalStatus status) {
  for (const auto& [value, name] : kStatusNames)
    if (value == status) return name;
  TESSEL_CHECK(false) << "unnamed status " << static_cast<int>(status);
  return {};
}

EvalStatus EvalStatusFromName(std::string_view name) {
  for (const auto& [value, known] : kStatusNames)
    if (known == name) return value;
  throw ConfigError("unknown evaluation status '" + std::string(name) + "'");
}

Constraint Constraint::Parse(std::string_view text) {
  const size_t at = text.find("<=");
  const std::string what = "constraint '" + std::string(text) + "'";
  if (at == std::string_view::npos)
    throw ConfigError(what + " is not of the form METRIC<=LIMIT, e.g. area<=1e6");
  Constraint constraint;
  constraint.metric = Trim(text.substr(0, at));
  const std::string limit = Trim(text.substr(at + 2));
  if (constraint.metric.empty()) throw ConfigError(what + " names no metric before '<='");
  // strtod rather than stod, which refuses a subnormal number (ERANGE) that ToString prints
  // for a limit it accepted as hex ("0x1p-1074" prints as 5e-324). Overflow, and underflow to
  // zero, stay errors.
  errno = 0;
  char* end = nullptr;
  constraint.limit = std::strtod(limit.c_str(), &end);
  const size_t used = static_cast<size_t>(end - limit.c_str());
  const bool range_error = errno == ERANGE && std::fpclassify(constraint.limit) != FP_SUBNORMAL;
  if (used == 0 || used != limit.size() || range_error || !std::isfinite(constraint.limit))
    throw ConfigError(what + " needs a finite number after '<=', got '" + limit + "'");
  return constraint;
}

std::string Constraint::ToString() const { return metric + "<=" + NumberText(limit); }

void ApplyConstraints(const std::vector<Constraint>& constraints, const ObjectiveInfo& objective,
                      Evaluation& evaluation) {
  if (!evaluation.ok()) return;
  for (const Constraint& constraint : constraints) {
    double value;
    if (constraint.metric == objective.name) {
      value = evaluation.value;
    } else {
      const auto it = evaluation.metrics.find(constraint.metric);
      if (it == evaluation.metrics.end()) {
        // A record made before the problem reported this metric: it cannot be shown to keep
        // the limit, so it cannot be the best.
        evaluation.status = EvalStatus::kInfeasible;
        evaluation.error = "no " + constraint.metric + " to check against " + constraint.ToString();
        return;
      }
      value = it->second;
    }
    if (!(value <= constraint.limit)) {
      evaluation.status = EvalStatus::kInfeasible;
      evaluation.error =
          constraint.metric + " " + NumberText(value) + " > " + NumberText(constraint.limit);
      return;
    }
  }
}

}  // namespace tessel
