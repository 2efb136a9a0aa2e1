#include "separate/roformer/config.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include "core/error.h"

namespace midistems::separate::roformer {
namespace {

// Ranges around the released configs (the value in the comment: viperx BS-RoFormer 12.97 vocals;
// the other releases lie within a factor of two). Inside them no size or product overflows; the
// totals below then bound what a model allocates.
constexpr int64_t kMaxDim = 2048;               // 512
constexpr int64_t kMaxDepth = 64;               // 12
constexpr int64_t kMaxStems = 16;               // 1 (4 in the MUSDB model)
constexpr int64_t kMaxTransformerDepth = 16;    // 1
constexpr int64_t kMaxBands = 1024;             // 62
constexpr int64_t kMaxDimHead = 512;            // 64
constexpr int64_t kMaxHeads = 64;               // 8
constexpr int64_t kMinNfft = 16, kMaxNfft = 16384;  // 2048
constexpr int64_t kMaxMaskDepth = 8;            // 2
constexpr int64_t kMaxExpansion = 16;           // 4
constexpr int64_t kMinSampleRate = 8000, kMaxSampleRate = 192000;  // 44100
constexpr int64_t kMaxChunk = int64_t(192000) * 60;  // 352800
constexpr int64_t kMaxOverlap = 64;             // 2 (4 in some configs)
constexpr int64_t kMaxBatch = 64;               // 4
constexpr size_t kMaxSourceNameBytes = 32;
// Totals: parameters (viperx: 1.6e8) and the largest activation of one chunk, in floats
// (viperx: frames x bands x 4 dim = 801 x 62 x 2048 = 1.0e8; the band masks 801 x 8200).
constexpr int64_t kMaxParameters = int64_t(1) << 30;
constexpr int64_t kMaxActivation = int64_t(1) << 29;

// Keys of BSRoformer's constructor that do not change inference (dropout, loss settings, the
// attention kernel, memory checkpointing).
const std::set<std::string> kIgnoredModelKeys = {
    "attn_dropout", "ff_dropout", "flash_attn", "dim_freqs_in", "multi_stft_resolution_loss_weight",
    "multi_stft_resolutions_window_sizes", "multi_stft_hop_size", "multi_stft_normalized", "use_torch_checkpoint"};

struct Reader {
  const std::string& origin;

  [[noreturn]] void fail(const std::string& what) const { throw Error(origin + ": " + what); }

  static std::string show(const YAML::Node& v) {
    if (v.IsScalar()) return v.Scalar().substr(0, 40);
    return v.IsSequence() ? "a list" : v.IsMap() ? "a mapping" : "null";
  }

