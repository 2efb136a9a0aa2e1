#include "separate/htdemucs/config.h"

#include <cmath>
#include <cstdint>
#include <limits>
#include <set>

#include "core/error.h"

namespace midistems::separate::htdemucs {
namespace {

using nlohmann::json;

// Every size a checkpoint can set has a range: the released models (htdemucs, htdemucs_ft,
// htdemucs_6s; Demucs' conf/config.yaml for the hybrid family, hdemucs_mmi included) use the value
// in the comment, and the bounds leave a margin of about eight either way. Outside them a file is
// not a Demucs model; inside them no size nor product of sizes overflows, and no buffer the model
// sizes from them (STFT, segment, layer widths) is more than a few hundred megabytes.
constexpr int64_t kMaxSources = 16;              // 4, or 6 in htdemucs_6s
constexpr size_t kMaxSourceNameBytes = 32;       // "drums", "vocals", ...: stem file names
constexpr int64_t kMaxAudioChannels = 8;         // 2
constexpr int64_t kMinSamplerate = 8000, kMaxSamplerate = 192000;  // 44100
constexpr double kMinSegmentSeconds = 1.0, kMaxSegmentSeconds = 60.0;  // 7.8 (39/5); 44 for hdemucs
constexpr int64_t kMaxSegmentTerm = 1000000;     // numerator and denominator of a Fraction: 39/5
constexpr int64_t kMaxChannels = 512;            // 48
constexpr int64_t kMaxGrowth = 4;                // 2
constexpr int64_t kMaxDepth = 8;                 // 4, hdemucs 6
constexpr int64_t kMaxInnermostChannels = 8192;  // 384, hdemucs 1536
constexpr int64_t kMinNfft = 256, kMaxNfft = 32768;  // 4096
constexpr int64_t kMaxKernelSize = 64;           // 8
constexpr int64_t kMaxStride = 16;               // 4
constexpr int64_t kMaxContext = 8;               // 1 (context), 0 (context_enc)
constexpr int64_t kMaxDConvDepth = 8;            // 2
constexpr int64_t kMaxDConvComp = 64;            // 8, hdemucs 4
constexpr int64_t kMaxBottomChannels = 4096;     // 512
constexpr int64_t kMaxTransformerLayers = 32;    // 5
constexpr int64_t kMaxHeads = 64;                // 8
constexpr double kMaxHiddenScale = 16.0;         // 4.0
constexpr int64_t kMaxHidden = 65536;            // 2048
constexpr double kMaxScale = 1000.0;             // freq_emb 0.2, emb_scale 10, t_weight_pos_embed 1
constexpr double kMaxPeriod = 1e9;               // 10000

struct KwargsReader {
  const json& kwargs;
  const std::string& origin;

  [[noreturn]] void fail(const std::string& what) const { throw Error(origin + ": " + what); }
  [[noreturn]] void failKey(const char* key, const std::string& what) const {
    fail(std::string("model kwarg '") + key + "' " + what);
  }

  // The value of `key`, or null when it is missing or None (the class default then applies).
  const json* find(const char* key) const {
    auto it = kwargs.find(key);
    return it == kwargs.end() || it->is_null() ? nullptr : &*it;
  }

  // An integer in [lo, hi]: a float (3.5, or 4.0) or a number outside int64 is refused, never
  // rounded or truncated.
  int64_t integer(const json& v, const char* key, int64_t lo, int64_t hi) const {
    if (!v.is_number_integer()) failKey(key, "= " + v.dump() + " is not an integer");
    const bool fits = !v.is_number_unsigned() || v.get<uint64_t>() <= uint64_t(std::numeric_limits<int64_t>::max());
    if (!fits || v.get<int64_t>() < lo || v.get<int64_t>() > hi)
      failKey(key, "= " + v.dump() + " is outside " + std::to_string(lo) + ".." + std::to_string(hi));
    return v.get<int64_t>();
  }
  int integer(const char* key, int fallback, int64_t lo, int64_t hi) const {
    const json* v = find(key);
    return v ? int(integer(*v, key, lo, hi)) : fallback;
  }
  double real(const char* key, double fallback, double lo, double hi) const {
    const json* v = find(key);
    if (!v) return fallback;
    if (!v->is_number()) failKey(key, "= " + v->dump() + " is not a number");
    const double x = v->get<double>();
    if (!std::isfinite(x)) failKey(key, "is not a finite number");
    if (!(x >= lo && x <= hi)) failKey(key, "= " + v->dump() + " is outside [" + json(lo).dump() + ", " + json(hi).dump() + "]");
    return x;
  }
  bool flag(const char* key, bool fallback) const {
    const json* v = find(key);
    if (!v) return fallback;
    if (!v->is_boolean()) failKey(key, "= " + v->dump() + " is not true or false");
    return v->get<bool>();
  }
  std::string text(const char* key, const std::string& fallback) const {
    const json* v = find(key);
    if (!v) return fallback;
    if (!v->is_string()) failKey(key, "= " + v->dump() + " is not a string");
    return v->get<std::string>();
  }

