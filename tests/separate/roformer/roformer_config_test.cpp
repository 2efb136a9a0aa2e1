// The BS-RoFormer YAML config as untrusted input: the released layout (with !!python/tuple tags)
// is read, and every value of the wrong type or out of range, and every product too large, is one
// clear error before anything is allocated.
#include <gtest/gtest.h>

#include <string>

#include "core/error.h"
#include "separate/roformer/config.h"
#include "separate/roformer/roformer_separator.h"

namespace midistems::separate::roformer {
namespace {

// The viperx layout (62 bands over 1025 bins), with `model` lines that a test may replace.
std::string config(const std::string& modelExtra = "", const std::string& dim = "dim: 512", const std::string& rest = "") {
  std::string bands = "  freqs_per_bands: !!python/tuple\n";
  const int widths[][2] = {{2, 24}, {4, 12}, {12, 8}, {24, 8}, {48, 8}, {128, 1}, {129, 1}};
  for (const auto& w : widths)
    for (int i = 0; i < w[1]; ++i) bands += "  - " + std::to_string(w[0]) + "\n";
  return "audio:\n  chunk_size: 352800\n  sample_rate: 44100\n"
         "model:\n  " + dim + "\n  depth: 12\n  stereo: true\n  num_stems: 1\n  time_transformer_depth: 1\n"
         "  freq_transformer_depth: 1\n  linear_transformer_depth: 0\n" + bands +
         "  dim_head: 64\n  heads: 8\n  attn_dropout: 0.1\n  flash_attn: true\n  stft_n_fft: 2048\n"
         "  stft_hop_length: 441\n  stft_win_length: 2048\n  stft_normalized: false\n  mask_estimator_depth: 2\n"
         "  multi_stft_resolutions_window_sizes: !!python/tuple\n  - 4096\n  - 2048\n" + modelExtra +
         "training:\n  instruments:\n  - vocals\n  - other\n  target_instrument: vocals\n"
         "inference:\n  batch_size: 4\n  num_overlap: 2\n" + rest;
}

// `text` with the `model` line of `key` set to `value` (added when absent).
std::string with(std::string text, const std::string& key, const std::string& value) {
  const std::string head = "\n  " + key + ":";
  const std::string line = "\n  " + key + ": " + value;
  const size_t at = text.find(head);
  if (at == std::string::npos) return text.insert(text.find("\ntraining:"), line);
  return text.replace(at, text.find('\n', at + 1) - at, line);
}

// The error of reading `text`, or "" when it was accepted.
std::string errorOf(const std::string& text) {
  try {
    RoformerConfig::fromYamlText(text, "c.yaml");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(RoformerConfig, ReadsTheReleasedLayout) {
  const RoformerConfig c = RoformerConfig::fromYamlText(config(), "c.yaml");
  EXPECT_EQ(c.dim, 512);
  EXPECT_EQ(c.depth, 12);
  EXPECT_TRUE(c.stereo);
  EXPECT_EQ(c.freqsPerBands.size(), 62u);
  EXPECT_EQ(c.hop, 441);
  EXPECT_EQ(c.chunkSize, 352800);
  EXPECT_EQ(c.batchSize, 4);
  EXPECT_EQ(c.sources, std::vector<std::string>{"vocals"});
  EXPECT_EQ(c.maskEstimatorDepth, 2);
  EXPECT_EQ(c.mlpExpansionFactor, 4);  // the constructor's default
}

TEST(RoformerConfig, HostileValuesAreOneLineErrors) {
  const struct {
    std::string text, expected;
  } cases[] = {
      {config("", "dim: 99999999999"), "model.dim"},
      {config("", "dim: -5"), "model.dim"},
      {config("", "dim: 3.5"), "not an integer"},
      {config("", "dim: [1, 2]"), "not an integer"},
      {config("", "dim: 0x200"), "not an integer"},
      {with(config(), "heads", "0"), "model.heads"},
      {with(config(), "dim_head", "63"), "odd"},
      {with(config(), "stft_hop_length", "-441"), "model.stft_hop_length"},
      {with(config(), "stft_hop_length", "1"), "exceeds"},  // 352801 frames: the attention scores
      {with(config(), "num_stems", "100000"), "model.num_stems"},
      {with(config(), "num_stems", "2"), "source name"},
      {config("  depth_extra: 2\n"), "not a BSRoformer setting"},
      {config("  sage_attention: true\n"), "not a BSRoformer setting"},
      {with(config(), "linear_transformer_depth", "1"), "not supported"},
      {with(config(), "stft_win_length", "1024"), "stft_win_length"},
      {config("  stft_win_length: 2048\n"), "given twice"},
      {with(config(), "stereo", "maybe"), "true or false"},
      {with(with(config("", "dim: 2048"), "mlp_expansion_factor", "16"), "mask_estimator_depth", "8"), "exceeds"},
      {config("", "dim: 512", "  chunk_size: 100\n"), "too short"},
      {config("", "dim: 512", "  chunk_size: 0\n"), "inference.chunk_size"},
      {config("", "dim: 512", "  batch_size: 0\n"), "given twice"},
      {"model: [1, 2]\n", "'model' is not a mapping"},
      {"{{{{", "YAML"},
      {std::string(5000, '[') + std::string(5000, ']'), "levels deep at line 1"},
      {"- 1\n- 2\n", "not a model config"},
      {std::string(2 << 20, '#'), "larger than"},
  };
  for (const auto& c : cases) {
    const std::string error = errorOf(c.text);
    EXPECT_NE(error.find(c.expected), std::string::npos) << "expected '" << c.expected << "', got '" << error << "'";
    EXPECT_EQ(error.find('\n'), std::string::npos) << error;
    EXPECT_EQ(error.rfind("c.yaml: ", 0), 0u) << error;
  }
}

std::string melConfig(const std::string& bands) {
  return "audio:\n  chunk_size: 352800\nmodel:\n  dim: 384\n  depth: 6\n  stereo: true\n  num_bands: " + bands +
         "\n  sample_rate: 44100\n  stft_n_fft: 2048\n  stft_hop_length: 441\n  mask_estimator_depth: 2\n"
         "training:\n  target_instrument: vocals\ninference:\n  batch_size: 4\n";
}

TEST(RoformerConfig, MelBandSettings) {
  const RoformerConfig c = RoformerConfig::fromYamlText(melConfig("60"), "c.yaml", RoformerKind::kMelBand);
  ASSERT_EQ(c.freqsPerBands.size(), 60u);
  EXPECT_EQ(c.bandStarts.front(), 0);
  EXPECT_EQ(c.bandStarts.back() + c.freqsPerBands.back(), 1025);  // the last bin is always in the last band
  const auto error = [](const std::string& text, RoformerKind kind) {
    try {
      RoformerConfig::fromYamlText(text, "c.yaml", kind);
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  EXPECT_NE(error(melConfig("0"), RoformerKind::kMelBand).find("model.num_bands = 0"), std::string::npos);
  EXPECT_NE(error(melConfig("-3"), RoformerKind::kMelBand).find("model.num_bands = -3"), std::string::npos);
  // 1000 mel bands over 1025 bins: some hold no bin.
  EXPECT_NE(error(melConfig("1000"), RoformerKind::kMelBand).find("without STFT bins"), std::string::npos)
      << error(melConfig("1000"), RoformerKind::kMelBand);
  // Each class knows only its own keys.
  EXPECT_NE(error(melConfig("60"), RoformerKind::kBandSplit).find("num_bands: not a BSRoformer setting"),
            std::string::npos);
  EXPECT_NE(error(config(), RoformerKind::kMelBand).find("freqs_per_bands: not a MelBandRoformer setting"),
            std::string::npos);
}

TEST(RoformerConfig, BandsMustCoverTheSpectrum) {
  std::string text = config();
  text.replace(text.find("  - 129\n"), 8, "  - 130\n");
  EXPECT_NE(errorOf(text).find("sums to 1026 bins"), std::string::npos) << errorOf(text);
}

}  // namespace
}  // namespace midistems::separate::roformer

namespace midistems::separate::roformer {
namespace {

RoformerConfig tinyConfig(int64_t batch) {
  return RoformerConfig::fromYamlText(
      "audio:\n  chunk_size: 100\nmodel:\n  dim: 4\n  depth: 1\n  stft_n_fft: 16\n  stft_hop_length: 4\n"
      "  stft_win_length: 16\n  freqs_per_bands: !!python/tuple\n  - 4\n  - 5\n"
      "training:\n  target_instrument: vocals\ninference:\n  num_overlap: 2\n  batch_size: " +
          std::to_string(batch) + "\n",
      "tiny.yaml");
}

// demix's fades, decided per batch: with chunk 100, step 50 and a 250-sample song (padded by 50
// on both sides: chunks at 0, 50, ..., 300 of the padded song; chunk 5 is the last full one).
TEST(RoformerDemixSchedule, FadesAreDecidedPerBatch) {
  for (const int64_t batch : {1, 2, 4}) {
    const auto schedule = makeDemixSchedule(tinyConfig(batch), 250);
    ASSERT_EQ(schedule->chunks(), 7);
    const int64_t lastBatchStart = (6 / batch) * batch;
    for (int64_t k = 0; k < 6; ++k) {
      const auto place = schedule->placement(k);
      ASSERT_EQ(place.end - place.begin, 100) << k;
      EXPECT_EQ(place.trackOffset, k * 50 - 50);
      const bool fadeIn = !(k == 0 && batch == 1), fadeOut = k < lastBatchStart;
      EXPECT_EQ(place.window[0], fadeIn ? 0.0f : 1.0f) << "chunk " << k << ", batch " << batch;
      EXPECT_EQ(place.window[99], fadeOut ? 0.0f : 1.0f) << "chunk " << k << ", batch " << batch;
      EXPECT_EQ(place.window[50], 1.0f);
    }
    // The last chunk holds 50 samples (not more than half a chunk): zeros after them.
    std::vector<int64_t> index(100);
    schedule->inputIndices(6, 100, index.data());
    EXPECT_EQ(index[0], 250 - 1 - 1);  // padded 300 -> song 250, mirrored to 248
    EXPECT_EQ(index[49], 2 * 249 - 299);
    EXPECT_EQ(index[50], -1);
    // Chunk 0 starts in the mirrored border: padded 0 is song sample 50.
    schedule->inputIndices(0, 100, index.data());
    EXPECT_EQ(index[0], 50);
    EXPECT_EQ(index[50], 0);
    EXPECT_EQ(index[51], 1);
  }
}

}  // namespace
}  // namespace midistems::separate::roformer
