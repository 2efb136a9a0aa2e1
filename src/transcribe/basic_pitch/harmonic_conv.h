#pragma once
// The first contour convolution of basic-pitch, computed from the batch-normed CQT instead of the
// harmonic stack it reads in the graph.
//
// Every channel of the harmonic stack is the same CQT row shifted by a whole number of bins
// (shifts [-36, 0, 36, 57, 72, 84, 93, 101]), so a kernel that is 39 bins wide on 8 stacked
// channels touches CQT bins shift - 19 ... shift + 19 for each shift. These ranges overlap, and
// folding the 8 x 39 taps of each kernel row onto the CQT bins they read leaves 176 taps on one
// channel: 44 % fewer multiply-adds in the network's largest layer. The fold is exact except where
// a stacked column lies in the convolution's zero padding (within 19 bins of either edge) while
// its shifted CQT bin exists; those few taps are subtracted again afterwards.
//
// The result differs from the graph's tap-by-tap order only by float rounding (~1e-7 relative).
#include <vector>

#include "transcribe/basic_pitch/conv_kernels.h"

namespace midistems::transcribe {

struct FoldedStackConv {
  kernels::Conv2dShape original;   // [kernelTime][kernelFreq][channels][outChannels]
  std::vector<float> weights;      // the original TF-layout weights
  std::vector<float> bias;
  bool relu = false;
  std::vector<int> shifts;         // bin shift of each stacked channel
  int firstOffset = 0;             // CQT bin offset (from the output column) of folded tap 0
  int foldedTaps = 0;              // folded kernel width
  std::vector<float> folded;       // [kernelTime][foldedTaps][outChannels]
  int cqtBins = 0, stackedBins = 0;
  // Taps folded in although their stacked column is padding, grouped by output column.
  struct PaddingTap {
    int column;        // output column
    int bin;           // CQT bin read
    int64_t weight;    // offset of its outChannels weights in kernel row 0
  };
  std::vector<PaddingTap> paddingTaps;

  // Folds `weights` (TF layout, one input channel per entry of `shifts`, stride 1) for a CQT of
  // `cqtBins` bins stacked into `stackedBins` bins.
  static FoldedStackConv make(const kernels::Conv2dShape& shape, const std::vector<float>& weights,
                              const std::vector<float>& bias, bool relu, const std::vector<int>& shifts, int cqtBins,
                              int stackedBins);

  // cqt: [time][cqtBins] batch-normed CQT. Output: [time][stackedBins][outChannels], as the
  // convolution of the zero-filled harmonic stack; only output rows `rows` are computed. `planes`
  // is scratch.
  void run(const float* cqt, int time, std::vector<float>& planes, std::vector<float>& output,
           kernels::RowRange rows = {}) const;
};

}  // namespace midistems::transcribe
