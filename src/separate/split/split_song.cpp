// See split_song.h.
#include <fmt/format.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/audio_file.h"
#include "core/error.h"
#include "core/progress.h"
#include "core/resample.h"
#include "separate/dsp/dsp_separator.h"
#include "separate/architectures/architectures.h"
#include "separate/models/model_registry.h"
#include "separate/separator.h"
#include "separate/split/split_song.h"

namespace {

namespace fs = std::filesystem;
using midistems::AudioBuffer;
using midistems::Error;

using midistems::separate::ModelEntry;
using SplitOptions = midistems::separate::SplitSongOptions;

struct OpenedSeparator {
  std::unique_ptr<midistems::separate::Separator> separator;
  std::string description;  // "dsp", a model name or a checkpoint path
  std::string why;          // why it was chosen, when the user did not name it
};

std::unique_ptr<midistems::separate::Separator> openDsp(const SplitOptions& options) {
  midistems::separate::dsp::DspSeparatorOptions dsp;
  dsp.threads = options.threads;
  return midistems::separate::dsp::openDspSeparator(dsp);
}

midistems::separate::ModelFileOptions modelFileOptions(const SplitOptions& options) {
  midistems::separate::ModelFileOptions files;
  files.overlap = options.overlap;
  files.shifts = options.shifts;
  files.threads = options.threads;
  files.config = options.config;
  return files;
}

// An installed registry model; `why` tells how it was chosen or obtained.
OpenedSeparator openInstalledModel(const ModelEntry& model, const SplitOptions& options, std::string why = "") {
  return {midistems::separate::openRegistryModel(model, modelFileOptions(options)), model.name, std::move(why)};
}

bool looksLikeCheckpointPath(const std::string& model) {
  const std::string ext = fs::path(model).extension().string();
  std::error_code ec;
  return ext == ".th" || ext == ".safetensors" || ext == ".ckpt" || model.find('/') != std::string::npos ||
         fs::is_regular_file(model, ec);
}

// The model a plain `split` uses: the best fully installed 4-stem HTDemucs release
// (htdemucs_ft, then the first-use model, normally htdemucs), else none.
const ModelEntry* bestInstalledModel(const ModelEntry& firstUse) {
  for (const ModelEntry* entry : {midistems::separate::findModel("htdemucs_ft"), &firstUse}) {
    if (entry && entry->supported && midistems::separate::countInstalledFiles(*entry) == entry->files.size())
      return entry;
  }
  return nullptr;
}

// Downloads the missing files of `model` into modelsDir(), with a progress bar per file once the
// server answers (on a terminal, unless quiet). Connecting gives up after a few seconds. Throws
// midistems::Error with one line when the model cannot be had.
void downloadForSplit(const ModelEntry& model, bool showProgress) {
  std::unique_ptr<midistems::ProgressBar> bar;
  std::string current;
  const auto report = [&](const std::string& file, uint64_t received, uint64_t total) {
    if (total == 0) return;  // no answer yet
    if (file != current) {
      if (bar) bar->finish();
      bar = std::make_unique<midistems::ProgressBar>(
          fmt::format("download {} ({:.0f} MB)", file, double(total) / 1e6), showProgress);
      current = file;
    }
    if (received >= total) bar->finish();  // shown whole even when the checksum then fails
    else bar->update(double(received) / double(total));
  };
  midistems::separate::fetchModel(model, "", report, midistems::separate::kAutomaticFetchConnectTimeoutSeconds);
  if (bar) bar->finish();
}

std::string downloadedNote() {
  return fmt::format(" (downloaded to {})", midistems::separate::modelsDir().string());
}

std::vector<std::string> splitList(const std::string& text) {
  std::vector<std::string> items;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = text.find(',', start);
    const std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    if (!item.empty()) items.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return items;
}

// One output file: the sum of some of the separator's sources.
struct OutputPlan {
  std::string name;
  std::vector<size_t> sourceIndices;
  bool fromMix = false;  // the mix less these sources (the rest of a one-source model)
};

std::vector<OutputPlan> planOutputs(const SplitOptions& options, const std::vector<std::string>& sources) {
  const auto indexOf = [&](const std::string& name, const char* option) {
    for (size_t i = 0; i < sources.size(); ++i)
      if (sources[i] == name) return i;
    std::string known;
    for (const auto& s : sources) known += (known.empty() ? "" : ", ") + s;
    throw Error(fmt::format("{}: unknown source '{}' (this model has {})", option, name, known));
  };
  std::vector<OutputPlan> plan;
  if (!options.twoStems.empty()) {
    if (!options.stems.empty()) throw Error("--two-stems and --stems cannot be used together");
    const size_t keep = indexOf(options.twoStems, "--two-stems");
    OutputPlan rest{"no_" + options.twoStems, {}};
    for (size_t i = 0; i < sources.size(); ++i)
      if (i != keep) rest.sourceIndices.push_back(i);
    // A model that separates one source only (a vocals RoFormer): the rest is the mix less it.
    if (rest.sourceIndices.empty()) rest = {rest.name, {keep}, true};
    plan.push_back({options.twoStems, {keep}});
    plan.push_back(rest);
    return plan;
  }
  if (options.stems.empty()) {
    for (size_t i = 0; i < sources.size(); ++i) plan.push_back({sources[i], {i}});
    return plan;
  }
  std::set<std::string> seen;
  for (const auto& name : splitList(options.stems))
    if (seen.insert(name).second) plan.push_back({name, {indexOf(name, "--stems")}});
  if (plan.empty()) throw Error("--stems: no source named");
  return plan;
}

OpenedSeparator openSeparator(const SplitOptions& options) {
  // A registry model brings its own config; --config is for a checkpoint file.
  if (!options.config.empty() &&
      (options.model.empty() || options.model == "dsp" || midistems::separate::findModel(options.model)))
    throw Error(fmt::format("--config: only for a RoFormer checkpoint file given with --model, not for {}",
                            options.model.empty() ? "the default model" : "model " + options.model));
  if (options.model == "dsp") return {openDsp(options), "dsp", ""};
  const bool offline = options.offline || midistems::separate::offlineByEnvironment();
  if (options.model.empty()) {
    const ModelEntry& firstUse =
        options.firstUseModel ? *options.firstUseModel : *midistems::separate::findModel("htdemucs");
    if (const auto* best = bestInstalledModel(firstUse)) return openInstalledModel(*best, options);
    if (offline)
      return {openDsp(options), "dsp",
              fmt::format(" (no HTDemucs model installed and downloads are off; run: midistems models fetch {})",
                          firstUse.name)};
    // First use: fetch the default model as Demucs does, but never fail the split over it. A bad
    // --stems fails before the download, not after it.
    planOutputs(options, firstUse.sources);
    try {
      downloadForSplit(firstUse, !options.quiet);
    } catch (const Error& e) {
      return {openDsp(options), "dsp",
              fmt::format(" (model {} is not installed and could not be downloaded: {}; --offline skips the download)",
                          firstUse.name, e.what())};
    }
    return openInstalledModel(firstUse, options, downloadedNote());
  }
  if (const auto* entry = midistems::separate::findModel(options.model)) {
    // Named explicitly: fetch it when missing, and fail rather than separate with another model.
    if (!entry->supported || offline || midistems::separate::countInstalledFiles(*entry) == entry->files.size())
      return openInstalledModel(*entry, options);
    planOutputs(options, entry->sources);
    try {
      downloadForSplit(*entry, !options.quiet);
    } catch (const Error& e) {
      throw Error(fmt::format("--model {}: not installed, and the download failed: {}", entry->name, e.what()));
    }
    return openInstalledModel(*entry, options, downloadedNote());
  }
  if (looksLikeCheckpointPath(options.model)) {
    std::error_code ec;
    if (!fs::is_regular_file(options.model, ec)) throw Error("--model " + options.model + ": file not found");
    return {midistems::separate::openModelFiles({fs::path(options.model)}, {}, modelFileOptions(options)), options.model,
            ""};
  }
  std::string known = "dsp";
  for (const auto& m : midistems::separate::knownModels())
    if (m.supported) known += ", " + m.name;
  throw Error(fmt::format("--model {}: unknown model (known: {}; or a .th/.safetensors/.ckpt file)", options.model, known));
}

AudioBuffer toStereo(AudioBuffer audio, const std::string& path) {
  if (audio.numChannels() == 1) {
    audio.channels.push_back(audio.channels[0]);
    return audio;
  }
  if (audio.numChannels() == 2) return audio;
  throw Error(fmt::format("{}: has {} channels; split takes mono or stereo audio", path, audio.numChannels()));
}

// Mixes the planned outputs from each block of stems. Blocks go straight to the writers when the
// input is at the separator's rate; otherwise they are kept and resampled once at the end
// (libsoxr's whole-buffer conversion, so stems line up exactly with the mix).
class OutputSink final : public midistems::separate::StemSink {
 public:
  // mix: what the separator separates (outputs taken from the mix read it).
  OutputSink(const std::vector<OutputPlan>& plan, std::vector<std::unique_ptr<midistems::AudioFileWriter>>& writers,
             bool stream, int channels, const AudioBuffer& mix)
      : plan_(plan), writers_(writers), stream_(stream), kept_(plan.size()), mix_(mix) {
    for (auto& k : kept_) k.channels.resize(size_t(channels));
  }

