#include "separate/dsp/dsp_separator.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "core/error.h"
#include "core/fft.h"
#include "core/thread_pool.h"
#include "separate/dsp/spatial_wiener.h"
#include "separate/dsp/stem_model.h"

namespace midistems::separate::dsp {

namespace {

using Complex = std::complex<float>;

// 4096-point frames (93 ms) with 75 % overlap: the resolution of Fitzgerald's median-filter
// separation, fine enough (10.8 Hz bins) to resolve bass partials.
constexpr int kFrameSize = 4096;
constexpr int kHop = 1024;

std::vector<float> periodicHann(int size) {
  std::vector<float> w(static_cast<size_t>(size));
  for (int i = 0; i < size; ++i)
    w[size_t(i)] = float(0.5 - 0.5 * std::cos(2.0 * std::numbers::pi * i / size));
  return w;
}

}  // namespace

struct DspSeparator::Impl {
  DspSeparatorOptions options;
  ThreadPool pool;
  RealFft fft{kFrameSize};
  std::vector<float> window = periodicHann(kFrameSize);

  explicit Impl(DspSeparatorOptions o) : options(o), pool(o.threads) {}

  // STFT of frames [first, first + count) of the whole mix; frame t is centred on sample t * hop.
  void analyse(const AudioBuffer& mix, int first, int count, SpectralBlock& block) {
    const int bins = kFrameSize / 2 + 1;
    block.left.assign(size_t(count) * bins, Complex());
    block.right.assign(size_t(count) * bins, Complex());
    const int64_t length = mix.numFrames();
    pool.parallelFor(0, count, [&](int64_t i0, int64_t i1) {
      std::vector<float> frame(kFrameSize);
      for (int64_t i = i0; i < i1; ++i) {
        const int64_t start = (first + i) * kHop - kFrameSize / 2;
        for (int c = 0; c < 2; ++c) {
          const float* x = mix.channels[size_t(c)].data();
          for (int n = 0; n < kFrameSize; ++n) {
            const int64_t s = start + n;
            frame[size_t(n)] = (s >= 0 && s < length) ? x[s] * window[size_t(n)] : 0.0f;
          }
          auto& dst = c == 0 ? block.left : block.right;
          fft.forward(frame.data(), dst.data() + size_t(i) * bins);
        }
      }
    });
  }
};

DspSeparator::DspSeparator(DspSeparatorOptions options)
    : impl_(std::make_unique<Impl>(options)) {
  if (options.blockFrames < 1) throw Error("DSP separator: block size must be at least one frame");
}

DspSeparator::~DspSeparator() = default;

std::vector<std::string> DspSeparator::sources() const {
  return {"drums", "bass", "other", "vocals"};
}

void DspSeparator::separate(const AudioBuffer& mix, StemSink& sink, const ProgressCallback& progress) {
  if (mix.numChannels() != 2) throw Error("DSP separator: the mix must be stereo");
  if (mix.sampleRate != kSampleRate) throw Error("DSP separator: the mix must be 44100 Hz");
  const int64_t length = mix.numFrames();
  if (length == 0) return;

  const int bins = kFrameSize / 2 + 1;
  const int totalFrames = int((length + kFrameSize / 2 + kHop - 1) / kHop);
  const int wienerContext = wienerContextFrames();
  const int context = stemModelContextFrames() + wienerContext;
  const int blockFrames = impl_->options.blockFrames;
  const auto& window = impl_->window;

  // Overlap-add accumulators for drums, bass and vocals (other is the remainder), starting at
  // sample `base`; `weight` accumulates the squared window for the normalisation.
  constexpr int kSynthesised[] = {kDrums, kBass, kVocals};
  int64_t base = 0;
  std::array<std::array<std::vector<float>, 2>, kNumStems> accumulator;
  std::vector<float> weight;

  SpectralBlock block;
  block.bins = bins;
  block.binHz = double(kSampleRate) / kFrameSize;
  std::vector<float> frame(kFrameSize);
  for (int b0 = 0; b0 < totalFrames; b0 += blockFrames) {
    const int b1 = std::min(totalFrames, b0 + blockFrames);
    const int c0 = std::max(0, b0 - context), c1 = std::min(totalFrames, b1 + context);
    impl_->analyse(mix, c0, c1 - c0, block);
    block.numFrames = c1 - c0;

    // Power estimates for the core frames plus the Wiener filter's context.
    const int p0 = std::max(0, b0 - wienerContext) - c0, p1 = std::min(totalFrames, b1 + wienerContext) - c0;
    block.coreBegin = p0;
    block.coreEnd = p1;
    const StemPowers powers = estimateStemPowers(block, impl_->pool);
    block.coreBegin = b0 - c0;
    block.coreEnd = b1 - c0;
    const StemSpectra stems = wienerFilter(block, powers, p0, p1, impl_->pool);

    // Inverse STFT with the same window, overlap-added into the accumulators.
    const int64_t blockEnd = int64_t(b1 - 1) * kHop + kFrameSize / 2;
    const size_t needed = size_t(blockEnd - base);
    weight.resize(std::max(weight.size(), needed), 0.0f);
    for (int j : kSynthesised)
      for (auto& ch : accumulator[size_t(j)]) ch.resize(std::max(ch.size(), needed), 0.0f);
    const int core = b1 - b0;
    // Frames are overlap-added one at a time (in order, so the sums do not depend on threads);
    // the inverse FFTs of a frame's stems run in parallel.
    std::vector<std::vector<float>> frames(6, std::vector<float>(kFrameSize));
    for (int i = 0; i < core; ++i) {
      const int64_t start = int64_t(b0 + i) * kHop - kFrameSize / 2;
      impl_->pool.parallelFor(0, 6, [&](int64_t k0, int64_t k1) {
        for (int64_t k = k0; k < k1; ++k) {
          const int j = kSynthesised[k / 2];
          impl_->fft.inverse(stems[size_t(j)][size_t(k % 2)].data() + size_t(i) * bins, frames[size_t(k)].data());
        }
      });
      for (int n = 0; n < kFrameSize; ++n) {
        const int64_t s = start + n;
        if (s < base || s >= length) continue;
        const size_t a = size_t(s - base);
        weight[a] += window[size_t(n)] * window[size_t(n)];
        for (int k = 0; k < 6; ++k)
          accumulator[size_t(kSynthesised[k / 2])][size_t(k % 2)][a] +=
              window[size_t(n)] * frames[size_t(k)][size_t(n)] * (1.0f / kFrameSize);
      }
    }

    // Samples before the next block's first frame are complete.
    const int64_t complete = b1 == totalFrames ? length : std::min<int64_t>(length, int64_t(b1) * kHop - kFrameSize / 2);
    if (complete > base) {
      const int64_t count = complete - base;
      std::vector<AudioBuffer> out(kNumStems, AudioBuffer(2, count, kSampleRate));
      for (int c = 0; c < 2; ++c) {
        const float* x = mix.channels[size_t(c)].data() + base;
        for (int64_t n = 0; n < count; ++n) {
          const float norm = 1.0f / weight[size_t(n)];
          float rest = x[n];
          for (int j : kSynthesised) {
            const float y = accumulator[size_t(j)][size_t(c)][size_t(n)] * norm;
            out[size_t(j)].channels[size_t(c)][size_t(n)] = y;
            rest -= y;
          }
          out[kOther].channels[size_t(c)][size_t(n)] = rest;
        }
      }
      sink.write(out, base, count);
      const auto drop = [count](std::vector<float>& v) { v.erase(v.begin(), v.begin() + std::min<int64_t>(count, int64_t(v.size()))); };
      drop(weight);
      for (int j : kSynthesised)
        for (auto& ch : accumulator[size_t(j)]) drop(ch);
      base = complete;
    }
    if (progress) progress(double(b1) / totalFrames);
  }
}

std::unique_ptr<Separator> openDspSeparator(DspSeparatorOptions options) {
  return std::make_unique<DspSeparator>(options);
}

}  // namespace midistems::separate::dsp
