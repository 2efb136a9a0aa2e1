// See batch_runner.h.
#include "batch/batch_runner.h"

#include <signal.h>
#include <unistd.h>

#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <new>
#include <optional>
#include <thread>
#include <unordered_set>

#include "batch/completion.h"
#include "batch/item_folder.h"
#include "batch/manifest.h"
#include "batch/report.h"
#include "core/audio_file.h"
#include "core/error.h"

namespace midistems::batch {

namespace fs = std::filesystem;

namespace {

// What the signal thread needs to stop cleanly. The main thread holds `mutex` while it commits an
// item or appends to the report, so a signal never cuts either in half.
struct StopState {
  std::mutex mutex;
  const ReportWriter* report = nullptr;
  std::string id, input;       // the item in progress
  fs::path temp;               // its temporary folder
};

StopState& stopState() {
  static StopState state;
  return state;
}

// Lets the signal thread report through `report` while it exists.
class ReportRegistration {
 public:
  explicit ReportRegistration(const ReportWriter& report) {
    std::lock_guard lock(stopState().mutex);
    stopState().report = &report;
  }
  ~ReportRegistration() {
    std::lock_guard lock(stopState().mutex);
    stopState().report = nullptr;
    stopState().id.clear();
    stopState().temp.clear();
  }
  ReportRegistration(const ReportRegistration&) = delete;
  ReportRegistration& operator=(const ReportRegistration&) = delete;
};

void stopNow(int signal) {
  auto& state = stopState();
  std::lock_guard lock(state.mutex);
  if (!state.temp.empty()) {
    // The pipeline's threads keep writing while this runs. The folder is first renamed aside, so
    // that they can add nothing more to it (their new files name the old path), then removed; a
    // folder they create again under the old path in the meantime is removed too.
    const fs::path aside = state.temp.parent_path() / (state.temp.filename().string() + "-stopped");
    for (int attempt = 0; attempt < 100; ++attempt) {
      std::error_code ec;
      if (fs::exists(state.temp, ec)) fs::rename(state.temp, aside, ec);
      fs::remove_all(aside, ec);
      if (!fs::exists(state.temp, ec) && !fs::exists(aside, ec)) break;
    }
  }
  if (state.report && !state.id.empty()) {
    try {
      state.report->append({{"id", state.id}, {"input", state.input}, {"status", "interrupted"},
                            {"error", fmt::format("stopped by signal {}", signal)}});
    } catch (const Error&) {
    }
  }
  std::fprintf(stderr, "\nbatch: stopped by signal %d%s\n", signal,
               state.id.empty() ? "" : ("; " + state.id + " is left for the next run").c_str());
  std::fflush(stderr);
  ::_exit(128 + signal);
}

nlohmann::json optionsRecord(const std::string& separator, const pipeline::PipelineOptions& o,
                             const std::string& outputs) {
  // Everything that shapes the outputs; the split settings are the pipeline's fixed ones.
  nlohmann::json j = {{"separator", separator}, {"outputs", outputs}, {"stems", "wav pcm24"},
                      {"overlap", 0.25}, {"shifts", 0}};
  if (outputs == "all") {
    j["preset"] = o.preset;
    j["sample_rate"] = o.previewSampleRate;
  }
  return j;
}

pipeline::PipelineOutputs parseOutputs(const std::string& outputs) {
  if (outputs == "all") return pipeline::PipelineOutputs::All;
  if (outputs == "stems") return pipeline::PipelineOutputs::Stems;
  if (outputs == "midi") return pipeline::PipelineOutputs::Midi;
  throw Error("--outputs " + outputs + ": expected all, stems or midi");
}

std::string oneLine(std::string text) {
  for (char& c : text)
    if (c == '\n' || c == '\r') c = ' ';
  return text;
}

class Runner {
 public:
  explicit Runner(const BatchOptions& options) : options_(options) {}

  BatchSummary run() {
    const auto started = std::chrono::steady_clock::now();
    (void)parseOutputs(options_.outputs);
    const std::vector<ManifestItem> items = readManifest(options_.manifest);
    std::error_code ec;
    fs::create_directories(options_.out, ec);
    if (ec || !fs::is_directory(options_.out))
      throw Error(options_.out.string() + ": cannot create the output folder" + (ec ? " (" + ec.message() + ")" : ""));
    const ReportWriter report(options_.out, options_.shard);
    const ReportRegistration registration(report);
    std::unordered_set<std::string> mine;
    for (const auto& item : items)
      if (options_.shard.owns(item.index)) mine.insert(item.id);
    summary_.items = mine.size();
    summary_.leftoversRemoved = removeLeftovers(options_.out, mine);
    fmt::print(stderr, "batch: shard {} ({}): {} of {} items{}\n", options_.shard.name(), options_.shard.source,
               mine.size(), items.size(),
               summary_.leftoversRemoved ? fmt::format("; removed {} unfinished folders of a stopped run",
                                                       summary_.leftoversRemoved)
                                         : "");
    // A bad model on the command line is a usage error, found before any item.
    (void)pipelineFor(options_.pipeline.model);

    size_t position = 0;
    for (const auto& item : items) {
      if (!options_.shard.owns(item.index)) continue;
      ++position;
      runItem(item, position, report);
    }
    summary_.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return summary_;
  }

