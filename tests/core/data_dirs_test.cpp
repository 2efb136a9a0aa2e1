// The data folder beside the executable: found from /proc/self/exe, whatever the working folder.
#include <gtest/gtest.h>

#include <filesystem>

#include "core/data_dirs.h"

namespace {

namespace fs = std::filesystem;

TEST(DataDirs, BundledDataIsShareMidistemsBesideTheExecutablesFolder) {
  const fs::path bin = midistems::executableDir();
  ASSERT_TRUE(bin.is_absolute()) << bin;
  EXPECT_TRUE(fs::is_regular_file(bin / "midistems_core_tests")) << bin;
  const fs::path previous = fs::current_path();
  fs::current_path(fs::temp_directory_path());
  EXPECT_EQ(midistems::executableDir(), bin);
  fs::current_path(previous);
  EXPECT_EQ(midistems::bundledDataDir(), bin.parent_path() / "share" / "midistems");
}

}  // namespace
