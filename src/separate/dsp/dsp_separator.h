#pragma once
// The DSP separator: a classic, model-free split of a stereo mix into drums, bass, other and
// vocals. It needs no download, so `midistems split` always works.
//
// Pipeline (per STFT frame, 4096-point Hann window, hop 1024 at 44.1 kHz):
//   1. harmonic/percussive separation by median filtering (Fitzgerald, DAFx 2010): a median
//      across time enhances sustained partials, a median across frequency enhances broadband
//      hits; their ratio gives soft masks;
//   2. stem power estimates: percussive -> drums; harmonic below a ~150-300 Hz crossover -> bass
//      (the kick keeps its low band through the percussive mask); harmonic above it is divided
//      into vocals (the lead: centred in the stereo image) and other (panned or wide
//      accompaniment) by a stereo-centre cue;
//   3. a multichannel Wiener filter with per-source spatial covariance matrices, refined by a
//      few EM iterations (as Norbert's `expectation_maximization`), so every time-frequency
//      point of the mix is shared out between the four stems.
// "other" is taken as the mix minus the three other stems, so the four stems sum to the mix up to
// float rounding.
//
// The song is processed in blocks of STFT frames with enough context frames on both sides for
// every filter; the result does not depend on the block size or the thread count, and memory
// grows with the block, not with the song. Stems leave through the StemSink block by block.
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
