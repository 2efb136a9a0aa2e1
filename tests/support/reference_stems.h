#pragma once
// Compares stem files written by `split` with a Demucs reference (stems.npy: sources x 2 x n).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <string>

#include "core/audio_file.h"
#include "core/npy.h"

namespace midistems::testing {

// Each of small4's four stems in `outDir` matches `reference` within 1e-4 at every sample.
inline void expectStemsMatchReference(const std::filesystem::path& outDir, const NpyArray& reference, int64_t n) {
  const char* names[] = {"drums", "bass", "other", "vocals"};
  for (int s = 0; s < 4; ++s) {
    const AudioBuffer stem = readAudio(outDir / (std::string(names[s]) + ".wav"));
    ASSERT_EQ(stem.numFrames(), n);
    double worst = 0;
    for (int c = 0; c < 2; ++c)
      for (int64_t i = 0; i < n; ++i)
        worst = std::max(worst, double(std::fabs(stem.channels[size_t(c)][size_t(i)] -
                                                 reference.data[size_t((s * 2 + c) * n + i)])));
    EXPECT_LT(worst, 1e-4) << names[s];
  }
}

}  // namespace midistems::testing
