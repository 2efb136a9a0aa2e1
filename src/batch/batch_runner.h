#pragma once
// `midistems batch`: every item of one shard of a manifest through the pipeline, with one
// separator opened per process (per model, when items name their own) and reused for every item.
// Each item is built in a temporary folder and renamed into place with its completion record
// (item_folder.h, completion.h); items already done are skipped, stale ones made again; a bad
// item is reported as failed with its one-line error and the shard goes on (report.h).
#include <cstddef>
#include <filesystem>
#include <string>

#include "batch/shard.h"
#include "pipeline/pipeline.h"

namespace midistems::batch {

struct BatchOptions {
  std::filesystem::path manifest;
  std::filesystem::path out;
  Shard shard;
  pipeline::PipelineOptions pipeline;  // for every item; a JSON line may set model, preset, sample rate
  std::string outputs = "all";         // all, stems or midi
  bool force = false;                  // make done items again
  std::string version;                 // the program version written into completion records
};

struct BatchSummary {
  size_t items = 0;    // items of this shard
  size_t done = 0;     // made by this run
  size_t skipped = 0;  // already done
  size_t failed = 0;
  size_t leftoversRemoved = 0;  // temporary folders of killed runs removed
  double seconds = 0;
};

// Throws midistems::Error (one line) for a bad manifest, output folder or command-line model;
// item failures are counted, not thrown.
BatchSummary runBatch(const BatchOptions& options);

// Makes SIGTERM, SIGINT and SIGHUP stop the batch cleanly: the item in progress is abandoned, its
// temporary folder removed, an "interrupted" line reported, and the process exits with 128 + the
// signal's number. Call before any thread starts (the signals are blocked in every thread and
// taken by one of its own).
void stopCleanlyOnSignals();

}  // namespace midistems::batch