  // Options this runner implements in one setting only.
  [[noreturn]] void unsupported(const char* key) const {
    fail(std::string("HTDemucs option '") + key + "' = " + kwargs.at(key).dump() + " is not supported");
  }
  void requireFlag(const char* key, bool supported) const {
    if (flag(key, supported) != supported) unsupported(key);
  }
  void requireZero(const char* key) const {
    if (const json* v = find(key); v && integer(*v, key, std::numeric_limits<int64_t>::min(),
                                                std::numeric_limits<int64_t>::max()) != 0)
      unsupported(key);
  }
  void requireText(const char* key, const std::string& supported) const {
    if (text(key, supported) != supported) unsupported(key);
  }

  // Source names become the stem files' names: plain words only, no path separators or dots.
  std::vector<std::string> sources() const {
    const json* v = find("sources");
    if (!v) fail("model kwargs name no sources");
    if (!v->is_array()) failKey("sources", "is not a list of names");
    if (v->empty()) fail("model kwargs name no sources");
    if (int64_t(v->size()) > kMaxSources)
      failKey("sources", "names " + std::to_string(v->size()) + " sources (at most " + std::to_string(kMaxSources) + ")");
    std::vector<std::string> names;
    std::set<std::string> seen;
    for (const json& name : *v) {
      const bool word = name.is_string() && !name.get_ref<const std::string&>().empty() &&
                        name.get_ref<const std::string&>().size() <= kMaxSourceNameBytes &&
                        name.get_ref<const std::string&>().find_first_not_of(
                            "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == std::string::npos;
      if (!word)
        failKey("sources", "holds " + name.dump().substr(0, 40) + ", not a name of letters, digits, '_' or '-'");
      if (!seen.insert(name.get<std::string>()).second) failKey("sources", "names '" + name.get<std::string>() + "' twice");
      names.push_back(name.get<std::string>());
    }
    return names;
  }

  // `segment`: a Fraction (as the release stores it), an integer or a float number of seconds.
  void segment(HTDemucsConfig& c) const {
    const json* v = find("segment");
    if (!v) return;
    if (v->is_object() && v->contains("numerator") && v->contains("denominator")) {
      c.segmentNumerator = integer(v->at("numerator"), "segment", 1, kMaxSegmentTerm);
      c.segmentDenominator = integer(v->at("denominator"), "segment", 1, kMaxSegmentTerm);
    } else if (v->is_number_integer()) {
      c.segmentNumerator = integer(*v, "segment", 1, int64_t(kMaxSegmentSeconds));
      c.segmentDenominator = 1;
    } else if (v->is_number()) {
      // int(segment * samplerate) in Python; microsecond resolution, after the range check below.
      const double seconds = real("segment", 0.0, kMinSegmentSeconds, kMaxSegmentSeconds);
      c.segmentNumerator = int64_t(std::llround(seconds * 1e6));
      c.segmentDenominator = 1000000;
    } else {
      failKey("segment", "= " + v->dump().substr(0, 40) + " is not a number of seconds");
    }
    const double seconds = double(c.segmentNumerator) / double(c.segmentDenominator);
    if (!(seconds >= kMinSegmentSeconds && seconds <= kMaxSegmentSeconds))
      failKey("segment", "= " + std::to_string(c.segmentNumerator) + "/" + std::to_string(c.segmentDenominator) +
                             " s is outside " + json(kMinSegmentSeconds).dump() + ".." +
                             json(kMaxSegmentSeconds).dump() + " s");
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
  c.sources = r.sources();
  c.audioChannels = r.integer("audio_channels", c.audioChannels, 1, kMaxAudioChannels);
  c.samplerate = r.integer("samplerate", c.samplerate, kMinSamplerate, kMaxSamplerate);
  r.segment(c);
  c.channels = r.integer("channels", c.channels, 1, kMaxChannels);
  if (const json* ct = r.find("channels_time")) {
    const int64_t channelsTime = r.integer(*ct, "channels_time", 0, kMaxChannels);
    if (channelsTime != 0 && channelsTime != c.channels)
      r.fail("HTDemucs option 'channels_time' different from 'channels' is not supported");
  }
  c.growth = r.integer("growth", c.growth, 1, kMaxGrowth);
  c.nfft = r.integer("nfft", c.nfft, kMinNfft, kMaxNfft);
  if ((c.nfft & (c.nfft - 1)) != 0) r.failKey("nfft", "= " + std::to_string(c.nfft) + " is not a power of two");
  c.depth = r.integer("depth", c.depth, 1, kMaxDepth);
  c.freqEmb = r.real("freq_emb", c.freqEmb, -kMaxScale, kMaxScale);
  c.embScale = r.real("emb_scale", c.embScale, -kMaxScale, kMaxScale);
  c.kernelSize = r.integer("kernel_size", c.kernelSize, 1, kMaxKernelSize);
  c.stride = r.integer("stride", c.stride, 1, kMaxStride);
  c.context = r.integer("context", c.context, 0, kMaxContext);
  c.contextEnc = r.integer("context_enc", c.contextEnc, 0, kMaxContext);
  c.dconvMode = r.integer("dconv_mode", c.dconvMode, 0, 3);
  c.dconvDepth = r.integer("dconv_depth", c.dconvDepth, 0, kMaxDConvDepth);
  c.dconvComp = r.integer("dconv_comp", c.dconvComp, 1, kMaxDConvComp);
  c.bottomChannels = r.integer("bottom_channels", c.bottomChannels, 0, kMaxBottomChannels);
  c.tLayers = r.integer("t_layers", c.tLayers, 0, kMaxTransformerLayers);
  c.tHiddenScale = r.real("t_hidden_scale", c.tHiddenScale, 0.0, kMaxHiddenScale);
  c.tHeads = r.integer("t_heads", c.tHeads, 1, kMaxHeads);
  c.tNormIn = r.flag("t_norm_in", c.tNormIn);
  c.tNormOut = r.flag("t_norm_out", c.tNormOut);
  c.tLayerScale = r.flag("t_layer_scale", c.tLayerScale);
  c.tCrossFirst = r.flag("t_cross_first", c.tCrossFirst);
  c.tMaxPeriod = r.real("t_max_period", c.tMaxPeriod, 1.0, kMaxPeriod);
  c.tWeightPosEmbed = r.real("t_weight_pos_embed", c.tWeightPosEmbed, -kMaxScale, kMaxScale);
  c.useTrainSegment = r.flag("use_train_segment", c.useTrainSegment);

  r.requireFlag("cac", true);
  r.requireFlag("rewrite", true);
  r.requireZero("wiener_iters");
  r.requireText("t_emb", "sin");
  r.requireFlag("t_norm_in_group", false);
  r.requireFlag("t_group_norm", false);
  r.requireFlag("t_norm_first", true);
  r.requireFlag("t_gelu", true);
  r.requireFlag("t_sparse_self_attn", false);
  r.requireFlag("t_sparse_cross_attn", false);
  if (const json* mf = r.find("multi_freqs"); mf && !mf->empty()) r.fail("HTDemucs option 'multi_freqs' is not supported");
  if (r.integer("norm_starts", 4, std::numeric_limits<int>::min(), std::numeric_limits<int>::max()) < c.depth)
    r.fail("HTDemucs layers with GroupNorm (norm_starts < depth) are not supported");
  if (!c.useTrainSegment) r.fail("HTDemucs option 'use_train_segment' = false is not supported");

  // Products of the sizes, each bounded before it is formed (no overflow).
  int64_t innermost = c.channels;
  for (int i = 1; i < c.depth; ++i) {
    innermost *= c.growth;
    if (innermost > kMaxInnermostChannels)
      r.fail("model kwargs 'channels' x 'growth'^('depth' - 1) exceeds " + std::to_string(kMaxInnermostChannels) +
             " channels");
  }
  if (c.kernelSize % c.stride != 0 || c.kernelSize % 4 != 0)
    r.fail("model kwargs 'kernel_size' = " + std::to_string(c.kernelSize) + " and 'stride' = " +
           std::to_string(c.stride) + ": the kernel must be a multiple of 4 and of the stride");
  int64_t freqs = c.nfft / 2, samples = c.segmentLength();
  for (int i = 0; i < c.depth; ++i) {
    if (freqs <= c.kernelSize) r.fail("HTDemucs layers that collapse the frequency axis are not supported");
    if (samples < c.kernelSize) r.fail("model kwarg 'segment' is too short for the time branch's layers");
    freqs /= c.stride;
    samples /= c.stride;
  }
  if (c.segmentLength() < c.nfft) r.fail("model kwarg 'segment' is shorter than one STFT window ('nfft')");
  if (c.tLayers > 0) {
    const int64_t dim = c.transformerDim();
    if (dim % c.tHeads != 0 || dim % 4 != 0)
      r.fail("model kwarg 't_heads' = " + std::to_string(c.tHeads) + " does not divide the transformer width " +
             std::to_string(dim) + " (or the width is not a multiple of 4)");
    const double hidden = double(dim) * c.tHiddenScale;
    if (!(hidden >= 1.0 && hidden <= double(kMaxHidden)))
      r.fail("model kwarg 't_hidden_scale' makes a transformer hidden width outside 1.." + std::to_string(kMaxHidden));
  }
  if (c.channels / c.dconvComp <= 0) r.fail("model kwarg 'dconv_comp' leaves no hidden channels");
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
