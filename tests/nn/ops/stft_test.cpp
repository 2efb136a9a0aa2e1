// Demucs' spectrogram and its inverse against direct double-precision transcriptions of
// torch.stft / torch.istft with HTDemucs._spec / _ispec padding.
#include <gtest/gtest.h>

#include <complex>

#include "nn/ops/stft.h"
#include "reference.h"

namespace midistems::nn {
namespace {

using testing::randomVector;

constexpr int64_t kNfft = 256, kHop = 64;

double hann(int64_t m) { return 0.5 - 0.5 * std::cos(2.0 * M_PI * double(m) / double(kNfft)); }

int64_t reflect(int64_t i, int64_t n) {
  if (i < 0) i = -i;
  if (i >= n) i = 2 * (n - 1) - i;
  return i;
}

// _spec: reflect pad 3/2 hop (+ to a whole number of hops), torch.stft(center, reflect,
// normalized), drop Nyquist, keep frames [2, 2 + le).
std::vector<std::complex<double>> specRef(const std::vector<float>& x) {
  const int64_t n = int64_t(x.size()), le = (n + kHop - 1) / kHop, pad = kHop / 2 * 3;
  std::vector<double> padded;
  for (int64_t i = -pad; i < n + pad + le * kHop - n; ++i) padded.push_back(x[size_t(reflect(i, n))]);
  const int64_t plen = int64_t(padded.size());
  std::vector<double> centred;
  for (int64_t i = -kNfft / 2; i < plen + kNfft / 2; ++i) centred.push_back(padded[size_t(reflect(i, plen))]);
  const int64_t frames = 1 + (int64_t(centred.size()) - kNfft) / kHop;
  EXPECT_EQ(frames, le + 4);
  std::vector<std::complex<double>> out(size_t(kNfft / 2 * le));
  for (int64_t f = 2; f < 2 + le; ++f)
    for (int64_t b = 0; b < kNfft / 2; ++b) {
      std::complex<double> s = 0;
      for (int64_t m = 0; m < kNfft; ++m)
        s += centred[size_t(f * kHop + m)] * hann(m) * std::polar(1.0, -2.0 * M_PI * double(b * m) / double(kNfft));
      out[size_t(b * le + f - 2)] = s / std::sqrt(double(kNfft));
    }
  return out;
}

// _ispec: zero Nyquist bin, two zero frames each side, torch.istft(center, normalized,
// window-square envelope), keep [pad, pad + length).
std::vector<double> ispecRef(const std::vector<std::complex<double>>& z, int64_t le, int64_t length) {
  const int64_t frames = le + 4, pad = kHop / 2 * 3;
  const int64_t total = kNfft + kHop * (frames - 1);
  std::vector<double> sum(size_t(total), 0.0), env(size_t(total), 0.0);
  for (int64_t f = 0; f < frames; ++f) {
    for (int64_t m = 0; m < kNfft; ++m) {
      double v = 0.0;
      if (f >= 2 && f < 2 + le) {
        // irfft of a one-sided spectrum (imaginary parts of DC and Nyquist ignored), times sqrt(n)
        for (int64_t b = 0; b <= kNfft / 2; ++b) {
          const std::complex<double> c = b < kNfft / 2 ? z[size_t(b * le + f - 2)] : 0.0;
          const double re = c.real(), im = (b == 0) ? 0.0 : c.imag();
          const double w = (b == 0 || b == kNfft / 2) ? 1.0 : 2.0;
          const double ph = 2.0 * M_PI * double(b * m) / double(kNfft);
          v += w * (re * std::cos(ph) - im * std::sin(ph));
        }
        v = v / double(kNfft) * std::sqrt(double(kNfft));
      }
      sum[size_t(f * kHop + m)] += v * hann(m);
      env[size_t(f * kHop + m)] += hann(m) * hann(m);
    }
  }
  std::vector<double> out(static_cast<size_t>(length));
  for (int64_t i = 0; i < length; ++i) {
    const int64_t p = i + pad + kNfft / 2;
    out[size_t(i)] = sum[size_t(p)] / env[size_t(p)];
  }
  return out;
}

TEST(DemucsSpectrogram, ForwardMatchesTorchStftWithDemucsPadding) {
  const int64_t length = 1000;  // not a multiple of the hop: exercises the extra right padding
  const auto x = randomVector(size_t(length), 1);
  DemucsSpectrogram spec(kNfft);
  const int64_t le = spec.frames(length);
  std::vector<std::complex<float>> z(size_t(spec.bins() * le));
  spec.forward(x.data(), length, z.data());
  const auto want = specRef(x);
  double err = 0.0;
  for (size_t i = 0; i < want.size(); ++i) err = std::max(err, std::abs(std::complex<double>(z[i]) - want[i]));
  EXPECT_LE(err, 2e-5);
}

TEST(DemucsSpectrogram, InverseMatchesTorchIstftWithDemucsCropping) {
  const int64_t length = 1000;
  DemucsSpectrogram spec(kNfft);
  const int64_t le = spec.frames(length);
  const auto re = randomVector(size_t(spec.bins() * le), 2), im = randomVector(size_t(spec.bins() * le), 3);
  std::vector<std::complex<float>> z(re.size());
  std::vector<std::complex<double>> zd(re.size());
  for (size_t i = 0; i < z.size(); ++i) {
    z[i] = {re[i], im[i]};
    zd[i] = {re[i], im[i]};
  }
  std::vector<float> out(static_cast<size_t>(length));
  spec.inverse(z.data(), le, length, out.data());
  EXPECT_LE(testing::maxAbsError(out, ispecRef(zd, le, length)), 2e-5);
}

TEST(DemucsSpectrogram, RoundTripRecoversBandLimitedSignal) {
  // Without energy at Nyquist, dropping that bin loses nothing: inverse(forward(x)) == x away from
  // the ends (the two frames dropped at each end leave the first and last ~1.5 hops incomplete).
  const int64_t length = 3000;
  std::vector<float> x(static_cast<size_t>(length));
  for (int64_t i = 0; i < length; ++i) x[size_t(i)] = float(std::sin(0.05 * double(i)) + 0.5 * std::cos(0.31 * double(i) + 1.0));
  DemucsSpectrogram spec(kNfft);
  const int64_t le = spec.frames(length);
  std::vector<std::complex<float>> z(size_t(spec.bins() * le));
  spec.forward(x.data(), length, z.data());
  std::vector<float> back(static_cast<size_t>(length));
  spec.inverse(z.data(), le, length, back.data());
  double err = 0.0;
  for (int64_t i = kNfft; i < length - kNfft; ++i) err = std::max(err, std::fabs(double(back[size_t(i)]) - x[size_t(i)]));
  EXPECT_LE(err, 1e-5);
}

}  // namespace
}  // namespace midistems::nn
