#include "core/atomic_file.h"

#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
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

// A process killed mid-write (a download interrupted with Ctrl-C) leaves its hidden temporary
// behind; the next write of the same target removes it once its process is gone and it has not
// been touched for ten minutes, and leaves every other file alone.
TEST(AtomicFile, RemovesTemporariesOfKilledWriters) {
  auto dir = testing::scratchDir("atomic-stale");
  const pid_t dead = ::fork();
  if (dead == 0) ::_exit(0);
  ASSERT_GT(dead, 0);
  ::waitpid(dead, nullptr, 0);
  const auto old = fs::file_time_type::clock::now() - std::chrono::minutes(11);
  const auto make = [&](const std::string& name, bool stale) {
    std::ofstream(dir / name) << "partial";
    if (stale) fs::last_write_time(dir / name, old);
    return dir / name;
  };
  const auto partial = [](const char* hiddenTarget, pid_t pid, int n) {
    std::ostringstream name;
    name << hiddenTarget << ".partial-" << pid << '-' << n;
    return name.str();
  };
  const fs::path killed = make(partial(".model.th", dead, 0), true);
  const fs::path recent = make(partial(".model.th", dead, 1), false);
  const fs::path alive = make(partial(".model.th", ::getppid(), 0), true);
  const fs::path otherTarget = make(partial(".other.th", dead, 0), true);
  const fs::path notOurs = make(partial("model.th", dead, 0), true);
  {
    AtomicFile f(dir / "model.th");
    std::ofstream(f.tempPath()) << "whole";
    f.commit();
  }
  EXPECT_FALSE(fs::exists(killed));
  EXPECT_TRUE(fs::exists(recent));
  EXPECT_TRUE(fs::exists(alive));
  EXPECT_TRUE(fs::exists(otherTarget));
  EXPECT_TRUE(fs::exists(notOurs));
  EXPECT_TRUE(fs::exists(dir / "model.th"));
}

}  // namespace
}  // namespace midistems
