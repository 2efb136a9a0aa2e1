#pragma once
// The basic-pitch network as read from the TF.js graph: the CQT front end's constants (kernel
// banks, low-pass filter, pads, hops, per-bin scales), the log normalisation and folded
// batch-norm constants, the harmonic-stacking shifts and the six convolutions of the three heads.
// Everything is located by walking the graph from its input and by node names, and checked
// against the shapes the runner relies on.
#include <vector>

#include "transcribe/basic_pitch/conv_kernels.h"
#include "transcribe/basic_pitch/tfjs_graph.h"

namespace midistems::transcribe {

// One octave of nnAudio's CQT2010v2 as the graph computes it: reflect-pad the octave's signal,
// convolve with the complex kernel bank at `hop`, then (except for the last octave) zero-pad,
// low-pass and decimate to make the next octave's signal.
struct CqtOctave {
  int reflectPad = 0;
  int hop = 0;
  int bankWidth = 0;        // 2 * bins rounded up to a multiple of 16 (whole vectors)
  std::vector<float> bank;  // [taps][bankWidth]: real parts, imaginary parts, zeros
  int binOffset = 0;        // position of this octave's first bin among all computed bins
  bool hasLowpass = false;
  int lowpassPadBefore = 0, lowpassPadAfter = 0, lowpassStride = 0;
  std::vector<float> lowpass;  // [lowpassTaps]
};

struct ConvLayer {
  kernels::Conv2dShape shape;
  std::vector<float> weights;  // TF layout [time][freq][in][out]
  std::vector<float> bias;
  bool relu = false;
};

struct BasicPitchNetwork {
  int taps = 0;            // CQT kernel length
  int binsPerOctave = 0;   // kernels per bank
  int computedBins = 0;    // octaves * binsPerOctave
  int keptBins = 0;        // the highest bins kept (309)
  std::vector<CqtOctave> octaves;  // octaves[0] runs at the input rate
  std::vector<float> binScale;     // [keptBins]
  float logEpsilon = 0, logScale = 0;
  float batchNormScale = 0, batchNormOffset = 0;
  std::vector<int> harmonicShifts;  // bin shift of each stacked channel
  int stackedBins = 0;              // bins kept after stacking (264)
  ConvLayer contourConv, contourOut, noteConv, noteOut, onsetConv, onsetOut;

  static BasicPitchNetwork fromGraph(const tfjs::Graph& graph);
};

}  // namespace midistems::transcribe
