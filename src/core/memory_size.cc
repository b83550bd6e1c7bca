#include "core/memory_size.h"

#include <sys/resource.h>
#include <unistd.h>

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
  if (number.ends_with("iB") || number.ends_with("ib")) {
    number.remove_suffix(2);
  } else if (number.ends_with('B') || number.ends_with('b')) {
    number.remove_suffix(1);
  }
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

uint64_t PhysicalMemoryBytes() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_size = sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page_size <= 0) return 0;
  return static_cast<uint64_t>(pages) * static_cast<uint64_t>(page_size);
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

void LimitAddressSpace(uint64_t bytes) {
  if (bytes == 0 || kAddressSanitizer) return;
  const rlimit limit{bytes, bytes};
  setrlimit(RLIMIT_AS, &limit);
}

}  // namespace tessel
