#include "core/atomic_file.h"

#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "core/error.h"
#include "support/fixtures.h"

namespace midistems {
namespace {

namespace fs = std::filesystem;

TEST(AtomicFile, TargetAppearsOnlyOnCommit) {
  auto dir = testing::scratchDir("atomic");
  {
    AtomicFile f(dir / "out.txt");
    std::ofstream(f.tempPath()) << "hello";
    EXPECT_FALSE(fs::exists(dir / "out.txt"));
    f.commit();
  }
  std::ifstream in(dir / "out.txt");
  std::string s;
  in >> s;
  EXPECT_EQ(s, "hello");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
}

TEST(AtomicFile, AbandonedWriteLeavesOldFileAndNoTemp) {
  auto dir = testing::scratchDir("atomic2");
  std::ofstream(dir / "out.txt") << "old";
  {
    AtomicFile f(dir / "out.txt");
    std::ofstream(f.tempPath()) << "new";
  }
  std::ifstream in(dir / "out.txt");
  std::string s;
  in >> s;
  EXPECT_EQ(s, "old");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
}

TEST(AtomicFile, MissingFolderIsAClearError) {
  EXPECT_THROW(AtomicFile("/nonexistent-midistems-dir/x.wav"), Error);
}

}  // namespace
}  // namespace midistems
