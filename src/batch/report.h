#pragma once
// The per-shard reports of `midistems batch` and their merge (`midistems batch report OUT`).
// Each process appends one JSON line per item to OUT/.batch/reports/shard-<I>-of-<N>.jsonl:
//   {"id", "input", "status": done | skipped | failed | interrupted, "seconds", "audio_seconds",
//    "error", "shard", "host", "pid", "time" (Unix seconds, UTC)}
// skipped: already done by an earlier run; interrupted: stopped by a signal, left for the next run.
// Each line goes out in one append, so reports of many processes on a shared folder never mix
// within a line; a line cut short by a kill is ignored by the merge (and counted).
#include <cstddef>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "batch/shard.h"

namespace midistems::batch {

std::filesystem::path reportsDir(const std::filesystem::path& out);

class ReportWriter {
 public:
  // Creates OUT/.batch/reports when needed; throws midistems::Error when it cannot.
  ReportWriter(const std::filesystem::path& out, const Shard& shard);
  const std::filesystem::path& path() const { return path_; }
  // Appends `line` (one JSON object) with shard, host, pid and time added. Throws midistems::Error.
  void append(nlohmann::json line) const;

 private:
  std::filesystem::path path_;
  std::string shard_, host_;
};

struct MergedReport {
  size_t reports = 0;        // files read
  size_t lines = 0;          // lines read
  size_t damagedLines = 0;   // ignored: not a JSON object with "id" and "status"
  // Per item, its latest line (by time, then by order of appearance).
  size_t items = 0, done = 0, failed = 0, interrupted = 0;
  size_t madeNow = 0;        // "done" lines (items made, not skipped), over all runs
  double itemSeconds = 0;    // their wall time, summed
  double audioSeconds = 0;   // their audio, summed
  double firstStart = 0, lastEnd = 0;  // Unix times spanned by the "done" lines
  std::vector<nlohmann::json> failures;  // latest line of each failed item, by id
};

// Reads every OUT/.batch/reports/*.jsonl (each file up to 1 GiB, each line up to 64 KiB).
// Throws midistems::Error when OUT has no reports.
MergedReport mergeReports(const std::filesystem::path& out);
nlohmann::json mergedToJson(const MergedReport& merged);
std::string mergedToText(const MergedReport& merged);

}  // namespace midistems::batch
