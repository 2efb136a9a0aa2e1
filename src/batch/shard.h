#pragma once
// Which items of a manifest one process handles, without a coordinator: item k (counted from 0 in
// manifest order) belongs to shard k mod N. Round-robin rather than contiguous blocks, so that a
// catalog sorted by album or length spreads evenly over the shards.
//
// The shard comes from, in order: `--shard I/N`; a Slurm job array (SLURM_ARRAY_TASK_ID, with
// SLURM_ARRAY_TASK_MIN as shard 0 and SLURM_ARRAY_TASK_COUNT shards, so `--array=0-15` and
// `--array=1-16` both give 16 shards); a Kubernetes Indexed Job (JOB_COMPLETION_INDEX, with the
// shard count from `--shards N`); else the whole manifest as shard 0/1.
#include <cstddef>
#include <functional>
#include <optional>
#include <string>

namespace midistems::batch {

inline constexpr size_t kMaxShards = 1000000;

struct Shard {
  size_t index = 0;
  size_t count = 1;
  std::string source = "the whole manifest";  // where it came from, for messages
  bool owns(size_t item) const { return item % count == index; }
  std::string name() const { return std::to_string(index) + "/" + std::to_string(count); }
};

// Reads an environment variable; empty when unset (tests pass their own).
using Environment = std::function<std::string(const char*)>;
std::string processEnvironment(const char* name);

// `shardFlag`: the value of --shard ("I/N"); `shardsFlag`: --shards N (0: not given). Throws
// midistems::Error (one line) for a malformed or inconsistent shard.
Shard resolveShard(const std::string& shardFlag, size_t shardsFlag, const Environment& env = processEnvironment);

}  // namespace midistems::batch