 private:
  // The pipeline for `model`, opened on first use. The command line's model stays open; of the
  // models items name for themselves, only the last one used is kept, so a manifest naming many
  // checkpoints never holds more than two models at once.
  pipeline::PreparedPipeline& pipelineFor(const std::string& model) {
    auto it = pipelines_.find(model);
    if (it == pipelines_.end()) {
      for (auto old = pipelines_.begin(); old != pipelines_.end();)
        old = old->first == options_.pipeline.model ? std::next(old) : pipelines_.erase(old);
      pipeline::PipelineOptions o = options_.pipeline;
      o.model = model;
      it = pipelines_.emplace(model, std::make_unique<pipeline::PreparedPipeline>(o)).first;
    }
    return *it->second;
  }

  void runItem(const ManifestItem& item, size_t position, const ReportWriter& report) {
    const auto started = std::chrono::steady_clock::now();
    const auto elapsed = [&] {
      return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    };
    const std::string label = fmt::format("batch [{}/{}] {}", position, summary_.items, item.id);
    nlohmann::json line = {{"id", item.id}, {"input", item.written}};
    try {
      pipeline::PipelineOptions o = options_.pipeline;
      if (item.options.model) o.model = *item.options.model;
      if (item.options.preset) o.preset = *item.options.preset;
      if (item.options.sampleRate) o.previewSampleRate = *item.options.sampleRate;
      const std::string outputs = item.options.outputs.value_or(options_.outputs);
      pipeline::PreparedPipeline& pipe = pipelineFor(o.model);
      const nlohmann::json optionsJson = optionsRecord(pipe.separator(), o, outputs);
      const InputFingerprint fingerprint = fingerprintInput(item.input);
      const fs::path target = options_.out / item.id;
      if (!options_.force) {
        const CompletionCheck check = checkCompletion(target, fingerprint, optionsJson, options_.version);
        if (check.done) {
          ++summary_.skipped;
          line["status"] = "skipped";
          appendLocked(report, line);
          fmt::print(stderr, "{}: already done\n", label);
          return;
        }
        if (check.why != "no completion record") fmt::print(stderr, "{}: again: {}\n", label, check.why);
      }
      const AudioFileInfo info = probeAudio(item.input);
      ItemBuild build(options_.out, item.id);
      setCurrent(item, build.temp());
      pipe.setPreview(o.preset, o.previewSampleRate);
      (void)pipe.run(item.input, build.temp(), parseOutputs(outputs));
      CompletionRecord record{item.id, item.written, fingerprint, optionsJson, options_.version,
                              hashOutputs(build.temp()), elapsed()};
      writeRecord(build.temp(), record);
      line["status"] = "done";
      line["seconds"] = elapsed();
      line["audio_seconds"] = info.sampleRate > 0 ? double(info.frames) / info.sampleRate : 0.0;
      {
        std::lock_guard lock(stopState().mutex);
        build.commit();
        stopState().id.clear();
        stopState().temp.clear();
        report.append(line);
      }
      ++summary_.done;
      fmt::print(stderr, "{}: done in {:.1f} s\n", label, elapsed());
      return;
    } catch (const Error& e) {
      fail(line, label, e.what(), elapsed(), report);
    } catch (const std::bad_alloc&) {
      fail(line, label, "out of memory", elapsed(), report);
    } catch (const std::exception& e) {
      fail(line, label, std::string("internal error: ") + e.what(), elapsed(), report);
    }
  }

  void setCurrent(const ManifestItem& item, const fs::path& temp) {
    std::lock_guard lock(stopState().mutex);
    stopState().id = item.id;
    stopState().input = item.written;
    stopState().temp = temp;
  }

  void appendLocked(const ReportWriter& report, const nlohmann::json& line) {
    std::lock_guard lock(stopState().mutex);
    report.append(line);
  }

  void fail(nlohmann::json& line, const std::string& label, const std::string& error, double seconds,
            const ReportWriter& report) {
    {
      std::lock_guard lock(stopState().mutex);
      stopState().id.clear();
      stopState().temp.clear();
    }
    ++summary_.failed;
    line["status"] = "failed";
    line["seconds"] = seconds;
    line["error"] = oneLine(error);
    appendLocked(report, line);
    fmt::print(stderr, "{}: failed: {}\n", label, oneLine(error));
  }

  const BatchOptions& options_;
  BatchSummary summary_;
  std::map<std::string, std::unique_ptr<pipeline::PreparedPipeline>> pipelines_;
};

}  // namespace

BatchSummary runBatch(const BatchOptions& options) { return Runner(options).run(); }

void stopCleanlyOnSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread([set] {
    int signal = 0;
    while (sigwait(&set, &signal) != 0) {
    }
    stopNow(signal);
  }).detach();
}

}  // namespace midistems::batch
