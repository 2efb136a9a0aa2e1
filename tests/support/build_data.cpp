// Compiled into every test program. The command finds the build tree's copy of the basic-pitch
// model relative to itself (build/bin -> build/share/midistems/basic-pitch), but test programs live
// below build/tests, where that rule does not reach it; they name the copy through
// $MIDISTEMS_BASIC_PITCH_MODEL instead, unless the caller has set that variable already.
#include <cstdlib>
#include <filesystem>
#include <system_error>

namespace {

const bool kBuildModelNamed = [] {
  const std::filesystem::path dir = std::filesystem::path(MIDISTEMS_BUILD_DATA_DIR) / "basic-pitch";
  std::error_code ec;
  if (std::filesystem::is_regular_file(dir / "model.json", ec))
    ::setenv("MIDISTEMS_BASIC_PITCH_MODEL", dir.c_str(), /*overwrite=*/0);
  return true;
}();

}  // namespace
