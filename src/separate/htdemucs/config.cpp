#include "separate/htdemucs/config.h"

#include <cmath>

#include "core/error.h"

namespace midistems::separate::htdemucs {
namespace {

using nlohmann::json;

struct KwargsReader {
  const json& kwargs;
  const std::string& origin;

  [[noreturn]] void fail(const std::string& what) const { throw Error(origin + ": " + what); }

  template <typename T>
  T get(const char* key, T fallback) const {
    auto it = kwargs.find(key);
    if (it == kwargs.end() || it->is_null()) return fallback;
    try {
      return it->get<T>();
    } catch (const json::exception&) {
      fail(std::string("model kwarg '") + key + "' has an unexpected type");
    }
  }
  // Rejects a kwarg whose value differs from the one this runner implements.
  template <typename T>
  void require(const char* key, T supported) const {
    if (get<T>(key, supported) != supported)
      fail(std::string("HTDemucs option '") + key + "' = " + kwargs.at(key).dump() + " is not supported");
  }
};

}  // namespace

int HTDemucsConfig::innermostChannels() const {
  int c = channels;
  for (int i = 1; i < depth; ++i) c *= growth;
  return c;
}

HTDemucsConfig HTDemucsConfig::fromKwargs(const json& kwargs, const std::string& origin) {
  KwargsReader r{kwargs, origin};
  if (!kwargs.is_object()) r.fail("model kwargs are not a dictionary");
  HTDemucsConfig c;
  c.sources = r.get<std::vector<std::string>>("sources", {});
  if (c.sources.empty()) r.fail("model kwargs name no sources");
  c.audioChannels = r.get("audio_channels", c.audioChannels);
  c.samplerate = r.get("samplerate", c.samplerate);
  if (auto it = kwargs.find("segment"); it != kwargs.end() && !it->is_null()) {
    if (it->is_object() && it->contains("numerator") && it->contains("denominator")) {
      c.segmentNumerator = it->at("numerator").get<int64_t>();
      c.segmentDenominator = it->at("denominator").get<int64_t>();
    } else if (it->is_number_integer()) {
      c.segmentNumerator = it->get<int64_t>();
      c.segmentDenominator = 1;
    } else if (it->is_number()) {
      // A float segment: int(segment * samplerate) in Python; keep microsecond resolution.
      c.segmentNumerator = int64_t(std::llround(it->get<double>() * 1e6));
      c.segmentDenominator = 1000000;
    } else {
      r.fail("model kwarg 'segment' has an unexpected type");
    }
    if (c.segmentDenominator <= 0 || c.segmentNumerator <= 0) r.fail("model kwarg 'segment' is not positive");
  }
  c.channels = r.get("channels", c.channels);
  if (auto ct = r.get<int>("channels_time", 0); ct != 0 && ct != c.channels)
    r.fail("HTDemucs option 'channels_time' different from 'channels' is not supported");
  c.growth = r.get("growth", c.growth);
  c.nfft = r.get("nfft", c.nfft);
  c.depth = r.get("depth", c.depth);
  c.freqEmb = r.get("freq_emb", c.freqEmb);
  c.embScale = r.get("emb_scale", c.embScale);
  c.kernelSize = r.get("kernel_size", c.kernelSize);
  c.stride = r.get("stride", c.stride);
  c.context = r.get("context", c.context);
  c.contextEnc = r.get("context_enc", c.contextEnc);
  c.dconvMode = r.get("dconv_mode", c.dconvMode);
  c.dconvDepth = r.get("dconv_depth", c.dconvDepth);
  c.dconvComp = r.get("dconv_comp", c.dconvComp);
  c.bottomChannels = r.get("bottom_channels", c.bottomChannels);
  c.tLayers = r.get("t_layers", c.tLayers);
  c.tHiddenScale = r.get("t_hidden_scale", c.tHiddenScale);
  c.tHeads = r.get("t_heads", c.tHeads);
  c.tNormIn = r.get("t_norm_in", c.tNormIn);
  c.tNormOut = r.get("t_norm_out", c.tNormOut);
  c.tLayerScale = r.get("t_layer_scale", c.tLayerScale);
  c.tCrossFirst = r.get("t_cross_first", c.tCrossFirst);
  c.tMaxPeriod = r.get("t_max_period", c.tMaxPeriod);
  c.tWeightPosEmbed = r.get("t_weight_pos_embed", c.tWeightPosEmbed);
  c.useTrainSegment = r.get("use_train_segment", c.useTrainSegment);

  r.require("cac", true);
  r.require("rewrite", true);
  r.require("wiener_iters", 0);
  r.require("t_emb", std::string("sin"));
  r.require("t_norm_in_group", false);
  r.require("t_group_norm", false);
  r.require("t_norm_first", true);
  r.require("t_gelu", true);
  r.require("t_sparse_self_attn", false);
  r.require("t_sparse_cross_attn", false);
  if (auto it = kwargs.find("multi_freqs"); it != kwargs.end() && !it->is_null() && !it->empty())
    r.fail("HTDemucs option 'multi_freqs' is not supported");
  if (r.get("norm_starts", 4) < c.depth) r.fail("HTDemucs layers with GroupNorm (norm_starts < depth) are not supported");
  if (!c.useTrainSegment) r.fail("HTDemucs option 'use_train_segment' = false is not supported");
  if (c.audioChannels <= 0 || c.channels <= 0 || c.growth <= 0 || c.depth <= 0 || c.samplerate <= 0)
    r.fail("model kwargs have a non-positive size");
  if (c.nfft % 4 != 0 || c.kernelSize % c.stride != 0 || c.kernelSize % 4 != 0)
    r.fail("unsupported HTDemucs kernel/stride/nfft combination");
  int64_t freqs = c.nfft / 2;
  for (int i = 0; i < c.depth; ++i) {
    if (freqs <= c.kernelSize) r.fail("HTDemucs layers that collapse the frequency axis are not supported");
    freqs /= c.stride;
  }
  if (c.tLayers > 0 && (c.transformerDim() % c.tHeads != 0 || c.transformerDim() % 4 != 0))
    r.fail("transformer width is not divisible by the number of heads");
  if (c.dconvComp <= 0 || c.channels / c.dconvComp <= 0) r.fail("DConv compression leaves no hidden channels");
  return c;
}

HTDemucsConfig HTDemucsConfig::released() {
  HTDemucsConfig c;
  c.sources = {"drums", "bass", "other", "vocals"};
  c.segmentNumerator = 39;
  c.segmentDenominator = 5;
  c.dconvMode = 3;
  c.bottomChannels = 512;
  return c;
}

}  // namespace midistems::separate::htdemucs