  int64_t integer(const YAML::Node& v, const std::string& key, int64_t lo, int64_t hi) const {
    if (!v.IsScalar()) fail(key + " is " + show(v) + ", not an integer");
    const std::string& s = v.Scalar();
    // Digits only (an optional sign): 3.5, 4.0, 1e3, 0x10 and "true" are refused, not converted.
    size_t i = (!s.empty() && (s[0] == '-' || s[0] == '+')) ? 1 : 0;
    if (i == s.size() || s.size() > 19) fail(key + " = " + show(v) + " is not an integer in range");
    for (size_t j = i; j < s.size(); ++j)
      if (s[j] < '0' || s[j] > '9') fail(key + " = " + show(v) + " is not an integer");
    const int64_t x = std::stoll(s);
    if (x < lo || x > hi) fail(key + " = " + s + " is outside " + std::to_string(lo) + ".." + std::to_string(hi));
    return x;
  }
  bool boolean(const YAML::Node& v, const std::string& key) const {
    if (v.IsScalar()) {
      const std::string& s = v.Scalar();
      if (s == "true" || s == "True" || s == "TRUE") return true;
      if (s == "false" || s == "False" || s == "FALSE") return false;
    }
    fail(key + " = " + show(v) + " is not true or false");
  }
  std::string name(const YAML::Node& v, const std::string& key) const {
    if (!v.IsScalar() || v.Scalar().empty() || v.Scalar().size() > kMaxSourceNameBytes)
      fail(key + " is not a source name of 1 to " + std::to_string(kMaxSourceNameBytes) + " characters");
    for (char c : v.Scalar())
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'))
        fail(key + " = '" + v.Scalar() + "' is not a source name (letters, digits, '_', '-')");
    return v.Scalar();
  }
};

YAML::Node section(const YAML::Node& root, const char* key, const Reader& r, bool required) {
  const YAML::Node node = root[key];
  if (!node || node.IsNull()) {
    if (required) r.fail(std::string("has no '") + key + "' section");
    return YAML::Node();
  }
  if (!node.IsMap()) r.fail(std::string("'") + key + "' is not a mapping");
  // A key given twice would be read differently by different lookups: refused.
  std::set<std::string> keys;
  for (const auto& item : node)
    if (item.first.IsScalar() && !keys.insert(item.first.Scalar()).second)
      r.fail(std::string(key) + "." + item.first.Scalar() + " is given twice");
  return node;
}

// a * b within `limit`, else an error naming `what`.
int64_t boundedProduct(int64_t a, int64_t b, int64_t limit, const char* what, const Reader& r) {
  if (a != 0 && b > limit / a) r.fail(std::string(what) + " exceeds " + std::to_string(limit));
  return a * b;
}

}  // namespace

std::vector<std::pair<int64_t, int64_t>> melBands(int64_t sampleRate, int64_t nfft, int64_t numBands) {
  // librosa's Slaney mel scale: linear below 1 kHz, logarithmic above.
  const double fSp = 200.0 / 3.0, minLogHz = 1000.0, minLogMel = minLogHz / fSp, logStep = std::log(6.4) / 27.0;
  const auto hzToMel = [&](double f) { return f >= minLogHz ? minLogMel + std::log(f / minLogHz) / logStep : f / fSp; };
  const auto melToHz = [&](double m) { return m >= minLogMel ? minLogHz * std::exp(logStep * (m - minLogMel)) : fSp * m; };
  const int64_t bins = nfft / 2 + 1, points = numBands + 2;
  // np.linspace(hz_to_mel(0), hz_to_mel(sr / 2), n_mels + 2), then back to Hz
  const double lo = hzToMel(0.0), hi = hzToMel(double(sampleRate) / 2.0), step = (hi - lo) / double(points - 1);
  std::vector<double> melF(static_cast<size_t>(points));
  for (int64_t i = 0; i < points; ++i) melF[size_t(i)] = melToHz(i + 1 == points ? hi : double(i) * step + lo);
  // np.fft.rfftfreq(n_fft, 1 / sr)
  const double binHz = 1.0 / (double(nfft) * (1.0 / double(sampleRate)));
  std::vector<std::pair<int64_t, int64_t>> bands;
  for (int64_t m = 0; m < numBands; ++m) {
    const double fdiffLo = melF[size_t(m + 1)] - melF[size_t(m)], fdiffHi = melF[size_t(m + 2)] - melF[size_t(m + 1)];
    int64_t first = -1, last = -1;
    for (int64_t k = 0; k < bins; ++k) {
      const double f = double(k) * binHz;
      const double lower = -(melF[size_t(m)] - f) / fdiffLo, upper = (melF[size_t(m + 2)] - f) / fdiffHi;
      bool positive = std::max(0.0, std::min(lower, upper)) > 0.0;
      if ((m == 0 && k == 0) || (m + 1 == numBands && k + 1 == bins)) positive = true;
      if (positive) {
        if (first < 0) first = k;
        else if (last + 1 != k) return {};  // not contiguous
        last = k;
      }
    }
    bands.emplace_back(first, first < 0 ? 0 : last - first + 1);
  }
  return bands;
}

RoformerConfig RoformerConfig::fromYamlText(const std::string& text, const std::string& origin, RoformerKind kind) {
  const Reader r{origin};
  if (text.size() > kMaxConfigBytes) r.fail("config is larger than " + std::to_string(kMaxConfigBytes >> 10) + " KiB");
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::DeepRecursion& e) {
    // yaml-cpp's own message for this one is "bad file"
    r.fail("not a readable YAML config (nested " + std::to_string(e.depth()) + " levels deep at line " +
           std::to_string(e.mark.line + 1) + ")");
  } catch (const YAML::Exception& e) {
    r.fail("not a readable YAML config (" + std::string(e.what()) + ")");
  }
  if (!root.IsMap()) r.fail("not a model config (a YAML mapping with 'model', 'audio', 'inference')");
  const YAML::Node model = section(root, "model", r, true);
  const YAML::Node audio = section(root, "audio", r, false);
  const YAML::Node inference = section(root, "inference", r, false);
  const YAML::Node training = section(root, "training", r, false);

