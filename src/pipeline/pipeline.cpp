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

separate::SplitSongOptions splitOptions(const PipelineOptions& options) {
  separate::SplitSongOptions split;
  split.model = options.model;
  split.config = options.config;
  split.offline = options.offline;
  split.threads = options.threads;
  split.quiet = options.quiet;
  return split;
}

}  // namespace

PreparedPipeline::PreparedPipeline(PipelineOptions options)
    : options_(std::move(options)), model_(separate::openSplitModel(splitOptions(options_))) {}

PreparedPipeline::PreparedPipeline(PipelineOptions options, separate::SplitModel model)
    : options_(std::move(options)), model_(std::move(model)) {}

PipelineResult PreparedPipeline::run(const fs::path& song, const fs::path& outDir, PipelineOutputs outputs) {
  // Check the song before creating anything.
  (void)probeAudio(song);
  makeFolder(outDir);
  const std::string name = song.stem().string();
  PipelineResult result;

  separate::SplitSongOptions split = splitOptions(options_);
  split.input = song.string();
  split.outDir = (outDir / "stems").string();
  split.twoStems = options_.twoStems;
  const std::vector<std::string> sources = model_.separator->sources();
  if (split.twoStems.empty() && sources.size() == 1) split.twoStems = sources[0];
  const separate::SplitSongResult stems = separate::splitSong(split, model_);
  result.separator = stems.model;
  result.stems = stems.files;
  if (outputs == PipelineOutputs::Stems) return result;

  transcribe::TranscribeStemsOptions transcription;
  // A two-stem split transcribes its source alone: the rest is a whole instrumental (drums and
  // all), which note tracking would only fill with noise.
  transcription.input = split.twoStems.empty() ? split.outDir : stems.files[0].string();
  transcription.mixture = song.string();
  result.midi = outDir / (name + ".transcribed.mid");
  result.notesJson = outDir / (name + ".notes.json");
  result.plot = outDir / (name + ".notes.png");
  transcription.output = result.midi.string();
  transcription.json = result.notesJson.string();
  transcription.plot = result.plot.string();
  transcription.threads = options_.threads;
  transcription.quiet = options_.quiet;
  // basic-pitch is loaded with the first song and kept for the rest.
  if (!basicPitch_)
    basicPitch_ = std::make_unique<transcribe::BasicPitchModel>(
        transcribe::BasicPitchModel::load(transcribe::BasicPitchModel::defaultModelDir()));
  transcription.loadedModel = basicPitch_.get();
  const transcribe::TranscribeStemsResult notes = transcribe::transcribeStems(transcription);
  result.notes = notes.notes;
  result.bpm = notes.bpm;
  if (outputs == PipelineOutputs::Midi) {
    std::error_code ec;
    fs::remove_all(split.outDir, ec);
    if (ec) throw Error(split.outDir + ": cannot remove the stems (" + ec.message() + ")");
    result.stems.clear();
    return result;
  }

  result.preview = outDir / (name + ".preview.wav");
  const AudioBuffer preview = renderOnSynth(midi::readMidiFile(result.midi), options_, "preview " + name);
  writeAudio(result.preview, preview, {AudioContainer::Wav, SampleFormat::Pcm24});
  return result;
}

PipelineResult runPipeline(const fs::path& song, const fs::path& outDir, const PipelineOptions& options) {
  // Check the song before a model is chosen or anything is created.
  (void)probeAudio(song);
  return PreparedPipeline(options).run(song, outDir);
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
