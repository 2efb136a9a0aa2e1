#include "core/fft.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>
#include <vector>

namespace midistems {
namespace {

TEST(RealFft, CosineLandsInItsBin) {
  RealFft fft(1024);
  std::vector<float> x(1024);
  for (int i = 0; i < 1024; ++i) x[size_t(i)] = float(std::cos(2 * std::numbers::pi * 37 * i / 1024.0));
  std::vector<std::complex<float>> X(size_t(fft.bins()));
  fft.forward(x.data(), X.data());
  EXPECT_NEAR(X[37].real(), 512.0f, 1e-3f);
  for (int k = 0; k < fft.bins(); ++k)
    if (k != 37) { EXPECT_LT(std::abs(X[size_t(k)]), 1e-3f) << k; }
}

TEST(RealFft, InverseOfForwardIsScaledIdentity) {
  for (int n : {256, 4096, 1000}) {
    RealFft fft(n);
    std::mt19937 rng(1);
    std::normal_distribution<float> d;
    std::vector<float> x(static_cast<size_t>(n)), y(static_cast<size_t>(n));
    for (auto& v : x) v = d(rng);
    std::vector<std::complex<float>> X(size_t(fft.bins()));
    fft.forward(x.data(), X.data());
    fft.inverse(X.data(), y.data());
    double err = 0;
    for (int i = 0; i < n; ++i) err = std::max(err, double(std::fabs(y[size_t(i)] / n - x[size_t(i)])));
    EXPECT_LT(err, 1e-5) << n;
  }
}

}  // namespace
}  // namespace midistems
