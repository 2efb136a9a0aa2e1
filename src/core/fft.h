#pragma once
// Real-input FFT of a fixed size through FFTW (single precision). Unnormalised in both
// directions: inverse(forward(x)) == n * x.
#include <complex>
#include <memory>

namespace midistems {

class RealFft {
 public:
  explicit RealFft(int size);
  ~RealFft();
  RealFft(const RealFft&) = delete;
  RealFft& operator=(const RealFft&) = delete;

  int size() const { return n_; }
  int bins() const { return n_ / 2 + 1; }
  // in: size() reals; out: bins() complex values. Thread-safe on distinct buffers.
  void forward(const float* in, std::complex<float>* out) const;
  // in: bins() complex values (not modified); out: size() reals.
  void inverse(const std::complex<float>* in, float* out) const;

 private:
  struct Impl;
  int n_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace midistems
