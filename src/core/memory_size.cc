#include "core/memory_size.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

#include "core/error.h"

namespace tessel {

uint64_t ParseMemorySize(std::string_view text, std::string_view flag) {
  const std::string original(text);
  auto refuse = [&]() {
    return ConfigError(std::string(flag) + " expects a size such as 512M or 8G, got '" + original +
                       "'");
  };
  // Strip "B" / "iB" after the unit letter, then the unit letter itself.
  std::string_view number = text;
  bool binary_suffix = false;  // "iB": only after a unit letter ("4GiB", not "4iB")
  if (number.ends_with("iB") || number.ends_with("ib")) {
    number.remove_suffix(2);
    binary_suffix = true;
  } else if (number.ends_with('B') || number.ends_with('b')) {
    number.remove_suffix(1);
  }
  if (binary_suffix && (number.empty() || !std::isalpha(static_cast<unsigned char>(number.back()))))
    throw refuse();
  double scale = 1;
  if (!number.empty() && std::isalpha(static_cast<unsigned char>(number.back()))) {
    switch (std::toupper(static_cast<unsigned char>(number.back()))) {
      case 'K':
        scale = 1024.0;
        break;
      case 'M':
        scale = 1024.0 * 1024;
        break;
      case 'G':
        scale = 1024.0 * 1024 * 1024;
        break;
      case 'T':
        scale = 1024.0 * 1024 * 1024 * 1024;
        break;
      default:
        throw refuse();
    }
    number.remove_suffix(1);
  }
  if (number.empty() ||
      !(std::isdigit(static_cast<unsigned char>(number.front())) || number.front() == '.'))
    throw refuse();
  const std::string digits(number);
  size_t used = 0;
  double value = 0;
  try {
    value = std::stod(digits, &used);
  } catch (const std::logic_error&) {
    throw refuse();
  }
  if (used != digits.size() || !std::isfinite(value)) throw refuse();
  const double bytes = std::floor(value * scale);
  if (!(bytes <= std::ldexp(1.0, 62)))
    throw ConfigError(std::string(flag) + " " + original + " is larger than any machine's memory");
  if (bytes == 0 && value != 0)
    throw ConfigError(std::string(flag) + " " + original +
                      " is less than a byte; give a size such as 512M, or 0 for no limit");
  return static_cast<uint64_t>(bytes);
}

std::string FormatMemorySize(uint64_t bytes) {
  char text[32];
  const double mib = static_cast<double>(bytes) / (1024.0 * 1024);
  if (mib >= 1024) {
    std::snprintf(text, sizeof(text), "%.1f GiB", mib / 1024);
  } else {
    std::snprintf(text, sizeof(text), "%.0f MiB", mib);
  }
  return text;
}

namespace {

// The first number in a file, or 0 when there is none ("max" in cgroup v2's memory.max).
uint64_t ReadNumber(const char* path) {
  std::FILE* file = std::fopen(path, "r");
  if (!file) return 0;
  unsigned long long value = 0;
  const int read = std::fscanf(file, "%llu", &value);
  std::fclose(file);
  return read == 1 ? static_cast<uint64_t>(value) : 0;
}

}  // namespace

uint64_t UsableMemoryBytes() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_size = sysconf(_SC_PAGE_SIZE);
  uint64_t bytes = pages > 0 && page_size > 0
                       ? static_cast<uint64_t>(pages) * static_cast<uint64_t>(page_size)
                       : 0;
  // A control group's limit, where this process's group sets one (v2, then v1; an unlimited
  // v1 group reads as a huge number, which the minimum ignores).
  for (const char* path :
       {"/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"}) {
    const uint64_t limit = ReadNumber(path);
    if (limit > 0 && (bytes == 0 || limit < bytes)) bytes = limit;
  }
  return bytes;
}

uint64_t AddressSpaceInUse() {
  const long page_size = sysconf(_SC_PAGE_SIZE);
  const uint64_t pages = ReadNumber("/proc/self/statm");  // its first field: total pages
  return page_size > 0 ? pages * static_cast<uint64_t>(page_size) : 0;
}

namespace {
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSanitizer = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAddressSanitizer = true;
#else
constexpr bool kAddressSanitizer = false;
#endif
#else
constexpr bool kAddressSanitizer = false;
#endif
}  // namespace

bool AddressSpaceCanBeLimited() { return !kAddressSanitizer; }

void LimitAddressSpaceGrowth(uint64_t bytes) {
  if (bytes == 0 || kAddressSanitizer) return;
  rlimit limit{};
  if (getrlimit(RLIMIT_AS, &limit) != 0) return;
  const uint64_t wanted = AddressSpaceInUse() + bytes;
  if (limit.rlim_cur != RLIM_INFINITY && limit.rlim_cur <= wanted) return;
  limit.rlim_cur = std::min<uint64_t>(wanted, limit.rlim_max);
  setrlimit(RLIMIT_AS, &limit);
}

}  // namespace tessel
