#pragma once
// The settings of a BS-RoFormer or Mel-Band RoFormer model and its chunked inference, read from
// the YAML config that comes with a released checkpoint (Music-Source-Separation-Training's
// configs: `audio`, `model`, `training`, `inference`). Keys missing from `model` take the defaults
// of the class's constructor (BSRoformer or MelBandRoformer; they differ).
// Mel-Band RoFormer bands are the bins where librosa.filters.mel(sr, n_fft, n_mels = num_bands)
// (Slaney scale and norm) is positive, with the first bin of band 0 and the last bin of the last
// band added: contiguous, overlapping ranges.
// The file is untrusted: it is read only up to kMaxConfigBytes, every value is checked for type
// and range, and the model's parameter count and its largest activations are bounded before
// anything is sized from them. Settings that change the network in ways this runner does not
// implement (linear attention, skip connections, PoPE, a window shorter than the FFT, normalised
// STFT) and keys the constructor does not know are errors.
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace midistems::separate::roformer {

enum class RoformerKind { kBandSplit, kMelBand };

struct RoformerConfig {
  RoformerKind kind = RoformerKind::kBandSplit;
  // model
  int64_t dim = 0, depth = 0;
  bool stereo = false;
  int64_t numStems = 1;
  int64_t timeTransformerDepth = 2, freqTransformerDepth = 2;
  std::vector<int64_t> freqsPerBands;  // STFT bins per band (BS: from bin 0, sum = nfft / 2 + 1)
  std::vector<int64_t> bandStarts;     // first bin of each band
  int64_t numBands = 60, melSampleRate = 44100;  // Mel: model.num_bands, model.sample_rate
  bool matchInputLength = false;       // Mel: model.match_input_audio_length
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
  bool mel() const { return kind == RoformerKind::kMelBand; }

  static RoformerConfig fromYamlText(const std::string& text, const std::string& origin,
                                     RoformerKind kind = RoformerKind::kBandSplit);
  static RoformerConfig fromYamlFile(const std::filesystem::path& path, RoformerKind kind = RoformerKind::kBandSplit);
};

constexpr uintmax_t kMaxConfigBytes = uintmax_t(1) << 20;

// The Mel-Band RoFormer bands for `bins` STFT bins: (first bin, bin count) per band.
std::vector<std::pair<int64_t, int64_t>> melBands(int64_t sampleRate, int64_t nfft, int64_t numBands);

}  // namespace midistems::separate::roformer
