// `midistems render song.mid -o out.wav`: plays a MIDI file on the built-in synthesizer, one part
// per MIDI channel (a factory preset chosen from each channel's General MIDI program, or one
// preset for all with --preset), channel 10 on the drum kit. `midistems presets` lists the presets.
#include <fmt/format.h>

#include <filesystem>
#include <memory>
#include <string>

#include "cli/command_registry.h"
#include "core/audio_file.h"
#include "core/error.h"
#include "core/progress.h"
#include "midi/midi_file.h"
#include "synth/params.h"
#include "synth/preset.h"
#include "synth/render.h"

namespace {

namespace fs = std::filesystem;
using midistems::Error;

struct RenderCommandOptions {
  std::string input;
  std::string output;
  std::string preset;
  int sampleRate = 48000;
  std::string bits = "24";
  bool quiet = false;
  bool listParams = false;
};

// The synthesizer's parameter table, as preset files name the parameters.
void printParameters() {
  using namespace midistems::synth;
  for (int i = 0; i < kNumParams; ++i) {
    const ParamInfo& p = paramInfo(i);
    std::string range;
    if (p.scale == ParamScale::Choice) {
      for (int c = 0; c <= int(p.max); ++c) range += (c ? "|" : "") + std::string(p.choices[c]);
    } else if (p.scale == ParamScale::Toggle) {
      range = "true|false";
    } else {
      range = fmt::format("{:g} .. {:g} {}", p.min, p.max, p.unit);
    }
    const std::string value = p.scale == ParamScale::Choice ? p.choices[int(p.defaultValue)]
                              : p.scale == ParamScale::Toggle ? (p.defaultValue > 0.5f ? "true" : "false")
                                                              : fmt::format("{:g}", p.defaultValue);
    fmt::print("{:<22} {:<34} default {:<12} {}\n", p.id, p.name, value, range);
  }
}

void runRender(const RenderCommandOptions& o) {
  if (o.listParams) {
    printParameters();
    return;
  }
  if (o.input.empty()) throw Error("render: a MIDI file is required (see midistems render --help)");
  if (o.output.empty()) throw Error("render: -o/--output is required");
  const fs::path outPath(o.output);
  const std::string extension = outPath.extension().string();
  const std::string container = extension == ".flac" ? "flac" : "wav";
  if (extension != ".wav" && extension != ".flac")
    throw Error(fmt::format("{}: output must end in .wav or .flac", o.output));
  const midistems::AudioFileFormat format = midistems::parseAudioFileFormat(container, o.bits);
  if (o.sampleRate < 8000 || o.sampleRate > 384000)
    throw Error(fmt::format("--sample-rate: {} Hz is outside 8000 .. 384000", o.sampleRate));
  if (!outPath.parent_path().empty() && !fs::is_directory(outPath.parent_path()))
    throw Error(fmt::format("{}: the output folder does not exist", o.output));

  if (!o.preset.empty())  // what the preset's reader ignored
    for (const auto& warning : midistems::synth::loadPreset(o.preset).warnings)
      fmt::print(stderr, "warning: {}\n", warning);
  const midistems::midi::MidiFile song = midistems::midi::readMidiFile(o.input);
  midistems::synth::RenderOptions options;
  options.sampleRate = o.sampleRate;
  options.preset = o.preset;
  const auto parts = midistems::synth::planRender(song, options);
  if (parts.empty()) throw Error(fmt::format("{}: has no notes to render", o.input));
  if (!o.quiet)
    for (const auto& part : parts)
      fmt::print(stderr, "channel {:>2}: program {:>3}, {:>5} notes -> {}\n", part.channel + 1, part.program,
                 part.notes, part.preset);

  std::unique_ptr<midistems::ProgressBar> bar;
  if (!o.quiet) bar = std::make_unique<midistems::ProgressBar>("render " + fs::path(o.input).filename().string());
  options.progress = [&](double fraction) {
    if (bar) bar->update(fraction);
  };
  const midistems::AudioBuffer audio = midistems::synth::renderMidi(song, options);
  if (bar) bar->finish();
  midistems::writeAudio(outPath, audio, format);
  if (!o.quiet)
    fmt::print(stderr, "wrote {} ({:.2f} s, {} Hz)\n", o.output, audio.durationSeconds(), audio.sampleRate);
}

midistems::cli::CommandRegistration reg{40, [](CLI::App& app) {
  auto* sub = app.add_subcommand("render", "Play a MIDI file on the built-in synthesizer and write audio");
  auto o = std::make_shared<RenderCommandOptions>();
  sub->add_option("midi", o->input, "MIDI file (type 0 or 1)");
  sub->add_option("-o,--output", o->output, "Output audio file (.wav or .flac), written atomically");
  sub->add_option("--preset", o->preset,
                  "Factory preset name or preset .json file for every melodic channel "
                  "(default: chosen per channel from its General MIDI program)");
  sub->add_option("--sample-rate", o->sampleRate, "Output sample rate in Hz (default 48000)");
  sub->add_option("--bits", o->bits, "Sample format: 16, 24 or 32f (default 24)");
  sub->add_flag("-q,--quiet", o->quiet, "No progress bar or part list");
  sub->add_flag("--list-params", o->listParams, "List the synthesizer parameters a preset may set and exit");
  sub->callback([o] { runRender(*o); });
}};

}  // namespace
