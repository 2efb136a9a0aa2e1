// See item_folder.h.
#include "batch/item_folder.h"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <fstream>
#include <string>

#include "core/error.h"

namespace midistems::batch {

namespace fs = std::filesystem;

namespace {

std::string sideName(const std::string& id, const char* kind, const std::string& host, long pid) {
  return "." + id + "~" + kind + "~" + host + "~" + std::to_string(pid);
}

// fsync of a file or folder; a failure to flush means the commit cannot be trusted.
void syncPath(const fs::path& path, bool folder) {
  const int fd = ::open(path.c_str(), (folder ? O_RDONLY | O_DIRECTORY : O_RDONLY) | O_CLOEXEC);
  if (fd < 0) throw Error(path.string() + ": cannot open to flush it to disk");
  const int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0 && errno != EINVAL) throw Error(path.string() + ": cannot flush it to disk");
}

void syncTree(const fs::path& folder) {
  std::error_code ec;
  for (fs::recursive_directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec))
    syncPath(it->path(), it->is_directory(ec));
  if (ec) throw Error(folder.string() + ": cannot list the outputs (" + ec.message() + ")");
  syncPath(folder, true);
}

// Whether `pid` is a running midistems (a process with a reused number is not).
bool midistemsRunning(long pid) {
  if (pid <= 0 || (::kill(pid_t(pid), 0) != 0 && errno == ESRCH)) return false;
  std::ifstream comm("/proc/" + std::to_string(pid) + "/comm");
  std::string name;
  return !comm || !std::getline(comm, name) || name == "midistems";
}

}  // namespace

std::string hostName() {
  char buffer[256] = {};
  if (::gethostname(buffer, sizeof buffer - 1) != 0 || !buffer[0]) return "localhost";
  std::string name(buffer);
  for (char& c : name)
    if (c == '~' || c == '/') c = '_';
  return name;
}

ItemBuild::ItemBuild(const fs::path& out, const std::string& id)
    : out_(out), target_(out / id), temp_(out / sideName(id, "partial", hostName(), long(::getpid()))), id_(id) {
  std::error_code ec;
  fs::remove_all(temp_, ec);
  if (!fs::create_directory(temp_, ec) || ec)
    throw Error(temp_.string() + ": cannot create the item's temporary folder" + (ec ? " (" + ec.message() + ")" : ""));
}

ItemBuild::~ItemBuild() {
  if (committed_) return;
  std::error_code ec;
  fs::remove_all(temp_, ec);
}

void ItemBuild::commit() {
  syncTree(temp_);
  std::error_code ec;
  const fs::path aside = out_ / sideName(id_, "old", hostName(), long(::getpid()));
  const bool replacing = fs::exists(fs::symlink_status(target_, ec));
  if (replacing) {
    fs::remove_all(aside, ec);
    fs::rename(target_, aside, ec);
    if (ec) throw Error(target_.string() + ": cannot move the older output aside (" + ec.message() + ")");
  }
  fs::rename(temp_, target_, ec);
  if (ec) throw Error(target_.string() + ": cannot rename the finished item into place (" + ec.message() + ")");
  committed_ = true;
  syncPath(out_, true);
  if (replacing) fs::remove_all(aside, ec);
}

size_t removeLeftovers(const fs::path& out, const std::unordered_set<std::string>& ids) {
  const std::string host = hostName();
  size_t removed = 0;
  std::error_code ec;
  for (fs::directory_iterator it(out, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.size() < 2 || name[0] != '.') continue;
    // .<id>~<kind>~<host>~<pid>: ids and host names hold no '~'.
    const size_t a = name.find('~'), b = name.find('~', a == std::string::npos ? a : a + 1);
    const size_t c = b == std::string::npos ? b : name.find('~', b + 1);
    if (c == std::string::npos) continue;
    const std::string id = name.substr(1, a - 1), kind = name.substr(a + 1, b - a - 1);
    const std::string owner = name.substr(b + 1, c - b - 1);
    if ((kind != "partial" && kind != "old") || !ids.count(id)) continue;
    const long pid = std::strtol(name.c_str() + c + 1, nullptr, 10);
    if (owner == host && pid != long(::getpid()) && midistemsRunning(pid)) continue;
    std::error_code rm;
    fs::remove_all(it->path(), rm);
    if (!rm) ++removed;
  }
  return removed;
}

}  // namespace midistems::batch
