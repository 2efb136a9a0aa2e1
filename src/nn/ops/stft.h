#pragma once
// Demucs' spectrogram front end and its inverse (demucs/spec.py with HTDemucs._spec/_ispec):
//  - torch.stft(n_fft, hop = n_fft / 4, periodic Hann window, normalized=True, i.e. scaled by
//    1/sqrt(n_fft), centre reflect padding), preceded by a reflect pad of 3/2 hop on the left and
//    3/2 hop + (frames * hop - length) on the right, with frames = ceil(length / hop);
//  - the Nyquist bin and the first and last two frames are dropped, leaving (n_fft / 2 bins,
//    frames) for one channel;
//  - the inverse adds them back as zeros and runs torch.istft (window-square normalised
//    overlap-add) before cutting the same padding away.
// Only those frames and samples are computed: the kept frames never reach torch's own centre
// padding, so it needs no code.
#include <complex>
#include <cstdint>
#include <memory>

namespace midistems::nn {

class DemucsSpectrogram {
 public:
  explicit DemucsSpectrogram(int64_t nfft);
  ~DemucsSpectrogram();
  DemucsSpectrogram(const DemucsSpectrogram&) = delete;
  DemucsSpectrogram& operator=(const DemucsSpectrogram&) = delete;

  int64_t nfft() const { return nfft_; }
  int64_t hop() const { return nfft_ / 4; }
  int64_t bins() const { return nfft_ / 2; }
  int64_t frames(int64_t length) const { return (length + hop() - 1) / hop(); }

  // x: `length` samples of one channel (length must exceed 3/2 hop for the reflection).
  // out: bins() x frames(length) complex values, bin-major.
  void forward(const float* x, int64_t length, std::complex<float>* out) const;
  // z: bins() x frames complex values, bin-major; out: `length` samples, with
  // frames == frames(length).
  void inverse(const std::complex<float>* z, int64_t frames, int64_t length, float* out) const;

 private:
  struct Impl;
  int64_t nfft_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace midistems::nn
