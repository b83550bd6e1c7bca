#include "measure/measurer.h"

#include "core/error.h"

namespace tessel {
namespace {
constexpr std::pair<MeasureStatus, std::string_view> kStatusNames[] = {
    {MeasureStatus::kOk, "ok"},
    {MeasureStatus::kCompileError, "compile_error"},
    {MeasureStatus::kRuntimeError, "runtime_error"},
    {MeasureStatus::kWrongResult, "wrong_result"},
    {MeasureStatus::kTimeout, "timeout"},
    {MeasureStatus::kCrash, "crash"},
    {MeasureStatus::kFailed, "failed"},
};
}  // namespace

std::string_view MeasureStatusName(MeasureStatus status) {
  for (const auto& [value, name] : kStatusNames)
    if (value == status) return name;
  TESSEL_CHECK(false) << "unnamed status " << static_cast<int>(status);
  return {};
}

MeasureStatus MeasureStatusFromName(std::string_view name) {
  for (const auto& [value, known] : kStatusNames)
    if (known == name) return value;
  throw ConfigError("unknown measurement status '" + std::string(name) + "'");
}

}  // namespace tessel
