#pragma once
// Locating the reference data in ../shared (or $MIDISTEMS_FIXTURES). A test that needs a fixture
// calls MIDISTEMS_REQUIRE_FIXTURE, which skips the test with a visible message when it is absent.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
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

// A fresh empty folder for one test's outputs.
inline std::filesystem::path scratchDir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("midistems-test-" + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
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
