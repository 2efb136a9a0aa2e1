#pragma once
// Locating the reference data in ../shared (or $MIDISTEMS_FIXTURES). A test that needs a fixture
// calls MIDISTEMS_REQUIRE_FIXTURE, which skips the test with a visible message when it is absent.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>
#include <vector>
#include <unistd.h>

namespace midistems::testing {

inline std::filesystem::path sharedDir() {
  if (const char* env = std::getenv("MIDISTEMS_FIXTURES"); env && *env) return env;
  return std::filesystem::path(MIDISTEMS_SOURCE_DIR) / ".." / "shared";
}

inline std::filesystem::path fixturePath(const std::string& relative) {
  return sharedDir() / "fixtures" / relative;
}

inline std::filesystem::path sourcePath(const std::string& relative) {
  return std::filesystem::path(MIDISTEMS_SOURCE_DIR) / relative;
}

// Scratch folders are removed when the test program ends with every test passed; a failing
// program keeps them for inspection, and so does every program when MIDISTEMS_KEEP_TEST_OUTPUT
// is set.
class ScratchFolders : public ::testing::Environment {
 public:
  static ScratchFolders& instance() {
    // Owned by GoogleTest once registered; registered before RUN_ALL_TESTS by the inline
    // variable below.
    static ScratchFolders* folders = [] {
      auto* created = new ScratchFolders;
      ::testing::AddGlobalTestEnvironment(created);
      return created;
    }();
    return *folders;
  }
  void add(const std::filesystem::path& dir) { dirs_.push_back(dir); }
  void TearDown() override {
    const char* keep = std::getenv("MIDISTEMS_KEEP_TEST_OUTPUT");
    if ((keep && *keep) || !::testing::UnitTest::GetInstance()->Passed()) return;
    std::error_code ignored;
    for (const auto& dir : dirs_) std::filesystem::remove_all(dir, ignored);
  }

 private:
  std::vector<std::filesystem::path> dirs_;
};
inline ScratchFolders& scratchFoldersRegistered = ScratchFolders::instance();

// A fresh empty folder for one test's outputs.
inline std::filesystem::path scratchDir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("midistems-test-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  ScratchFolders::instance().add(dir);
  return dir;
}

}  // namespace midistems::testing

#define MIDISTEMS_REQUIRE_FIXTURE(relative)                                                   \
  do {                                                                                        \
    if (!std::filesystem::exists(::midistems::testing::fixturePath(relative)))               \
      GTEST_SKIP() << "SKIPPED: fixture " << (relative)                                        \
                   << " not found (put the shared reference data at ../shared or set "       \
                      "MIDISTEMS_FIXTURES)";                                                  \
  } while (0)
