#pragma once
// Building an item's output folder all at once: everything is written into a hidden temporary
// folder beside it, OUT/.<id>~partial~<host>~<pid>, which is flushed to disk and renamed onto
// OUT/<id> only when the item is complete (completion record included). The rename is the commit:
// a process killed at any moment (SIGTERM, SIGKILL, a lost node) leaves OUT/<id> as it was and at
// most a temporary folder, which the next run over that item removes. A folder being replaced is
// first moved aside to OUT/.<id>~old~<host>~<pid> and removed after the new one is in place.
#include <filesystem>
#include <string>
#include <unordered_set>

namespace midistems::batch {

// This machine's name as it appears in temporary folder names ('~' and '/' replaced).
std::string hostName();

// The temporary folder for `id` in `out`, fresh and empty (an older one of this process removed).
class ItemBuild {
 public:
  ItemBuild(const std::filesystem::path& out, const std::string& id);
  ~ItemBuild();
  ItemBuild(const ItemBuild&) = delete;
  ItemBuild& operator=(const ItemBuild&) = delete;

  const std::filesystem::path& temp() const { return temp_; }
  const std::filesystem::path& target() const { return target_; }
  // Flushes the files to disk and renames the temporary folder onto the target, replacing an older
  // one. Throws midistems::Error.
  void commit();

 private:
  std::filesystem::path out_, target_, temp_;
  std::string id_;
  bool committed_ = false;
};

// Removes what killed processes left for the items `ids` in `out`: temporary and moved-aside
// folders of a process on this machine that is no longer running, and every such folder made on
// another machine (an item belongs to one shard, and a shard is run by one process at a time).
// Returns how many it removed.
size_t removeLeftovers(const std::filesystem::path& out, const std::unordered_set<std::string>& ids);

}  // namespace midistems::batch
