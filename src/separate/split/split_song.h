#pragma once
// Splitting a song file into stem files, the work behind `midistems split SONG -o OUT/` and the
// pipeline: separates a song into stems (drums, bass, other, vocals, ...) and
// writes OUT/<source>.<ext> for each. Every stem is written to a temporary file and all of them are
// renamed into place only when the whole song succeeded, so a failed run leaves no stem behind.
//
// Model: --model dsp (built in), a registry name (htdemucs, htdemucs_ft, htdemucs_6s, the RoFormer
// releases of `midistems models list`), or a checkpoint file; by default the best installed
// HTDemucs release. On first use, when none is
// installed, the default release (htdemucs) is downloaded into modelsDir() with a progress bar;
// when that cannot be done (offline, refused, truncated, wrong checksum, disk full) the DSP
// separator is used and one line on stderr says why. Offline (options.offline or
// $MIDISTEMS_OFFLINE) nothing is downloaded. A registry model named with --model is downloaded
// too when missing, but a failure is then an error: the user asked for that model, not for dsp.
// --model dsp and checkpoint files never download. A checkpoint file's architecture comes from its
// contents (separate/architectures); a RoFormer checkpoint takes its YAML config from `config`,
// else from the .yaml of the same name beside it; a registry RoFormer has its config installed
// with it (`config` is then an error). --two-stems X with a model that separates X
// alone writes X and no_X = the mix less X.
// Input: anything core/audio_file.h reads. Mono is duplicated to stereo; more than two channels is
// refused (a downmix would hide a wrong input). The mix is resampled to the separator's rate and
// the stems back to the input's rate, so they line up sample for sample with the mix.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "separate/models/model_registry.h"
#include "separate/separator.h"

namespace midistems::separate {

struct SplitSongOptions {
  std::string input;   // the song
  std::string outDir;  // gets <stem>.<ext> per output
  std::string model;   // dsp, a registry name, or a model file; empty: best installed, else dsp
  std::string config;  // a RoFormer checkpoint's YAML config; empty: <checkpoint stem>.yaml beside it
  std::string stems;   // comma-separated sources to write; empty: all
  std::string twoStems;  // write only this source and no_<source>
  double overlap = 0.25;
  int shifts = 0;
  int threads = 0;     // 0: one per core
  std::string format = "wav";
  std::string bits = "24";
  bool quiet = false;  // no progress bar
  bool offline = false;  // never download ($MIDISTEMS_OFFLINE does the same)
  // What a split without `model` downloads when no model is installed; nullptr: the registry's
  // htdemucs.
  const ModelEntry* firstUseModel = nullptr;
};

struct SplitSongResult {
  std::string model;                         // "dsp", a model name or a checkpoint path
  std::vector<std::string> sources;          // the separator's sources
  std::vector<std::string> stems;            // the outputs written, in order
  std::vector<std::filesystem::path> files;  // one per output
  int sampleRate = 0;
  double durationSeconds = 0;
  double seconds = 0;  // wall time
};

// The separator chosen (and, on first use, downloaded) for `options`, opened once so that many
// songs can be split with it (`midistems batch`); a Separator keeps no state between songs.
struct SplitModel {
  std::unique_ptr<Separator> separator;
  std::string description;  // "dsp", a model name or a checkpoint path
};

// Chooses and opens the separator (model, offline, threads, overlap and shifts of `options`) and
// says on stderr which one it is. Throws midistems::Error (one line).
SplitModel openSplitModel(const SplitSongOptions& options);

// Throws midistems::Error (one line) for bad options or input; on failure no stem file remains.
SplitSongResult splitSong(const SplitSongOptions& options);
// The same with a separator opened by openSplitModel (whose model options then apply, not those
// of `options`).
SplitSongResult splitSong(const SplitSongOptions& options, SplitModel& model);

}  // namespace midistems::separate
