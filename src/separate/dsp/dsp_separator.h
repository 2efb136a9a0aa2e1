#pragma once
// The DSP separator: a classic, model-free split of a stereo mix into drums, bass, other and
// vocals. It needs no download, so `midistems split` always works.
//
// Pipeline (4096-point Hann STFT, hop 1024, at 44.1 kHz):
//   1. harmonic/percussive separation by median filtering (Fitzgerald, DAFx 2010): a 17-frame
//      median across time enhances sustained partials, a median across frequency (17 bins; 5
//      below the bass crossover, to tell the kick from bass partials) enhances broadband hits;
//      their ratio gives soft shares;
//   2. stem power estimates: percussive -> drums; harmonic and centred below a steep 200 Hz
//      crossover -> bass; the rest of the harmonic part goes to vocals by equal votes of a
//      stereo-centre cue and a harmonic comb on the frame's predominant pitch (the lead line),
//      and to other for the remainder (panned accompaniment, chords); estimates are softened
//      (power 0.7) because the cues are coarse;
//   3. a multichannel Wiener filter with per-source spatial covariance matrices averaged over
//      +-3 s (one iteration of Norbert's `expectation_maximization`), so every time-frequency
//      point of the mix is shared out between the four stems.
// "other" is taken as the mix minus the three other stems, so the four stems sum to the mix up to
// float rounding.
//
// The song is processed in blocks of STFT frames with enough context frames on both sides for
// every filter; the result does not depend on the thread count, on the block size only through
// float rounding (below 1e-5), and memory grows with the block, not with the song. Stems leave
// through the StemSink block by block.
#include <memory>
#include <string>
#include <vector>

#include "separate/separator.h"

namespace midistems::separate::dsp {

struct DspSeparatorOptions {
  int threads = 0;          // <= 0: one per hardware thread
  int blockFrames = 512;    // STFT frames per processing block (about 12 s of audio)
};

class DspSeparator final : public Separator {
 public:
  explicit DspSeparator(DspSeparatorOptions options = {});
  ~DspSeparator() override;

  std::vector<std::string> sources() const override;
  int sampleRate() const override { return kSampleRate; }
  int channels() const override { return 2; }
  void separate(const AudioBuffer& mix, StemSink& sink, const ProgressCallback& progress) override;

  static constexpr int kSampleRate = 44100;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

std::unique_ptr<Separator> openDspSeparator(DspSeparatorOptions options = {});

}  // namespace midistems::separate::dsp
