// See shard.h.
#include "batch/shard.h"

#include <fmt/format.h>

#include <cstdlib>

#include "core/error.h"

namespace midistems::batch {

namespace {

// A decimal count from 0 to kMaxShards; nothing else (no sign, no spaces, no suffix).
std::optional<size_t> parseCount(const std::string& text) {
  if (text.empty() || text.size() > 7) return std::nullopt;
  size_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + size_t(c - '0');
  }
  if (value > kMaxShards) return std::nullopt;
  return value;
}

size_t envCount(const Environment& env, const char* name) {
  const std::string text = env(name);
  const auto value = parseCount(text);
  if (!value) throw Error(fmt::format("{}={}: not a shard number", name, text.substr(0, 40)));
  return *value;
}

Shard checked(Shard s) {
  if (s.count == 0) throw Error(s.source + ": the shard count must be at least 1");
  if (s.index >= s.count)
    throw Error(fmt::format("{}: shard {} is outside 0..{}", s.source, s.index, s.count - 1));
  return s;
}

}  // namespace

std::string processEnvironment(const char* name) {
  const char* value = std::getenv(name);
  return value ? value : "";
}

Shard resolveShard(const std::string& shardFlag, size_t shardsFlag, const Environment& env) {
  if (!shardFlag.empty()) {
    if (shardsFlag != 0) throw Error("--shard and --shards cannot be used together (--shard I/N names both)");
    const size_t slash = shardFlag.find('/');
    const auto index = slash == std::string::npos ? std::nullopt : parseCount(shardFlag.substr(0, slash));
    const auto count = slash == std::string::npos ? std::nullopt : parseCount(shardFlag.substr(slash + 1));
    if (!index || !count)
      throw Error(fmt::format("--shard {}: expected I/N, e.g. 0/16 (shard I of N, counted from 0)",
                              shardFlag.substr(0, 40)));
    return checked({*index, *count, "--shard " + shardFlag});
  }
  if (!env("SLURM_ARRAY_TASK_ID").empty()) {
    if (shardsFlag != 0) throw Error("--shards: a Slurm array sets the shard count itself (SLURM_ARRAY_TASK_COUNT)");
    const size_t id = envCount(env, "SLURM_ARRAY_TASK_ID");
    const size_t min = env("SLURM_ARRAY_TASK_MIN").empty() ? 0 : envCount(env, "SLURM_ARRAY_TASK_MIN");
    const size_t count = envCount(env, "SLURM_ARRAY_TASK_COUNT");
    if (id < min) throw Error(fmt::format("SLURM_ARRAY_TASK_ID={} is below SLURM_ARRAY_TASK_MIN={}", id, min));
    if (!env("SLURM_ARRAY_TASK_MAX").empty() && envCount(env, "SLURM_ARRAY_TASK_MAX") - min + 1 != count)
      throw Error("the Slurm array has gaps or steps; give it as one range, e.g. --array=0-15");
    return checked({id - min, count, "Slurm array task " + std::to_string(id)});
  }
  if (!env("JOB_COMPLETION_INDEX").empty()) {
    if (shardsFlag == 0) throw Error("JOB_COMPLETION_INDEX is set: give the Job's completions as --shards N");
    return checked({envCount(env, "JOB_COMPLETION_INDEX"), shardsFlag, "Kubernetes completion index"});
  }
  if (shardsFlag > 1) throw Error("--shards: without JOB_COMPLETION_INDEX, name the shard with --shard I/N");
  return Shard{};
}

}  // namespace midistems::batch
