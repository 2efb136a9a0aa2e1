#pragma once
// Native basic-pitch (Spotify's "lightweight instrument-agnostic" note transcription network,
// npm @spotify/basic-pitch 1.0.1): audio in, note / onset / contour posteriorgrams out, with the
// same windowing, CQT front end and stitching as the Python package, so that note creation on top
// gives the same notes. The weights are read straight from the package's TF.js graph model
// (model/model.json + group1-shard1of1.bin); nothing is converted or downloaded.
//
// Library midistems_basic_pitch: depends on core (resampling, thread pool) and nlohmann-json.
#include <cmath>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <vector>

#include "core/audio_buffer.h"

namespace midistems::transcribe {

// Frame-major posteriorgrams at 22,050 / 256 frames per second (frame times: see frameTime()).
struct Posteriorgrams {
  int64_t frames = 0;
  std::vector<float> notes;     // frames x 88, row-major; MIDI pitch 21 + column
  std::vector<float> onsets;    // frames x 88
  std::vector<float> contours;  // frames x 264; 3 bins per semitone from MIDI 21
};

// Constants of the released model (basic_pitch/constants.py).
inline constexpr int kBasicPitchSampleRate = 22050;
inline constexpr int kBasicPitchHop = 256;
inline constexpr int kBasicPitchWindowSamples = 43844;   // 2 s * 22050 - 256
inline constexpr int kBasicPitchFramesPerWindow = 172;
inline constexpr int kBasicPitchOverlapFrames = 30;
inline constexpr int kBasicPitchWindowHop = 36164;       // 43844 - 30 * 256
inline constexpr int kBasicPitchLeadingZeros = 3840;     // 15 frames of 256 samples
inline constexpr int kBasicPitchNotes = 88;
inline constexpr int kBasicPitchContourBins = 264;

// Number of stitched frames for a clip of n samples at 22,050 Hz, as the Python package counts
// them: int(n / 36164 * 142).
int64_t basicPitchFrameCount(int64_t numSamples);
// Start time in seconds of stitched frame f, as the Python package reports it
// (model_frames_to_time): librosa's frames_to_time, f * 256 / 22050, minus, per 172-frame window,
// the difference between 172 frames and the 43,844-sample window plus MAGIC_ALIGNMENT_OFFSET
// (0.0018 s): 0.010326... s for every 172 frames. Header-only, so that note creation needs no
// more of this library than its constants.
inline double basicPitchFrameTime(int64_t frame) {
  const double hopSeconds = double(kBasicPitchHop) / double(kBasicPitchSampleRate);
  const double windowOffset =
      hopSeconds * (kBasicPitchFramesPerWindow - double(kBasicPitchWindowSamples) / kBasicPitchHop) + 0.0018;
  const double original = double(frame * kBasicPitchHop) / double(kBasicPitchSampleRate);
  const double windowNumber = std::floor(double(frame) / kBasicPitchFramesPerWindow);
  return original - windowOffset * windowNumber;
}

// Immutable once loaded: run() and the other const members may be called from several threads
// at once (each thread keeps its own scratch buffers).
class BasicPitchModel {
 public:
  // Reads model.json and its weight shard from modelDir. Throws midistems::Error with a one-line
  // message on a missing, truncated or malformed model.
  static BasicPitchModel load(const std::filesystem::path& modelDir);
  // The model folder used when none is given: the first of
  //   1. basic-pitch/ in the data folder next to the executable (bundledDataDir(): an installed
  //      copy, or the build tree's copy of the npm package that scripts/setup.sh installs);
  //   2. $MIDISTEMS_BASIC_PITCH_MODEL when set; it must then hold model.json, or this throws;
  //   3. basic-pitch/ in the user's data folder (userDataDir(): $XDG_DATA_HOME/midistems, else
  //      ~/.local/share/midistems).
  // A folder counts when it holds model.json. Throws midistems::Error with a one-line message
  // listing the places searched when none does.
  static std::filesystem::path defaultModelDir();
  // The same search with its inputs given: the two data folders (empty: unknown, skipped) and
  // the variable's value (null or empty: not set).
  static std::filesystem::path findModelDir(const std::filesystem::path& bundledData, const char* envValue,
                                            const std::filesystem::path& userData);

  BasicPitchModel(BasicPitchModel&&) noexcept;
  BasicPitchModel& operator=(BasicPitchModel&&) noexcept;
  ~BasicPitchModel();

  // Any sample rate and channel count: mono = mean of channels, resampled to 22,050 Hz with
  // libsoxr HQ. Throws midistems::Error on non-finite samples or a non-positive rate. An empty
  // buffer gives zero frames. progress (optional) gets fractions in [0, 1].
  Posteriorgrams run(const AudioBuffer& audio,
                     const std::function<void(double)>& progress = {}) const;
  // Mono samples already at 22,050 Hz.
  Posteriorgrams runMono22050(const std::vector<float>& samples,
                              const std::function<void(double)>& progress = {}) const;

  // One raw network call on one window of exactly 43,844 samples: 172 frames of each output
  // (no stitching). For parity tests and for callers that window themselves.
  Posteriorgrams runWindow(const float* window) const;

  // Front-end intermediates of one window, for parity tests: CQT magnitude (172 x 309),
  // log-normalised CQT (172 x 309), after batch-norm (172 x 309), harmonic stack (172 x 264 x 8).
  struct FrontEnd {
    std::vector<float> cqt, logCqt, batchNorm, harmonicStack;
  };
  FrontEnd runFrontEnd(const float* window) const;

  // Windows run in parallel on this many threads (default 1); results do not depend on it.
  void setThreads(int threads);

 private:
  struct Impl;
  explicit BasicPitchModel(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace midistems::transcribe
