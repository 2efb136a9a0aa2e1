#pragma once
// HTDemucs hyper-parameters, read from a checkpoint's `kwargs` (the constructor arguments of
// demucs.htdemucs.HTDemucs). Missing keys take the class defaults of demucs/htdemucs.py; options
// this runner does not implement (multi-frequency layers, normalised layers, sparse attention,
// Wiener filtering, CaPE embeddings, ...) are rejected with a one-line error instead of being
// silently ignored. A checkpoint is untrusted input: every setting is checked for its type (an
// integer is never rounded or truncated) and for a range around what the Demucs releases use, and
// the products the model sizes buffers from are bounded, before anything is allocated.
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace midistems::separate::htdemucs {

struct HTDemucsConfig {
  std::vector<std::string> sources;
  int audioChannels = 2;
  int samplerate = 44100;
  // segment in seconds as a fraction (the release stores Fraction(39, 5))
  int64_t segmentNumerator = 10, segmentDenominator = 1;
  int channels = 48;
  int growth = 2;
  int nfft = 4096;
  int depth = 4;
  double freqEmb = 0.2;
  double embScale = 10.0;
  int kernelSize = 8;
  int stride = 4;
  int context = 1;
  int contextEnc = 0;
  int dconvMode = 1;
  int dconvDepth = 2;
  int dconvComp = 8;
  int bottomChannels = 0;
  int tLayers = 5;
  double tHiddenScale = 4.0;
  int tHeads = 8;
  bool tNormIn = true;
  bool tNormOut = true;
  bool tLayerScale = true;
  bool tCrossFirst = false;
  double tMaxPeriod = 10000.0;
  double tWeightPosEmbed = 1.0;
  bool useTrainSegment = true;

  // int(segment * samplerate), exactly as Python computes it with a Fraction.
  int64_t segmentLength() const { return segmentNumerator * samplerate / segmentDenominator; }
  // Channels at the innermost encoder (the transformer's input before the bottleneck).
  int innermostChannels() const;
  int transformerDim() const { return bottomChannels > 0 ? bottomChannels : innermostChannels(); }

  // `origin` names the file in error messages.
  static HTDemucsConfig fromKwargs(const nlohmann::json& kwargs, const std::string& origin);
  // The released htdemucs configuration (channels 48, bottom_channels 512, four sources).
  static HTDemucsConfig released();
};

}  // namespace midistems::separate::htdemucs