  void write(const std::vector<AudioBuffer>& stems, int64_t offset, int64_t frames) override {
    for (size_t o = 0; o < plan_.size(); ++o) {
      AudioBuffer block(int(stems[0].channels.size()), frames, stems[0].sampleRate);
      for (size_t s : plan_[o].sourceIndices)
        for (size_t c = 0; c < block.channels.size(); ++c)
          for (int64_t i = 0; i < frames; ++i) block.channels[c][size_t(i)] += stems[s].channels[c][size_t(i)];
      if (plan_[o].fromMix)
        for (size_t c = 0; c < block.channels.size(); ++c)
          for (int64_t i = 0; i < frames; ++i)
            block.channels[c][size_t(i)] = mix_.channels[c][size_t(offset + i)] - block.channels[c][size_t(i)];
      if (stream_) {
        writers_[o]->write(block);
      } else {
        kept_[o].sampleRate = block.sampleRate;
        for (size_t c = 0; c < block.channels.size(); ++c)
          kept_[o].channels[c].insert(kept_[o].channels[c].end(), block.channels[c].begin(), block.channels[c].end());
      }
    }
  }

  // Resamples the kept outputs to `rate`, trimmed or padded to `frames`, and writes them.
  void flushResampled(int rate, int64_t frames) {
    if (stream_) return;
    for (size_t o = 0; o < plan_.size(); ++o) {
      AudioBuffer out = midistems::resample(kept_[o], rate);
      for (auto& ch : out.channels) ch.resize(size_t(frames), 0.0f);
      kept_[o] = AudioBuffer();
      writers_[o]->write(out);
    }
  }