  RoformerConfig c;
  c.kind = kind;
  const bool mel = kind == RoformerKind::kMelBand;
  if (mel) c.maskEstimatorDepth = 1;  // MelBandRoformer's default
  const std::string className = mel ? "MelBandRoformer" : "BSRoformer";
  bool haveDim = false, haveDepth = false;
  for (const auto& item : model) {
    if (!item.first.IsScalar()) r.fail("a key of 'model' is not a name");
    const std::string key = item.first.Scalar();
    const YAML::Node& v = item.second;
    const std::string k = "model." + key;
    if (key == "dim") c.dim = r.integer(v, k, 1, kMaxDim), haveDim = true;
    else if (key == "depth") c.depth = r.integer(v, k, 1, kMaxDepth), haveDepth = true;
    else if (key == "stereo") c.stereo = r.boolean(v, k);
    else if (key == "num_stems") c.numStems = r.integer(v, k, 1, kMaxStems);
    else if (key == "time_transformer_depth") c.timeTransformerDepth = r.integer(v, k, 1, kMaxTransformerDepth);
    else if (key == "freq_transformer_depth") c.freqTransformerDepth = r.integer(v, k, 1, kMaxTransformerDepth);
    else if (key == "linear_transformer_depth") {
      if (r.integer(v, k, 0, kMaxTransformerDepth) != 0) r.fail(k + ": linear attention layers are not supported");
    } else if (mel && key == "num_bands") {
      c.numBands = r.integer(v, k, 2, kMaxBands);
    } else if (mel && key == "sample_rate") {
      c.melSampleRate = r.integer(v, k, kMinSampleRate, kMaxSampleRate);
    } else if (mel && key == "match_input_audio_length") {
      c.matchInputLength = r.boolean(v, k);
    } else if (!mel && key == "freqs_per_bands") {
      if (!v.IsSequence()) r.fail(k + " is " + Reader::show(v) + ", not a list");
      if (v.size() < 2 || v.size() > size_t(kMaxBands))
        r.fail(k + " has " + std::to_string(v.size()) + " bands, not 2.." + std::to_string(kMaxBands));
      c.freqsPerBands.clear();
      for (size_t i = 0; i < v.size(); ++i) c.freqsPerBands.push_back(r.integer(v[i], k + "[" + std::to_string(i) + "]", 1, kMaxNfft));
    } else if (key == "dim_head") c.dimHead = r.integer(v, k, 2, kMaxDimHead);
    else if (key == "heads") c.heads = r.integer(v, k, 1, kMaxHeads);
    else if (key == "stft_n_fft") c.nfft = r.integer(v, k, kMinNfft, kMaxNfft);
    else if (key == "stft_hop_length") c.hop = r.integer(v, k, 1, kMaxNfft);
    else if (key == "stft_win_length") {
      // checked against stft_n_fft below
      if (r.integer(v, k, 1, kMaxNfft) <= 0) r.fail(k + " must be positive");
    } else if (key == "stft_normalized") {
      if (r.boolean(v, k)) r.fail(k + ": a normalised STFT is not supported");
    } else if (key == "zero_dc") c.zeroDc = r.boolean(v, k);
    else if (key == "mask_estimator_depth") c.maskEstimatorDepth = r.integer(v, k, 1, kMaxMaskDepth);
    else if (key == "mlp_expansion_factor") c.mlpExpansionFactor = r.integer(v, k, 1, kMaxExpansion);
    else if (key == "skip_connection") {
      if (r.boolean(v, k)) r.fail(k + ": skip connections are not supported");
    } else if (key == "use_pope") {
      if (r.boolean(v, k)) r.fail(k + ": PoPE position embeddings are not supported");
    } else if (kIgnoredModelKeys.count(key) == 0) {
      r.fail(k + ": not a " + className + " setting");
    }
  }
  if (!haveDim || !haveDepth) r.fail("model.dim and model.depth are required");
  if (c.dimHead % 2 != 0) r.fail("model.dim_head = " + std::to_string(c.dimHead) + " is odd (rotary pairs)");
  if (c.nfft % 2 != 0) r.fail("model.stft_n_fft = " + std::to_string(c.nfft) + " is odd");
  if (c.hop > c.nfft) r.fail("model.stft_hop_length exceeds stft_n_fft");
  if (const YAML::Node w = model["stft_win_length"]; w && r.integer(w, "model.stft_win_length", 1, kMaxNfft) != c.nfft)
    r.fail("model.stft_win_length must equal stft_n_fft");
  if (mel) {
    for (const auto& [first, count] : melBands(c.melSampleRate, c.nfft, c.numBands)) {
      if (count == 0) r.fail("model.num_bands = " + std::to_string(c.numBands) + " leaves a mel band without STFT bins");
      c.bandStarts.push_back(first);
      c.freqsPerBands.push_back(count);
    }
    if (int64_t(c.freqsPerBands.size()) != c.numBands) r.fail("model.num_bands gives mel bands that are not contiguous");
    // Every bin in some band (the reference asserts it).
    int64_t covered = 0;
    for (size_t b = 0; b < c.bandStarts.size(); ++b) {
      if (c.bandStarts[b] > covered) r.fail("model.num_bands leaves STFT bins outside every mel band");
      covered = std::max(covered, c.bandStarts[b] + c.freqsPerBands[b]);
    }
    if (covered != c.bins()) r.fail("model.num_bands leaves STFT bins outside every mel band");
  } else {
    if (c.freqsPerBands.empty()) r.fail("model.freqs_per_bands is required");
    int64_t sum = 0;
    for (int64_t f : c.freqsPerBands) {
      c.bandStarts.push_back(sum);
      sum += f;  // <= kMaxBands * kMaxNfft
    }
    if (sum != c.bins())
      r.fail("model.freqs_per_bands sums to " + std::to_string(sum) + " bins, the STFT has " + std::to_string(c.bins()));
  }

