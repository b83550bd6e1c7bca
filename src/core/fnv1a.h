// FNV-1a, 64 bits: a hash of bytes that is the same on every run, machine and standard library
// (std::hash is not), for digests kept in records and in caches' keys.
#pragma once

#include <cstddef>
#include <cstdint>

namespace tessel {

inline constexpr uint64_t kFnv1aOffset = 14695981039346656037ull;  // FNV's offset basis
// Where the digests in records' instance texts start (accel and quant layer tables, replay
// tables): FNV's offset basis short of its last digit, as they were first written. Kept, so
// that the records of those tasks keep their keys.
inline constexpr uint64_t kRecordDigestOffset = 1469598103934665603ull;

// Continues `hash` over `size` bytes at `data`.
inline uint64_t Fnv1a(const void* data, size_t size, uint64_t hash = kFnv1aOffset) {
  const auto* byte = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < size; ++i) hash = (hash ^ byte[i]) * 1099511628211ull;
  return hash;
}

// Continues `hash` over the 8 bytes of `value`, least significant first on every machine.
inline uint64_t Fnv1a(int64_t value, uint64_t hash) {
  for (int byte = 0; byte < 8; ++byte) {
    const auto low = static_cast<unsigned char>(static_cast<uint64_t>(value) >> (8 * byte));
    hash = Fnv1a(&low, 1, hash);
  }
  return hash;
}

}  // namespace tessel
