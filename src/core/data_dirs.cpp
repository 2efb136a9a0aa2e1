#include "core/data_dirs.h"

#include <cstdlib>
#include <system_error>

// The path from the executable's folder to the data folder, set by CMake from the install
// layout (CMAKE_INSTALL_BINDIR and CMAKE_INSTALL_DATADIR; "../share/midistems" by default).
#ifndef MIDISTEMS_DATA_DIR_FROM_BIN
#error "MIDISTEMS_DATA_DIR_FROM_BIN must be defined by the build"
#endif

namespace midistems {

std::filesystem::path executableDir() {
  std::error_code ec;
  const std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec || !exe.is_absolute()) return {};
  return exe.parent_path();
}

std::filesystem::path bundledDataDir() {
  const std::filesystem::path bin = executableDir();
  if (bin.empty()) return {};
  return (bin / MIDISTEMS_DATA_DIR_FROM_BIN).lexically_normal();
}

std::filesystem::path userDataDir() {
  if (const char* xdg = std::getenv("XDG_DATA_HOME"); xdg && *xdg == '/')
    return std::filesystem::path(xdg) / "midistems";
  if (const char* home = std::getenv("HOME"); home && *home)
    return std::filesystem::path(home) / ".local" / "share" / "midistems";
  return {};
}

}  // namespace midistems
