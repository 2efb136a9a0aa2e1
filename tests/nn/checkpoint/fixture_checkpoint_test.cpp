// The two HTDemucs fixtures (../shared/fixtures/htdemucs/small4 and small6s) load with the right
// names, shapes, keyword arguments and float16 values. Reference numbers were computed from the
// same files by an independent decoder (Python zipfile + numpy float16).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <fstream>
#include <numeric>

#include "core/error.h"
#include "nn/checkpoint.h"
#include "support/fixtures.h"

namespace {

using midistems::nn::Checkpoint;

// True when `v` is a float16 value (normal, subnormal or zero).
bool isFloat16Value(float v) {
  if (v == 0) return true;
  int exponent = 0;
  const double mantissa = std::frexp(double(std::fabs(v)), &exponent);  // v = m * 2^e, m in [0.5, 1)
  if (exponent > 16) return false;
  // Normal halves keep 11 significant bits; subnormals are multiples of 2^-24.
  const int bits = exponent >= -13 ? 11 : 11 - (-13 - exponent);
  if (bits <= 0) return false;
  const double scaled = std::ldexp(mantissa, bits);
  return scaled == std::floor(scaled);
}

double sumOf(const midistems::nn::LoadedTensor& t) {
  return std::accumulate(t.data.begin(), t.data.end(), 0.0);
}

nlohmann::json readManifest(const std::string& folder) {
  std::ifstream in(midistems::testing::fixturePath("htdemucs/" + folder + "/manifest.json"));
  return nlohmann::json::parse(in);
}

void expectCommonStructure(const Checkpoint& ckpt, const nlohmann::json& manifest) {
  EXPECT_EQ(ckpt.klass, "demucs.htdemucs.HTDemucs");
  EXPECT_EQ(ckpt.state.size(), manifest["state_tensors"].get<size_t>());
  int64_t params = 0;
  for (const auto& [name, t] : ckpt.state) {
    params += t.numel();
    ASSERT_EQ(int64_t(t.data.size()), t.numel()) << name;
  }
  EXPECT_EQ(params, manifest["params"].get<int64_t>());
  const auto& kw = ckpt.kwargs;
  EXPECT_EQ(kw["channels"], 8);
  EXPECT_EQ(kw["samplerate"], 44100);
  EXPECT_EQ(kw["audio_channels"], 2);
  EXPECT_EQ(kw["depth"], 4);
  EXPECT_EQ(kw["nfft"], 4096);
  EXPECT_EQ(kw["t_layers"], 5);
  EXPECT_EQ(kw["cac"], true);
  EXPECT_EQ(kw["wiener_residual"], false);
  EXPECT_TRUE(kw["channels_time"].is_null());
  EXPECT_EQ(kw["t_emb"], "sin");
  EXPECT_DOUBLE_EQ(kw["freq_emb"].get<double>(), 0.2);
  EXPECT_EQ(kw["t_cape_glob_loc_scale"], nlohmann::json({5000.0, 1.0, 1.4}));
  EXPECT_EQ(kw["segment"], nlohmann::json({{"numerator", 39}, {"denominator", 5}}));
  EXPECT_EQ(ckpt.extra["training_args"]["note"], "stand-in for the hydra training config");
  EXPECT_EQ(ckpt.extra["args"], nlohmann::json::array());
  EXPECT_EQ(ckpt.extra["metrics"], nlohmann::json({nullptr, nullptr}));
  EXPECT_FALSE(ckpt.extra.contains("state"));
  // Every weight was stored as float16, so every loaded value must be a float16 value.
  for (const auto& [name, t] : ckpt.state)
    for (float v : t.data) ASSERT_TRUE(isFloat16Value(v)) << name << " holds " << v;
}

void expectTensor(const Checkpoint& ckpt, const std::string& name, std::vector<int64_t> shape,
                  double sum, float first, float last) {
  ASSERT_TRUE(ckpt.state.count(name)) << name;
  const auto& t = ckpt.state.at(name);
  EXPECT_EQ(t.shape, shape) << name;
  EXPECT_NEAR(sumOf(t), sum, 1e-9 * (1 + std::fabs(sum))) << name;
  EXPECT_EQ(t.data.front(), first) << name;
  EXPECT_EQ(t.data.back(), last) << name;
}

TEST(FixtureCheckpoint, Small4LoadsEveryTensorWithItsShapeAndValues) {
  MIDISTEMS_REQUIRE_FIXTURE("htdemucs/small4/htdemucs_ref.th");
  const Checkpoint ckpt = midistems::nn::loadCheckpoint(
      midistems::testing::fixturePath("htdemucs/small4/htdemucs_ref.th"));
  expectCommonStructure(ckpt, readManifest("small4"));
  EXPECT_EQ(ckpt.kwargs["bottom_channels"], 64);
  EXPECT_EQ(ckpt.kwargs["sources"], nlohmann::json({"drums", "bass", "other", "vocals"}));
  expectTensor(ckpt, "encoder.0.conv.weight", {8, 4, 8, 1}, 0.6771552562713623, -0.1256103515625f,
               -0.1728515625f);
  expectTensor(ckpt, "freq_emb.embedding.weight", {512, 8}, 290.51797860860825, -0.08416748046875f,
               0.0950927734375f);
  expectTensor(ckpt, "crosstransformer.layers.0.self_attn.in_proj_weight", {192, 64},
               5.065203130245209, 0.09197998046875f, -0.057861328125f);
  expectTensor(ckpt, "decoder.0.conv_tr.weight", {64, 32, 8, 1}, 6.550580143928528,
               0.0692138671875f, 0.006450653076171875f);
  expectTensor(ckpt, "channel_upsampler.weight", {64, 64, 1}, -1.9984682202339172, 0.0078125f,
               -0.07244873046875f);
  // The released layout has 5 cross-transformer layers; layers 0, 2, 4 are self-attention.
  EXPECT_TRUE(ckpt.state.count("crosstransformer.layers.4.norm_out.weight"));
  EXPECT_TRUE(ckpt.state.count("crosstransformer.layers_t.4.norm_out.weight"));
  EXPECT_FALSE(ckpt.state.count("crosstransformer.layers.5.norm1.weight"));
}

TEST(FixtureCheckpoint, Small6sLoadsEveryTensorWithItsShapeAndValues) {
  MIDISTEMS_REQUIRE_FIXTURE("htdemucs/small6s/htdemucs_ref.th");
  const Checkpoint ckpt = midistems::nn::loadCheckpoint(
      midistems::testing::fixturePath("htdemucs/small6s/htdemucs_ref.th"));
  expectCommonStructure(ckpt, readManifest("small6s"));
  EXPECT_EQ(ckpt.kwargs["bottom_channels"], 0);
  EXPECT_EQ(ckpt.kwargs["sources"],
            nlohmann::json({"drums", "bass", "other", "vocals", "guitar", "piano"}));
  expectTensor(ckpt, "encoder.0.conv.weight", {8, 4, 8, 1}, -0.6551728248596191,
               -0.01203155517578125f, -0.1326904296875f);
  expectTensor(ckpt, "freq_emb.embedding.weight", {512, 8}, 40.874143183231354,
               -0.061492919921875f, 0.087890625f);
  expectTensor(ckpt, "decoder.0.conv_tr.weight", {64, 32, 8, 1}, 1.2909926772117615,
               0.0841064453125f, -0.09149169921875f);
  // bottom_channels = 0: no channel up/down-samplers around the transformer.
  EXPECT_FALSE(ckpt.state.count("channel_upsampler.weight"));
}

TEST(FixtureCheckpoint, TruncatedFixtureIsAnErrorAtEveryCut) {
  MIDISTEMS_REQUIRE_FIXTURE("htdemucs/small4/htdemucs_ref.th");
  std::ifstream in(midistems::testing::fixturePath("htdemucs/small4/htdemucs_ref.th"), std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_GT(bytes.size(), 100000u);
  for (size_t cut = 0; cut < bytes.size(); cut += bytes.size() / 97 + 1) {
    const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
    EXPECT_THROW(midistems::nn::parseTorchPackage(data, cut, "cut.th"), midistems::Error) << cut;
  }
  // The last few bytes hold the end-of-central-directory record: cutting any of them is fatal.
  for (size_t cut = bytes.size() - 30; cut < bytes.size(); ++cut)
    EXPECT_THROW(midistems::nn::parseTorchPackage(reinterpret_cast<const uint8_t*>(bytes.data()), cut, "cut.th"),
                 midistems::Error)
        << cut;
}

}  // namespace
