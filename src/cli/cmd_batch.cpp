// `midistems batch MANIFEST -o OUT [--shard I/N]`: the pipeline over a manifest of songs, sharded,
// resumable and loss-free (see batch/batch_runner.h); `midistems batch report OUT` merges the
// shards' reports. Exit status: 0 every item of the shard done, 3 some items failed (each one
// reported with its error), 2 bad usage or a malformed manifest, 128 + N stopped by signal N.
#include <fmt/format.h>

#include <memory>
#include <string>

#include "batch/batch_runner.h"
#include "batch/report.h"
#include "batch/shard.h"
#include "cli/command_registry.h"
#include "core/error.h"

namespace {

namespace bt = midistems::batch;

struct BatchFlags {
  std::string manifest;
  std::string outDir;
  std::string shard;
  size_t shards = 0;
  std::string outputs = "all";
  bool force = false;
  int threads = -1;
  midistems::pipeline::PipelineOptions pipeline;
  std::string reportOut;
  bool reportJson = false;
};

// Threads per item: --threads, else Slurm's CPUs per task, else one per core.
int threadsFor(const BatchFlags& flags) {
  if (flags.threads >= 0) return flags.threads;
  const std::string slurm = bt::processEnvironment("SLURM_CPUS_PER_TASK");
  if (slurm.empty()) return 0;
  try {
    size_t used = 0;
    const int n = std::stoi(slurm, &used);
    if (used == slurm.size() && n >= 1 && n <= 4096) return n;
  } catch (const std::exception&) {
  }
  throw midistems::Error("SLURM_CPUS_PER_TASK=" + slurm.substr(0, 40) + ": not a CPU count");
}

void runReport(const BatchFlags& flags) {
  const bt::MergedReport merged = bt::mergeReports(flags.reportOut);
  if (flags.reportJson) fmt::print("{}\n", bt::mergedToJson(merged).dump(2));
  else fmt::print("{}", bt::mergedToText(merged));
}

void runBatchCommand(const BatchFlags& flags) {
  if (flags.manifest.empty()) throw midistems::Error("batch: no manifest given (midistems batch MANIFEST -o OUT)");
  if (flags.outDir.empty()) throw midistems::Error("batch: no output folder given (-o OUT)");
  bt::BatchOptions options;
  options.manifest = flags.manifest;
  options.out = flags.outDir;
  options.shard = bt::resolveShard(flags.shard, flags.shards);
  options.pipeline = flags.pipeline;
  options.pipeline.threads = threadsFor(flags);
  options.outputs = flags.outputs;
  options.force = flags.force;
  options.version = MIDISTEMS_VERSION;
  bt::stopCleanlyOnSignals();
  const bt::BatchSummary s = bt::runBatch(options);
  fmt::print("shard {}: {} items: {} done, {} already done, {} failed ({:.1f} s)\n", options.shard.name(), s.items,
             s.done, s.skipped, s.failed, s.seconds);
  if (s.failed) throw CLI::RuntimeError(3);
}

midistems::cli::CommandRegistration reg{6, [](CLI::App& app) {
  auto* sub = app.add_subcommand(
      "batch", "Run the whole job over a manifest of songs: sharded (Slurm arrays, Kubernetes Indexed Jobs), "
               "resumable, one output folder per song");
  auto flags = std::make_shared<BatchFlags>();
  sub->add_option("manifest", flags->manifest,
                  "Text file of song paths (one per line, # comments) or JSON Lines with \"path\", \"id\" and "
                  "per-item options");
  sub->add_option("-o,--out", flags->outDir, "Output folder: OUT/<id>/ per item, reports in OUT/.batch/reports");
  sub->add_option("--shard", flags->shard,
                  "Shard I of N (I/N, from 0): item k belongs to shard k mod N (default: the Slurm array task, "
                  "else JOB_COMPLETION_INDEX with --shards, else every item)");
  sub->add_option("--shards", flags->shards, "Shard count of a Kubernetes Indexed Job (with JOB_COMPLETION_INDEX)");
  sub->add_option("--outputs", flags->outputs, "all (what `run` writes), stems, or midi (MIDI, notes, picture)")
      ->capture_default_str();
  sub->add_flag("--force", flags->force, "Make items again even when they are done");
  sub->add_option("--model", flags->pipeline.model,
                  "Separator: dsp, an HTDemucs model name or file (default: as `run`); opened once per process");
  sub->add_flag("--offline", flags->pipeline.offline, "Never download a model (also MIDISTEMS_OFFLINE=1)");
  sub->add_option("--preset", flags->pipeline.preset, "Synth preset for the previews' melodic parts");
  sub->add_option("--sample-rate", flags->pipeline.previewSampleRate, "Preview sample rate")->capture_default_str();
  sub->add_option("--threads", flags->threads, "Threads per item (default: SLURM_CPUS_PER_TASK, else one per core)");
  sub->add_flag("-q,--quiet", flags->pipeline.quiet, "No progress bars");
  auto* report = sub->add_subcommand("report", "Merge every shard's report: totals, failures, throughput");
  report->add_option("out", flags->reportOut, "The batch's output folder")->required();
  report->add_flag("--json", flags->reportJson, "Print JSON");
  sub->callback([flags, report] {
    if (report->parsed()) runReport(*flags);
    else runBatchCommand(*flags);
  });
}};

}  // namespace
