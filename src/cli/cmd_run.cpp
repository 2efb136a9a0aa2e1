// `midistems run SONG -o OUT/`: the whole job — stems, MIDI and a re-synthesised preview.
// `midistems demo -o OUT/`: the same on a song rendered from the embedded demo MIDI.
#include <fmt/format.h>

#include <memory>
#include <string>

#include "cli/command_registry.h"
#include "pipeline/pipeline.h"

namespace {

namespace pl = midistems::pipeline;

struct RunFlags {
  std::string input;
  std::string outDir;
  pl::PipelineOptions options;
};

void addPipelineOptions(CLI::App* sub, RunFlags& flags) {
  sub->add_option("-o,--out", flags.outDir, "Output folder")->required();
  sub->add_option("--model", flags.options.model,
                  "Separator: dsp, a model name (htdemucs, a RoFormer release, ...: see midistems models list; "
                  "downloaded when missing) or a model file (HTDemucs .th/.safetensors, BS-/Mel-Band RoFormer "
                  ".ckpt) (default: the best installed model, else htdemucs, downloaded on first use, else dsp)");
  sub->add_option("--config", flags.options.config,
                  "YAML config of a RoFormer checkpoint file (default: the .yaml of the same name beside it)");
  sub->add_option("--two-stems", flags.options.twoStems,
                  "Separate SOURCE and no_SOURCE (the rest of the song); only SOURCE is transcribed. A "
                  "one-source model (a vocals RoFormer) always does this, e.g. --two-stems vocals");
  sub->add_flag("--offline", flags.options.offline,
                "Never download a model: without an installed one, use dsp (also MIDISTEMS_OFFLINE=1)");
  sub->add_option("--preset", flags.options.preset,
                  "Synth preset for the preview's melodic parts (default: chosen per stem)");
  sub->add_option("--sample-rate", flags.options.previewSampleRate, "Preview sample rate")->capture_default_str();
  sub->add_option("--threads", flags.options.threads, "Worker threads (0: one per core)")->capture_default_str();
  sub->add_flag("-q,--quiet", flags.options.quiet, "No progress bars");
}

void printResult(const pl::PipelineResult& r) {
  fmt::print("stems ({}):\n", r.separator);
  for (const auto& s : r.stems) fmt::print("  {}\n", s.string());
  fmt::print("MIDI:    {} ({} notes, {:.1f} BPM)\n", r.midi.string(), r.notes, r.bpm);
  fmt::print("notes:   {}\n", r.notesJson.string());
  fmt::print("picture: {}\n", r.plot.string());
  fmt::print("preview: {}\n", r.preview.string());
}

midistems::cli::CommandRegistration runCommand{5, [](CLI::App& app) {
  auto* sub = app.add_subcommand("run", "Song -> stems -> MIDI -> re-synthesised preview, in one go");
  auto flags = std::make_shared<RunFlags>();
  sub->add_option("input", flags->input, "Song (WAV, FLAC, MP3, OGG, ...)")->required();
  addPipelineOptions(sub, *flags);
  sub->callback([flags] { printResult(pl::runPipeline(flags->input, flags->outDir, flags->options)); });
}};

midistems::cli::CommandRegistration demoCommand{1, [](CLI::App& app) {
  auto* sub = app.add_subcommand("demo", "Render the built-in demo song and run the whole job on it");
  auto flags = std::make_shared<RunFlags>();
  addPipelineOptions(sub, *flags);
  sub->callback([flags] {
    const pl::DemoResult r = pl::runDemo(flags->outDir, flags->options);
    fmt::print("demo song: {} (rendered from {})\n", r.songAudio.string(), r.songMidi.string());
    printResult(r.pipeline);
  });
}};

}  // namespace
