#include "pipeline/pipeline.h"

#include <fmt/format.h>

#include "core/audio_file.h"
#include "core/error.h"
#include "core/progress.h"
#include "midi/demo_song.h"
#include "midi/midi_file.h"
#include "separate/split/split_song.h"
#include "synth/render.h"
#include "transcribe/stems/transcribe_stems.h"

namespace midistems::pipeline {

namespace fs = std::filesystem;

namespace {

void makeFolder(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec || !fs::is_directory(dir))
    throw Error(dir.string() + ": cannot create the output folder" + (ec ? " (" + ec.message() + ")" : ""));
}

AudioBuffer renderOnSynth(const midi::MidiFile& file, const PipelineOptions& options, const std::string& label) {
  synth::RenderOptions render;
  render.sampleRate = options.previewSampleRate;
  render.preset = options.preset;
  render.threads = options.threads;
  ProgressBar bar(label, !options.quiet);
  render.progress = [&](double f) { bar.update(f); };
  AudioBuffer audio = synth::renderMidi(file, render);
  bar.finish();
  return audio;
}

}  // namespace

PipelineResult runPipeline(const fs::path& song, const fs::path& outDir, const PipelineOptions& options) {
  // Check the song before creating anything.
  (void)probeAudio(song);
  makeFolder(outDir);
  const std::string name = song.stem().string();
  PipelineResult result;

  separate::SplitSongOptions split;
  split.input = song.string();
  split.outDir = (outDir / "stems").string();
  split.model = options.model;
  split.offline = options.offline;
  split.threads = options.threads;
  split.quiet = options.quiet;
  const separate::SplitSongResult stems = separate::splitSong(split);
  result.separator = stems.model;
  result.stems = stems.files;

  transcribe::TranscribeStemsOptions transcription;
  transcription.input = split.outDir;
  transcription.mixture = song.string();
  result.midi = outDir / (name + ".transcribed.mid");
  result.notesJson = outDir / (name + ".notes.json");
  result.plot = outDir / (name + ".notes.png");
  transcription.output = result.midi.string();
  transcription.json = result.notesJson.string();
  transcription.plot = result.plot.string();
  transcription.threads = options.threads;
  transcription.quiet = options.quiet;
  const transcribe::TranscribeStemsResult notes = transcribe::transcribeStems(transcription);
  result.notes = notes.notes;
  result.bpm = notes.bpm;

  result.preview = outDir / (name + ".preview.wav");
  const AudioBuffer preview = renderOnSynth(midi::readMidiFile(result.midi), options, "preview " + name);
  writeAudio(result.preview, preview, {AudioContainer::Wav, SampleFormat::Pcm24});
  return result;
}

DemoResult runDemo(const fs::path& outDir, const PipelineOptions& options) {
  makeFolder(outDir);
  DemoResult result;
  const midi::DemoSong song = midi::composeDemoSong();
  result.songMidi = outDir / "demo_song.mid";
  midi::writeMidiFile(result.songMidi, song.tracks, song.bpm);
  result.songAudio = outDir / "demo_song.wav";
  PipelineOptions songOptions = options;
  songOptions.preset.clear();  // the song itself always uses the factory choice per program
  const AudioBuffer audio = renderOnSynth(midi::makeMidiFile(song.tracks, song.bpm), songOptions, "demo song");
  writeAudio(result.songAudio, audio, {AudioContainer::Wav, SampleFormat::Pcm24});
  result.pipeline = runPipeline(result.songAudio, outDir, options);
  return result;
}

}  // namespace midistems::pipeline
