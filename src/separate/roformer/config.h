#pragma once
// The settings of a BS-RoFormer model and its chunked inference, read from the YAML config that
// comes with a released checkpoint (Music-Source-Separation-Training's configs: `audio`, `model`,
// `training`, `inference`). Keys missing from `model` take the BSRoformer constructor's defaults.
// The file is untrusted: it is read only up to kMaxConfigBytes, every value is checked for type
// and range, and the model's parameter count and its largest activations are bounded before
// anything is sized from them. Settings that change the network in ways this runner does not
// implement (linear attention, skip connections, PoPE, a window shorter than the FFT, normalised
// STFT) and keys the constructor does not know are errors.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace midistems::separate::roformer {

struct RoformerConfig {
  // model
  int64_t dim = 0, depth = 0;
  bool stereo = false;
  int64_t numStems = 1;
  int64_t timeTransformerDepth = 2, freqTransformerDepth = 2;
  std::vector<int64_t> freqsPerBands;  // STFT bins per band, from bin 0; sum = nfft / 2 + 1
  int64_t dimHead = 64, heads = 8;
  int64_t nfft = 2048, hop = 512;
  bool zeroDc = true;
  int64_t maskEstimatorDepth = 2, mlpExpansionFactor = 4;
  // audio / inference
  int sampleRate = 44100;
  int64_t chunkSize = 0, numOverlap = 2, batchSize = 1;
  std::vector<std::string> sources;  // training.target_instrument, else training.instruments

  int64_t audioChannels() const { return stereo ? 2 : 1; }
  int64_t bins() const { return nfft / 2 + 1; }
  int64_t frames(int64_t length) const { return 1 + length / hop; }  // torch.stft, center=True

  // Throws midistems::Error naming `origin` and the key.
  static RoformerConfig fromYamlText(const std::string& text, const std::string& origin);
  static RoformerConfig fromYamlFile(const std::filesystem::path& path);
};

constexpr uintmax_t kMaxConfigBytes = uintmax_t(1) << 20;

}  // namespace midistems::separate::roformer
