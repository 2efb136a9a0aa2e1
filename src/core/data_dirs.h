#pragma once
// Where the command finds data that is not compiled into it (the basic-pitch model, downloaded
// HTDemucs checkpoints). Nothing here refers to the source tree: an installed copy and the build
// tree use the same layout, the command in bin/ and its data in share/midistems/.
#include <filesystem>

namespace midistems {

// The folder of the running executable (from /proc/self/exe, symbolic links resolved); empty
// when it cannot be read.
std::filesystem::path executableDir();

// The data folder that ships with the executable: <executable's folder>/../share/midistems
// (normalised), as `cmake --install` lays it out and the build tree mirrors it. Empty when the
// executable's folder is unknown. The folder need not exist.
std::filesystem::path bundledDataDir();

// The user's data folder for Midistems (XDG Base Directory spec): $XDG_DATA_HOME/midistems when
// XDG_DATA_HOME is an absolute path (relative values are ignored, as the spec says), else
// $HOME/.local/share/midistems; empty when neither variable is usable. The folder need not exist.
std::filesystem::path userDataDir();

}  // namespace midistems
