// The folded first contour convolution (harmonic_conv.h) against the plain convolution of the
// explicitly built, zero-filled harmonic stack, on random data with shifts that read past both
// ends of the CQT.
#include <gtest/gtest.h>

#include "support/random_values.h"

#include <algorithm>
#include <cmath>
#include <random>
#include <vector>

#include "core/error.h"
#include "transcribe/basic_pitch/harmonic_conv.h"

namespace midistems::testing {
namespace {

using transcribe::FoldedStackConv;
namespace kernels = transcribe::kernels;

// Max abs difference between the folded convolution and conv2dSame on the stack.
double foldedVsStacked(int outChannels, bool relu) {
  const int time = 13, cqtBins = 50, stacked = 41;
  const std::vector<int> shifts{-12, 0, 7, 12, 19};
  const kernels::Conv2dShape shape{3, 9, int(shifts.size()), outChannels, 1};
  const auto cqt = randomValues(size_t(time) * cqtBins, 1);
  const auto weights = randomValues(size_t(shape.kernelTime) * shape.kernelFreq * shape.inChannels * outChannels, 2);
  const auto bias = randomValues(size_t(outChannels), 3);

  std::vector<float> stack(size_t(time) * stacked * shifts.size(), 0.0f);
  for (int t = 0; t < time; ++t)
    for (int b = 0; b < stacked; ++b)
      for (size_t c = 0; c < shifts.size(); ++c) {
        const int src = b + shifts[c];
        if (src >= 0 && src < cqtBins) stack[(size_t(t) * stacked + b) * shifts.size() + c] = cqt[size_t(t) * cqtBins + src];
      }
  std::vector<float> expected, actual, planes;
  kernels::conv2dSame(stack.data(), time, stacked, shape, weights.data(), bias.data(), relu, expected);
  FoldedStackConv::make(shape, weights, bias, relu, shifts, cqtBins, stacked).run(cqt.data(), time, planes, actual);
  EXPECT_EQ(actual.size(), expected.size());
  double err = 0;
  for (size_t i = 0; i < std::min(actual.size(), expected.size()); ++i)
    err = std::max(err, double(std::fabs(actual[i] - expected[i])));
  return err;
}

TEST(FoldedStackConv, MatchesTheConvolutionOfTheStack) {
  // Sums of ~135 products of values in [-1, 1]: float rounding stays far below 1e-4.
  const double err8 = foldedVsStacked(8, false), err8Relu = foldedVsStacked(8, true), err3 = foldedVsStacked(3, false);
  std::printf("folded vs stacked max abs error: 8 outputs %.3g (ReLU %.3g), 3 outputs %.3g\n", err8, err8Relu, err3);
  EXPECT_LE(err8, 1e-4);
  EXPECT_LE(err8Relu, 1e-4);
  EXPECT_LE(err3, 1e-4);
}

TEST(FoldedStackConv, RejectsMismatchedWeights) {
  const kernels::Conv2dShape shape{3, 9, 4, 8, 1};
  const std::vector<float> weights(3 * 9 * 4 * 8, 0.0f), bias(8, 0.0f);
  EXPECT_THROW(FoldedStackConv::make(shape, weights, bias, true, {0, 1, 2}, 50, 41), Error);
  EXPECT_NO_THROW(FoldedStackConv::make(shape, weights, bias, true, {0, 1, 2, 3}, 50, 41));
}

}  // namespace
}  // namespace midistems::testing
