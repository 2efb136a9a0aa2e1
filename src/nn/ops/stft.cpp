#include "nn/ops/stft.h"

#include <cmath>
#include <stdexcept>
#include <vector>

#include "core/fft.h"
#include "nn/ops/parallel.h"

namespace midistems::nn {

struct DemucsSpectrogram::Impl {
  explicit Impl(int64_t n) : fft(int(n)), window(size_t(n)) {
    // torch.hann_window(n, periodic=True)
    for (int64_t i = 0; i < n; ++i) window[size_t(i)] = float(0.5 - 0.5 * std::cos(2.0 * M_PI * double(i) / double(n)));
  }
  RealFft fft;
  std::vector<float> window;
};

DemucsSpectrogram::DemucsSpectrogram(int64_t nfft) : nfft_(nfft), impl_(std::make_unique<Impl>(nfft)) {
  if (nfft % 4 != 0 || nfft < 8) throw std::invalid_argument("DemucsSpectrogram: n_fft must be a multiple of 4");
}
DemucsSpectrogram::~DemucsSpectrogram() = default;

void DemucsSpectrogram::forward(const float* x, int64_t length, std::complex<float>* out) const {
  const int64_t hl = hop(), n = nfft_, pad = hl / 2 * 3, le = frames(length), nb = bins();
  if (pad >= length || pad + le * hl - length >= length)
    throw std::invalid_argument("DemucsSpectrogram: signal too short for reflect padding");
  const float scale = float(1.0 / std::sqrt(double(n)));  // normalized=True
  // Kept frame i covers padded samples [i * hop, i * hop + n_fft); padded sample p is x[p - pad]
  // reflected at both ends (torch 'reflect': the edge sample is not repeated).
  parallelFor(le, [&](int64_t i) {
    thread_local std::vector<float> frame;
    thread_local std::vector<std::complex<float>> spectrum;
    frame.resize(size_t(n));
    spectrum.resize(size_t(n / 2 + 1));
    for (int64_t m = 0; m < n; ++m) {
      int64_t s = i * hl + m - pad;
      if (s < 0) s = -s;
      if (s >= length) s = 2 * (length - 1) - s;
      frame[size_t(m)] = x[s] * impl_->window[size_t(m)];
    }
    impl_->fft.forward(frame.data(), spectrum.data());
    for (int64_t b = 0; b < nb; ++b) out[b * le + i] = spectrum[size_t(b)] * scale;
  });
}

void DemucsSpectrogram::inverse(const std::complex<float>* z, int64_t frames, int64_t length, float* out) const {
  const int64_t hl = hop(), n = nfft_, pad = hl / 2 * 3, nb = bins();
  if (frames != this->frames(length)) throw std::invalid_argument("DemucsSpectrogram::inverse: frame count mismatch");
  // torch.istft with normalized=True multiplies by sqrt(n_fft); its irfft divides by n_fft.
  const float scale = float(std::sqrt(double(n)) / double(n));
  // Full istft frame j = i + 2 (two zero frames on each side) starts at j * hop; the centre cut
  // (n_fft / 2) and _ispec's cut (pad) put kept frame i at output sample i * hop - pad.
  std::vector<float> frameSignals(size_t(frames * n));
  parallelFor(frames, [&](int64_t i) {
    thread_local std::vector<std::complex<float>> spectrum;
    spectrum.assign(size_t(n / 2 + 1), std::complex<float>(0.0f, 0.0f));
    for (int64_t b = 0; b < nb; ++b) spectrum[size_t(b)] = z[b * frames + i];
    spectrum[0].imag(0.0f);  // irfft ignores the imaginary part of the DC bin
    float* dst = frameSignals.data() + i * n;
    impl_->fft.inverse(spectrum.data(), dst);
    for (int64_t m = 0; m < n; ++m) dst[m] *= scale * impl_->window[size_t(m)];
  });
  // Window-square envelope over all frames (the four zero frames included), as torch.istft.
  const int64_t totalFrames = frames + 4;
  parallelFor((length + hl - 1) / hl, [&](int64_t blk) {
    const int64_t o0 = blk * hl, o1 = std::min(length, o0 + hl);
    for (int64_t o = o0; o < o1; ++o) {
      const int64_t p = o + n / 2 + pad;  // position in the full istft signal
      double envelope = 0.0;
      float value = 0.0f;
      const int64_t jLo = std::max<int64_t>(0, (p - n) / hl), jHi = std::min<int64_t>(totalFrames - 1, p / hl);
      for (int64_t j = jLo; j <= jHi; ++j) {
        const int64_t m = p - j * hl;
        if (m < 0 || m >= n) continue;
        const float w = impl_->window[size_t(m)];
        envelope += double(w) * w;
        const int64_t i = j - 2;
        if (i >= 0 && i < frames) value += frameSignals[size_t(i * n + m)];
      }
      out[o] = float(value / envelope);
    }
  });
}

}  // namespace midistems::nn