  if (audio) {
    if (const YAML::Node v = audio["sample_rate"]; v) c.sampleRate = int(r.integer(v, "audio.sample_rate", kMinSampleRate, kMaxSampleRate));
    if (const YAML::Node v = audio["chunk_size"]; v) c.chunkSize = r.integer(v, "audio.chunk_size", 1, kMaxChunk);
    if (const YAML::Node v = audio["num_channels"]; v && r.integer(v, "audio.num_channels", 1, 2) != c.audioChannels())
      r.fail("audio.num_channels does not match model.stereo");
  }
  if (inference) {
    if (const YAML::Node v = inference["chunk_size"]; v) c.chunkSize = r.integer(v, "inference.chunk_size", 1, kMaxChunk);
    if (const YAML::Node v = inference["num_overlap"]; v) c.numOverlap = r.integer(v, "inference.num_overlap", 1, kMaxOverlap);
    if (const YAML::Node v = inference["batch_size"]; v) c.batchSize = r.integer(v, "inference.batch_size", 1, kMaxBatch);
  }
  if (c.chunkSize == 0) r.fail("audio.chunk_size is required");
  if (c.chunkSize < c.numOverlap || c.chunkSize < 10 || c.chunkSize <= c.nfft / 2)
    r.fail("audio.chunk_size = " + std::to_string(c.chunkSize) + " is too short for the STFT and the overlap");
  // MelBandRoformer returns hop * (L // hop) samples: demix needs whole hops.
  if (mel && !c.matchInputLength && c.chunkSize % c.hop != 0)
    r.fail("audio.chunk_size = " + std::to_string(c.chunkSize) + " is not a multiple of model.stft_hop_length");

