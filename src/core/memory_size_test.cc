#include "core/memory_size.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace tessel {
namespace {

TEST(MemorySize, ReadsSizesAsUsersWriteThem) {
  EXPECT_EQ(ParseMemorySize("0", "--memory-limit"), 0u);
  EXPECT_EQ(ParseMemorySize("4096", "--memory-limit"), 4096u);
  EXPECT_EQ(ParseMemorySize("512M", "--memory-limit"), 512ull << 20);
  EXPECT_EQ(ParseMemorySize("8G", "--memory-limit"), 8ull << 30);
  EXPECT_EQ(ParseMemorySize("8GiB", "--memory-limit"), 8ull << 30);
  EXPECT_EQ(ParseMemorySize("1.5g", "--memory-limit"), 3ull << 29);
  EXPECT_EQ(ParseMemorySize("2T", "--memory-limit"), 2ull << 40);
}

TEST(MemorySize, RefusesWhatIsNotASize) {
  for (const char* bad :
       {"", "G", "-1G", "4X", "four", "1e400", "nanG", "1.5.2M", " 4G", "4iB", "0.4", "1e-3"}) {
    try {
      ParseMemorySize(bad, "--memory-limit");
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const Error& error) {
      EXPECT_NE(std::string(error.what()).find("--memory-limit"), std::string::npos);
    }
  }
  EXPECT_THROW(ParseMemorySize("9000000T", "--memory-limit"), Error);  // beyond 2^62 bytes
}

TEST(MemorySize, FormatsForMessages) {
  EXPECT_EQ(FormatMemorySize(512ull << 20), "512 MiB");
  EXPECT_EQ(FormatMemorySize(3ull << 29), "1.5 GiB");
}

TEST(MemorySize, KnowsThisProcesssMemory) {
  EXPECT_GT(UsableMemoryBytes(), 0u);
  // A test binary maps at least its code and a heap: more than a MiB.
  EXPECT_GT(AddressSpaceInUse(), uint64_t{1} << 20);
}

}  // namespace
}  // namespace tessel
