// `midistems split SONG -o OUT/` (see separate/split/split_song.h).
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <memory>

#include "cli/command_registry.h"
#include "core/progress.h"
#include "separate/split/split_song.h"

namespace {

struct SplitFlags {
  midistems::separate::SplitSongOptions options;
  bool json = false;
};

void printSummary(const midistems::separate::SplitSongResult& r, const std::string& input, bool json) {
  if (!json) {
    for (const auto& f : r.files) fmt::print("{}\n", f.string());
    return;
  }
  nlohmann::json summary;
  summary["input"] = input;
  summary["model"] = r.model;
  summary["sources"] = r.sources;
  nlohmann::json list = nlohmann::json::array();
  for (size_t i = 0; i < r.files.size(); ++i) list.push_back({{"stem", r.stems[i]}, {"path", r.files[i].string()}});
  summary["files"] = list;
  summary["sample_rate"] = r.sampleRate;
  summary["duration"] = r.durationSeconds;
  summary["seconds"] = r.seconds;
  fmt::print("{}\n", summary.dump(2));
}

midistems::cli::CommandRegistration reg{10, [](CLI::App& app) {
  auto* sub = app.add_subcommand("split", "Split a song into stems (drums, bass, other, vocals)");
  auto flags = std::make_shared<SplitFlags>();
  auto* options = &flags->options;
  sub->add_option("input", options->input, "Song to split (WAV, FLAC, MP3, OGG, ...)")->required();
  sub->add_option("-o,--out", options->outDir, "Output folder; gets <source>.wav per stem")->required();
  sub->add_option("--model", options->model,
                  "dsp (the built-in DSP separator), a model name (htdemucs, a RoFormer release, ...: see midistems "
                  "models list; downloaded when missing), or a model file (HTDemucs .th/.safetensors, BS-/Mel-Band "
                  "RoFormer .ckpt); default: the best installed HTDemucs model, else htdemucs, downloaded on first use, "
                  "else dsp when it cannot be downloaded");
  sub->add_option("--config", options->config,
                  "YAML config of a RoFormer checkpoint file (default: the .yaml of the same name beside it)");
  sub->add_option("--stems", options->stems, "Comma-separated sources to write (default: all)");
  sub->add_option("--two-stems", options->twoStems,
                  "Write only SOURCE and no_SOURCE (the sum of the others, or the mix less SOURCE for a "
                  "one-source model), e.g. --two-stems vocals");
  sub->add_option("--overlap", options->overlap, "Overlap between model segments (HTDemucs)")->capture_default_str();
  sub->add_option("--shifts", options->shifts, "Random time shifts averaged (HTDemucs)")->capture_default_str();
  sub->add_option("--threads", options->threads, "Worker threads (0: one per core)")->capture_default_str();
  sub->add_option("--format", options->format, "wav or flac")->capture_default_str();
  sub->add_option("--bits", options->bits, "16, 24 or 32f (32-bit float WAV, no dither, no clipping)")->capture_default_str();
  sub->add_flag("--offline", options->offline,
                "Never download a model: without an installed one, use dsp (also MIDISTEMS_OFFLINE=1)");
  sub->add_flag("--json", flags->json, "Print a JSON summary on standard output");
  sub->callback([flags] {
    if (flags->json) midistems::ProgressBar::setSilenced(true);
    printSummary(midistems::separate::splitSong(flags->options), flags->options.input, flags->json);
  });
}};

}  // namespace
