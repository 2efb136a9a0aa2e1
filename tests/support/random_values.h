#pragma once
// Reproducible test data: n values uniform in [lo, hi) (default [-1, 1)) from a seeded generator.
#include <cstdint>
#include <random>
#include <vector>

namespace midistems::testing {

inline std::vector<float> randomValues(size_t n, uint32_t seed, float lo = -1.0f, float hi = 1.0f) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  std::vector<float> v(n);
  for (auto& x : v) x = dist(rng);
  return v;
}

}  // namespace midistems::testing
