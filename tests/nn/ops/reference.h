#pragma once
// Naive double-precision reference implementations (torch layouts) and small utilities for the op tests.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace midistems::nn::testing {

inline std::vector<float> randomVector(size_t n, uint32_t seed, float scale = 1.0f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(-scale, scale);
  std::vector<float> v(n);
  for (auto& x : v) x = dist(rng);
  return v;
}

template <typename A, typename B>
double maxAbsError(const A& got, const B& want) {
  double m = 0.0;
  for (size_t i = 0; i < want.size(); ++i) m = std::max(m, std::fabs(double(got[i]) - double(want[i])));
  return m;
}

inline double geluRef(double x) { return 0.5 * x * (1.0 + std::erf(x / std::sqrt(2.0))); }
inline double sigmoidRef(double x) { return 1.0 / (1.0 + std::exp(-x)); }

}  // namespace midistems::nn::testing