  if (training) {
    if (const YAML::Node t = training["target_instrument"]; t && !t.IsNull()) {
      c.sources = {r.name(t, "training.target_instrument")};
    } else if (const YAML::Node list = training["instruments"]; list) {
      if (!list.IsSequence() || list.size() > size_t(kMaxStems)) r.fail("training.instruments is not a short list");
      for (size_t i = 0; i < list.size(); ++i) c.sources.push_back(r.name(list[i], "training.instruments"));
    }
  }
  if (int64_t(c.sources.size()) != c.numStems)
    r.fail(std::to_string(c.sources.size()) + " source name(s) in 'training' for model.num_stems = " +
           std::to_string(c.numStems));
  std::set<std::string> unique(c.sources.begin(), c.sources.end());
  if (unique.size() != c.sources.size()) r.fail("training names a source twice");

  // Products: every factor is bounded above, so these stay far from int64 overflow; the totals
  // are then bounded.
  const int64_t bands = int64_t(c.freqsPerBands.size());
  const int64_t inner = c.heads * c.dimHead;
  const int64_t hidden = c.dim * c.mlpExpansionFactor;
  const int64_t perLayer = c.dim * 3 * inner + c.dim * c.heads + c.heads + inner * c.dim + 8 * c.dim * c.dim + 7 * c.dim;
  const int64_t layers = c.depth * (c.timeTransformerDepth + c.freqTransformerDepth);
  int64_t parameters = boundedProduct(layers, perLayer, kMaxParameters, "the transformers' parameter count", r);
  int64_t bandValues = 0;  // Σ band widths: the frame vector, or more where mel bands overlap
  for (int64_t f : c.freqsPerBands) bandValues += 4 * f;
  const int64_t bandSplit = 2 * bandValues + bands * c.dim + c.dim * bandValues;
  const int64_t mask = (c.maskEstimatorDepth + 1) * bands * hidden * hidden + bands * (c.dim + 1) * hidden +
                       (hidden + 1) * 2 * bandValues;
  const int64_t masks = boundedProduct(c.numStems, mask, kMaxParameters, "the mask estimators' parameter count", r);
  if (parameters + bandSplit + masks > kMaxParameters)
    r.fail("the model would have more than " + std::to_string(kMaxParameters) + " parameters");
  const int64_t frames = c.frames(c.chunkSize);
  const int64_t widest = std::max({4 * c.dim, 3 * inner, hidden});
  boundedProduct(boundedProduct(frames, bands, kMaxActivation, "an activation (frames x bands)", r), widest,
                 kMaxActivation, "an activation (frames x bands x width)", r);
  boundedProduct(frames, 2 * bandValues, kMaxActivation, "the band masks (frames x band widths)", r);
  boundedProduct(frames, frames, kMaxActivation, "the attention scores (frames x frames)", r);
  boundedProduct(c.numStems * 2 * c.audioChannels(), c.chunkSize * c.batchSize, kMaxActivation, "a chunk's output", r);
  return c;
}

RoformerConfig RoformerConfig::fromYamlFile(const std::filesystem::path& path, RoformerKind kind) {
  const std::string origin = path.string();
  std::error_code ec;
  const uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) throw Error(origin + ": cannot read the config (" + ec.message() + ")");
  if (size > kMaxConfigBytes) throw Error(origin + ": config is larger than " + std::to_string(kMaxConfigBytes >> 10) + " KiB");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(origin + ": cannot open the config");
  std::ostringstream text;
  text << in.rdbuf();
  return fromYamlText(text.str(), origin, kind);
}

}  // namespace midistems::separate::roformer
