#pragma once
// The whole job in one call: a song is split into stems, the stems are transcribed into one
// multi-track MIDI file, and that MIDI is played again on the synthesizer as a preview.
//
//   OUT/stems/<source>.wav   the separated stems (with a two-stem split: <source> and
//                            no_<source>, the rest, which is not transcribed)
//   OUT/<song>.transcribed.mid  one named track per stem (drums on channel 10)
//   OUT/<song>.notes.json    the same notes as a list
//   OUT/<song>.notes.png     the notes over each stem's spectrogram, a panel per stem
//   OUT/<song>.preview.wav   the MIDI rendered on the synthesizer
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "separate/split/split_song.h"
#include "transcribe/basic_pitch/basic_pitch.h"

namespace midistems::pipeline {

struct PipelineOptions {
  std::string model;          // separator: dsp, a model name or file; empty: best installed, else
                              // htdemucs downloaded on first use, else dsp (see split_song.h)
  std::string config;         // a RoFormer checkpoint file's YAML config (as split's --config)
  // Separate this source and the rest of the song (no_<source>): stems/<source>.wav is transcribed,
  // stems/no_<source>.wav (an instrumental, drums included) is kept as audio only. Empty: every
  // source of the model is a stem and is transcribed, except that a model of one source (a vocals
  // RoFormer) always gives that source and the rest, as if it were named here.
  std::string twoStems;
  bool offline = false;       // never download ($MIDISTEMS_OFFLINE does the same)
  int threads = 0;            // 0: one per core
  int previewSampleRate = 44100;
  std::string preset;         // synth preset for every melodic part; empty: chosen per GM program
  bool quiet = false;         // no progress bars
};

struct PipelineResult {
  std::string separator;                 // which separator ran
  std::vector<std::filesystem::path> stems;
  std::filesystem::path midi;
  std::filesystem::path notesJson;
  std::filesystem::path plot;
  std::filesystem::path preview;
  size_t notes = 0;
  double bpm = 0;
};

// Throws midistems::Error (one line) on bad input; a failed step leaves no half-written file.
PipelineResult runPipeline(const std::filesystem::path& song, const std::filesystem::path& outDir,
                           const PipelineOptions& options);

// What a run writes: everything above, only the stems, or only the MIDI, notes and picture (the
// stems are then made in OUT/stems and removed at the end).
enum class PipelineOutputs { All, Stems, Midi };

// The pipeline with its separator opened once and reused song after song (`midistems batch`);
// run() gives exactly what runPipeline gives for the same song and options.
class PreparedPipeline {
 public:
  // Chooses and opens the separator (downloading it on first use, as runPipeline does).
  explicit PreparedPipeline(PipelineOptions options);
  // With a separator opened elsewhere (the benchmarks' random-weight HTDemucs).
  PreparedPipeline(PipelineOptions options, separate::SplitModel model);
  // "dsp", a model name or a checkpoint path.
  const std::string& separator() const { return model_.description; }
  // The preview's preset and sample rate for the next runs.
  void setPreview(std::string preset, int sampleRate) {
    options_.preset = std::move(preset);
    options_.previewSampleRate = sampleRate;
  }
  PipelineResult run(const std::filesystem::path& song, const std::filesystem::path& outDir,
                     PipelineOutputs outputs = PipelineOutputs::All);

 private:
  PipelineOptions options_;
  separate::SplitModel model_;
  std::unique_ptr<transcribe::BasicPitchModel> basicPitch_;  // loaded by the first run
};

struct DemoResult {
  std::filesystem::path songMidi;   // the embedded demo song as MIDI
  std::filesystem::path songAudio;  // ... rendered on the synthesizer: the input of the pipeline
  PipelineResult pipeline;
};

// Renders the embedded demo song and runs the pipeline on it, all inside outDir.
DemoResult runDemo(const std::filesystem::path& outDir, const PipelineOptions& options);

}  // namespace midistems::pipeline