 private:
  const std::vector<OutputPlan>& plan_;
  std::vector<std::unique_ptr<midistems::AudioFileWriter>>& writers_;
  bool stream_;
  std::vector<AudioBuffer> kept_;
  const AudioBuffer& mix_;
};

}  // namespace

namespace midistems::separate {

SplitModel openSplitModel(const SplitSongOptions& options) {
  if (options.overlap < 0 || options.overlap >= 1)
    throw Error(fmt::format("--overlap: {} is outside [0, 1)", options.overlap));
  if (options.shifts < 0) throw Error("--shifts: must be 0 or more");
  OpenedSeparator opened = openSeparator(options);
  if (opened.separator->channels() != 2)
    throw Error(fmt::format("model {}: works on {} channels; split supports stereo models only",
                            opened.description, opened.separator->channels()));
  fmt::print(stderr, "split: using {}{}\n",
             opened.description == "dsp" ? "the built-in DSP separator" : "model " + opened.description, opened.why);
  return {std::move(opened.separator), opened.description};
}

namespace {

// Splits `input` (the song of `options`, already read) with `model`.
SplitSongResult splitInput(const SplitSongOptions& options, const AudioBuffer& input, SplitModel& model,
                           std::chrono::steady_clock::time_point started) {
  const midistems::AudioFileFormat format = midistems::parseAudioFileFormat(options.format, options.bits);
  auto& separator = *model.separator;
  const std::vector<std::string> sources = separator.sources();
  const std::vector<OutputPlan> plan = planOutputs(options, sources);

  std::error_code ec;
  const fs::path outDir(options.outDir);
  fs::create_directories(outDir, ec);
  if (ec || !fs::is_directory(outDir))
    throw Error(fmt::format("{}: cannot create the output folder ({})", options.outDir,
                            ec ? ec.message() : "a file is in the way"));
  std::vector<std::unique_ptr<midistems::AudioFileWriter>> writers;
  std::vector<fs::path> files;
  for (const auto& out : plan) {
    files.push_back(outDir / (out.name + format.extension()));
    writers.push_back(std::make_unique<midistems::AudioFileWriter>(files.back(), input.sampleRate, 2, format));
  }

  const bool sameRate = input.sampleRate == separator.sampleRate();
  const AudioBuffer mix = sameRate ? AudioBuffer() : midistems::resample(input, separator.sampleRate());
  OutputSink sink(plan, writers, sameRate, 2, sameRate ? input : mix);
  {
    midistems::ProgressBar bar("split " + fs::path(options.input).filename().string(), !options.quiet);
    separator.separate(sameRate ? input : mix, sink, [&](double f) { bar.update(f); });
    bar.finish();
  }
  sink.flushResampled(input.sampleRate, input.numFrames());

  // Every stem is complete: rename them all into place. Should one rename fail, remove the ones
  // already renamed so the folder holds a whole set or nothing.
  size_t committed = 0;
  try {
    for (; committed < writers.size(); ++committed) writers[committed]->commit();
  } catch (...) {
    for (size_t i = 0; i < committed; ++i) fs::remove(files[i], ec);
    throw;
  }

  SplitSongResult result;
  result.model = model.description;
  result.sources = sources;
  for (const auto& out : plan) result.stems.push_back(out.name);
  result.files = files;
  result.sampleRate = input.sampleRate;
  result.durationSeconds = input.durationSeconds();
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace

SplitSongResult splitSong(const SplitSongOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  if (options.overlap < 0 || options.overlap >= 1)
    throw Error(fmt::format("--overlap: {} is outside [0, 1)", options.overlap));
  if (options.shifts < 0) throw Error("--shifts: must be 0 or more");
  (void)midistems::parseAudioFileFormat(options.format, options.bits);
  // The song is read before a model is chosen, so a bad input fails before any download.
  const AudioBuffer input = toStereo(midistems::readAudio(options.input), options.input);
  SplitModel model = openSplitModel(options);
  return splitInput(options, input, model, started);
}

SplitSongResult splitSong(const SplitSongOptions& options, SplitModel& model) {
  const auto started = std::chrono::steady_clock::now();
  const AudioBuffer input = toStereo(midistems::readAudio(options.input), options.input);
  return splitInput(options, input, model, started);
}

}  // namespace midistems::separate
