#include "separate/models/model_registry.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <set>

#include "core/data_dirs.h"
#include "core/error.h"
#include "separate/models/download.h"
#include "separate/models/sha256.h"

namespace midistems::separate {
namespace {

// demucs/pretrained.py: ROOT_URL + the "root:" line of remote/files.txt that lists these files.
constexpr const char* kReleaseUrl = "https://dl.fbaipublicfiles.com/demucs/hybrid_transformer/";

const std::vector<std::string> kFourSources = {"drums", "bass", "other", "vocals"};

// Release files are named "<signature>-<first 8 hex digits of the SHA-256>.th" (torch.hub's
// check_hash convention), so the prefix is read from the name itself.
std::string hashPrefixOf(const std::string& file) {
  const size_t dash = file.find('-'), dot = file.rfind('.');
  return file.substr(dash + 1, dot - dash - 1);
}

ModelEntry entry(std::string name, std::string description, std::vector<std::string> files,
                 std::vector<std::string> sources, std::vector<std::vector<float>> weights = {},
                 bool supported = true) {
  ModelEntry e;
  e.name = std::move(name);
  e.description = std::move(description);
  e.files = std::move(files);
  for (const auto& f : e.files) e.sha256Prefixes.push_back(hashPrefixOf(f));
  e.sources = std::move(sources);
  e.bagWeights = std::move(weights);
  e.supported = supported;
  return e;
}

// A RoFormer release: its checkpoint and its YAML config, installed as <name>.ckpt and <name>.yaml.
struct PublishedFile {
  const char* url;
  uint64_t size;
  const char* sha256;
};

ModelEntry roformer(std::string name, std::string description, Architecture architecture,
                    std::vector<std::string> sources, const PublishedFile& checkpoint, const PublishedFile& config) {
  ModelEntry e;
  e.files = {name + ".ckpt", name + ".yaml"};
  e.name = std::move(name);
  e.description = std::move(description);
  e.architecture = architecture;
  for (const PublishedFile& f : {checkpoint, config}) {
    e.urls.push_back(f.url);
    e.sizes.push_back(f.size);
    e.sha256Prefixes.push_back(f.sha256);
  }
  e.sources = std::move(sources);
  return e;
}

// The configs are pinned to this commit of ZFTurbo/Music-Source-Separation-Training (the one the
// RoFormer parity fixtures were made with); their sizes and SHA-256 are those of the files at it.
#define MIDISTEMS_MSST_CONFIG \
  "https://raw.githubusercontent.com/ZFTurbo/Music-Source-Separation-Training/ccc011abf7f89dd7922bb2888d48493b575c0289/configs/"

std::string envOr(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

}  // namespace

namespace {

const std::vector<ModelEntry>& builtInModels() {
  static const std::vector<ModelEntry> models = {
      entry("htdemucs", "Hybrid Transformer Demucs v4, the default 4-stem model",
            {"955717e8-8726e21a.th"}, kFourSources),
      // remote/htdemucs_ft.yaml: one fine-tuned model per source; the weight matrix picks source
      // s from model s only.
      entry("htdemucs_ft", "htdemucs fine-tuned per source: a bag of 4 models, 4x slower, a little better",
            {"f7e0c4bc-ba3fe64a.th", "d12395a8-e57c48e6.th", "92cfc3b6-ef3bcb9c.th", "04573f0d-f3cf25b2.th"},
            kFourSources, {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}}),
      entry("htdemucs_6s", "experimental 6-stem htdemucs (adds guitar and piano)",
            {"5c90dfd2-34c22ccb.th"}, {"drums", "bass", "other", "vocals", "guitar", "piano"}),
      // remote/hdemucs_mmi.yaml: a v3 Hybrid Demucs, a different network.
      entry("hdemucs_mmi", "Hybrid Demucs v3 (not an HTDemucs network; not supported)",
            {"75fc33f5-1941ce65.th"}, kFourSources, {}, false),
      // model_bs_roformer_ep_317_sdr_12.9755.ckpt of Ultimate Vocal Remover's model repository.
      // Size and SHA-256: the Git LFS pointers of its Hugging Face mirrors
      // datasets/SayanoAI/RVC-Studio (UVR/, commit 42e886c) and
      // KitsuneX07/Music_Source_Sepetration_Models (vocal_models/, commit 638b3f5).
      roformer("bs_roformer_vocals_viperx",
               "BS-RoFormer vocals by viperx (SDR 12.97 in its name, 10.87 on multisong): vocals; "
               "--two-stems vocals adds the instrumental",
               Architecture::kBSRoformer, {"vocals"},
               {"https://github.com/TRvlvr/model_repo/releases/download/all_public_uvr_models/"
                "model_bs_roformer_ep_317_sdr_12.9755.ckpt",
                639331213, "5b84f37e8d444c8cb30c79d77f613a41c05868ff9c9ac6c7049c00aefae115aa"},
               {MIDISTEMS_MSST_CONFIG "viperx/model_bs_roformer_ep_317_sdr_12.9755.yaml", 1881,
                "42e5635ceab7287b83d9591c9880966f0b61cff26a0a40a29d236bacb32e5f2c"}),
      // MelBandRoformer.ckpt of huggingface.co/KimberleyJSN/melbandroformer: the SHA-256 its file
      // page shows (Git LFS details) and the size of the LFS pointer in its mirror
      // Sucial/Music_Source_Sepetration_Models (commit 5cff460, same oid).
      roformer("mel_roformer_vocals_kj",
               "Mel-Band RoFormer vocals by Kimberley Jensen (SDR 10.98 on multisong): vocals; "
               "--two-stems vocals adds the instrumental",
               Architecture::kMelBandRoformer, {"vocals"},
               {"https://huggingface.co/KimberleyJSN/melbandroformer/resolve/main/MelBandRoformer.ckpt", 913106900,
                "87201f4d31afb5bc79993230fc49446918425574db48c01c405e44f365c7559e"},
               {MIDISTEMS_MSST_CONFIG "KimberleyJensen/config_vocals_mel_band_roformer_kj.yaml", 1721,
                "f63f38eb1e6e40a7db0dade714a5ae257555dd8748f4e774eae8679275a81926"}),
      // model_mel_band_roformer_ep_3005_sdr_11.4360.ckpt of Ultimate Vocal Remover's model
      // repository. Size and SHA-256: the Git LFS pointer of its mirror
      // KitsuneX07/Music_Source_Sepetration_Models (vocal_models/, commit 638b3f5).
      roformer("mel_roformer_vocals_viperx",
               "Mel-Band RoFormer vocals by viperx (SDR 11.44 in its name, 9.67 on multisong): vocals; "
               "--two-stems vocals adds the instrumental",
               Architecture::kMelBandRoformer, {"vocals"},
               {"https://github.com/TRvlvr/model_repo/releases/download/all_public_uvr_models/"
                "model_mel_band_roformer_ep_3005_sdr_11.4360.ckpt",
                1007816988, "21b9d0958e35b8ebfbe2afe69bbd5444e5ffe2f5d80ae0d583b833d2f3c0d139"},
               {MIDISTEMS_MSST_CONFIG "viperx/model_mel_band_roformer_ep_3005_sdr_11.4360.yaml", 1404,
                "4e0a24c9078b007caeea94efaad78ed4f29d4f44a80a6aefc4295bff09490314"}),
  };
  return models;
}

#undef MIDISTEMS_MSST_CONFIG

// What a registry file may hold: enough for any catalogue a person writes, little enough that a
// hostile one cannot make the program allocate much.
constexpr uintmax_t kMaxRegistryBytes = 1 << 20;
constexpr size_t kMaxRegistryModels = 256, kMaxFilesPerModel = 16, kMaxSourcesPerModel = 16;
constexpr uint64_t kMaxModelFileBytes = uint64_t(1) << 40;

struct RegistryReader {
  std::string origin;
  [[noreturn]] void fail(const std::string& where, const std::string& what) const {
    throw Error(origin + ": " + where + ": " + what);
  }
  const nlohmann::json& field(const nlohmann::json& object, const char* key, const std::string& where) const {
    const auto it = object.find(key);
    if (it == object.end()) fail(where, std::string("'") + key + "' is missing");
    return *it;
  }
  std::string text(const nlohmann::json& object, const char* key, const std::string& where, size_t maxLength) const {
    const nlohmann::json& v = field(object, key, where);
    const std::string w = where + "." + key;
    if (!v.is_string()) fail(w, "not a string");
    const std::string s = v.get<std::string>();
    if (s.empty() || s.size() > maxLength) fail(w, "must have 1 to " + std::to_string(maxLength) + " characters");
    return s;
  }
  // A name that is safe as a file name in the models folder and on a command line.
  std::string plainName(const nlohmann::json& v, const std::string& where) const {
    if (!v.is_string()) fail(where, "not a string");
    const std::string s = v.get<std::string>();
    const bool safe = !s.empty() && s.size() <= 128 && std::all_of(s.begin(), s.end(), [](unsigned char c) {
      return std::isalnum(c) || c == '_' || c == '-' || c == '.';
    });
    if (!safe || s[0] == '.' || s[0] == '-')
      fail(where, "'" + s.substr(0, 128) + "' is not a plain name (1 to 128 letters, digits, _ - .; not starting with . or -)");
    return s;
  }
  std::string name(const nlohmann::json& object, const char* key, const std::string& where) const {
    return plainName(field(object, key, where), where + "." + key);
  }
  const nlohmann::json& list(const nlohmann::json& object, const char* key, const std::string& where, size_t maxItems) const {
    const nlohmann::json& v = field(object, key, where);
    if (!v.is_array() || v.empty() || v.size() > maxItems)
      fail(where + "." + key, "must be a list of 1 to " + std::to_string(maxItems) + " items");
    return v;
  }
};

Architecture architectureNamed(const std::string& name, const RegistryReader& r, const std::string& where) {
  if (name == "htdemucs") return Architecture::kHTDemucs;
  if (name == "bs_roformer") return Architecture::kBSRoformer;
  if (name == "mel_band_roformer") return Architecture::kMelBandRoformer;
  r.fail(where, "'" + name + "' is not htdemucs, bs_roformer or mel_band_roformer");
}

bool endsWith(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

ModelEntry parseRegistryModel(const nlohmann::json& m, const RegistryReader& r, const std::string& where) {
  if (!m.is_object()) r.fail(where, "not an object");
  ModelEntry e;
  e.name = r.name(m, "name", where);
  e.description = m.contains("description") ? r.text(m, "description", where, 400) : e.name;
  e.architecture = architectureNamed(r.text(m, "architecture", where, 64), r, where + ".architecture");
  std::set<std::string> seen;
  for (size_t i = 0; const auto& s : r.list(m, "sources", where, kMaxSourcesPerModel)) {
    const std::string w = where + ".sources[" + std::to_string(i++) + "]";
    e.sources.push_back(r.plainName(s, w));
    if (!seen.insert(e.sources.back()).second) r.fail(w, "'" + e.sources.back() + "' is named twice");
  }
  seen.clear();
  for (size_t i = 0; const auto& f : r.list(m, "files", where, kMaxFilesPerModel)) {
    const std::string w = where + ".files[" + std::to_string(i++) + "]";
    if (!f.is_object()) r.fail(w, "not an object");
    const std::string file = r.name(f, "name", w);
    if (!seen.insert(file).second) r.fail(w + ".name", "'" + file + "' is named twice");
    const std::string url = r.text(f, "url", w, 2000);
    if (url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0) r.fail(w + ".url", "not an http(s) URL");
    const nlohmann::json& size = r.field(f, "size", w);
    if (!size.is_number_unsigned() || size.get<uint64_t>() == 0 || size.get<uint64_t>() > kMaxModelFileBytes)
      r.fail(w + ".size", "must be a whole number of bytes from 1 to 2^40");
    std::string sha = r.text(f, "sha256", w, 64);
    std::transform(sha.begin(), sha.end(), sha.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    if (sha.size() != 64 || !std::all_of(sha.begin(), sha.end(), [](unsigned char c) { return std::isxdigit(c); }))
      r.fail(w + ".sha256", "must be 64 hexadecimal digits");
    e.files.push_back(file);
    e.urls.push_back(url);
    e.sizes.push_back(size.get<uint64_t>());
    e.sha256Prefixes.push_back(sha);
  }
  if (e.architecture == Architecture::kHTDemucs) {
    for (const auto& f : e.files)
      if (!endsWith(f, ".th") && !endsWith(f, ".safetensors"))
        r.fail(where + ".files", "an htdemucs model is .th or .safetensors files, not '" + f + "'");
  } else if (e.files.size() != 2 || !endsWith(e.files[0], ".ckpt") || !endsWith(e.files[1], ".yaml")) {
    r.fail(where + ".files", "a RoFormer model is two files: its .ckpt, then its .yaml config");
  }
  return e;
}

}  // namespace

std::vector<ModelEntry> parseModelRegistry(const std::string& text, const std::string& origin) {
  const RegistryReader r{origin};
  if (text.size() > kMaxRegistryBytes) r.fail("file", "larger than " + std::to_string(kMaxRegistryBytes >> 10) + " KiB");
  nlohmann::json root;
  try {
    root = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw Error(origin + ": not valid JSON (" + e.what() + ")");
  }
  if (!root.is_object()) r.fail("file", "not a JSON object with a \"models\" list");
  const nlohmann::json& models = r.list(root, "models", "file", kMaxRegistryModels);
  std::set<std::string> names = {"dsp"};
  std::map<std::string, std::string> owners;  // installed file name -> its model: one folder for all
  for (const auto& m : builtInModels()) {
    names.insert(m.name);
    for (const auto& f : m.files) owners.emplace(f, m.name);
  }
  std::vector<ModelEntry> entries;
  for (size_t i = 0; i < models.size(); ++i) {
    const std::string where = "models[" + std::to_string(i) + "]";
    entries.push_back(parseRegistryModel(models[i], r, where));
    const ModelEntry& e = entries.back();
    if (!names.insert(e.name).second)
      r.fail(where + ".name", "'" + e.name + "' is taken (a built-in model or an earlier entry)");
    for (size_t f = 0; f < e.files.size(); ++f)
      if (const auto [it, added] = owners.emplace(e.files[f], e.name); !added)
        r.fail(where + ".files[" + std::to_string(f) + "].name", "'" + e.files[f] + "' is a file of model '" + it->second + "'");
  }
  return entries;
}

const std::vector<ModelEntry>& knownModels() {
  const char* file = std::getenv("MIDISTEMS_MODELS_REGISTRY");
  if (!file || !*file) return builtInModels();
  // One list per registry file read; kept for the life of the program, so that what findModel
  // returned stays valid.
  static std::mutex mutex;
  static std::map<std::string, std::vector<ModelEntry>> lists;
  const std::lock_guard<std::mutex> lock(mutex);
  if (const auto it = lists.find(file); it != lists.end()) return it->second;
  std::error_code ec;
  const uintmax_t size = std::filesystem::file_size(file, ec);
  if (ec) throw Error(std::string(file) + ": cannot read the models registry ($MIDISTEMS_MODELS_REGISTRY): " + ec.message());
  if (size > kMaxRegistryBytes)
    throw Error(std::string(file) + ": file: larger than " + std::to_string(kMaxRegistryBytes >> 10) + " KiB");
  std::ifstream in(file, std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (!in && !in.eof()) throw Error(std::string(file) + ": cannot read the models registry");
  std::vector<ModelEntry> all = builtInModels();
  for (auto& e : parseModelRegistry(text, file)) all.push_back(std::move(e));
  return lists.emplace(file, std::move(all)).first->second;
}

const ModelEntry* findModel(const std::string& name) {
  for (const auto& m : knownModels())
    if (m.name == name) return &m;
  return nullptr;
}

std::filesystem::path modelsDir() {
  if (const char* dir = std::getenv("MIDISTEMS_MODELS_DIR"); dir && *dir) return dir;
  if (const auto data = userDataDir(); !data.empty()) return data / "models";
  throw Error("cannot find a folder for models: set MIDISTEMS_MODELS_DIR (or HOME)");
}

bool offlineByEnvironment() {
  const char* v = std::getenv("MIDISTEMS_OFFLINE");
  if (!v || !*v) return false;
  std::string value(v);
  std::transform(value.begin(), value.end(), value.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return value != "0" && value != "false" && value != "no" && value != "off";
}

std::string modelsBaseUrl() {
  std::string url = envOr("MIDISTEMS_MODELS_URL", kReleaseUrl);
  if (url.back() != '/') url += '/';
  return url;
}

std::string modelFileUrl(const ModelEntry& model, size_t index, const std::string& baseUrl) {
  const char* mirror = std::getenv("MIDISTEMS_MODELS_URL");
  if (baseUrl.empty() && !(mirror && *mirror) && index < model.urls.size()) return model.urls[index];
  std::string base = baseUrl.empty() ? modelsBaseUrl() : baseUrl;
  if (base.back() != '/') base += '/';
  return base + model.files[index];
}

size_t countInstalledFiles(const ModelEntry& model) {
  const auto dir = modelsDir();
  std::error_code ec;
  return size_t(std::count_if(model.files.begin(), model.files.end(),
                              [&](const std::string& f) { return std::filesystem::is_regular_file(dir / f, ec); }));
}

std::vector<std::filesystem::path> installedModelFiles(const ModelEntry& model) {
  if (!model.supported)
    throw Error(fmt::format("model '{}' is not supported: {}", model.name, model.description));
  const auto dir = modelsDir();
  std::vector<std::filesystem::path> paths;
  for (const auto& f : model.files) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(dir / f, ec))
      throw Error(fmt::format("model '{}' is not installed; run: midistems models fetch {}", model.name,
                              model.name));
    paths.push_back(dir / f);
  }
  return paths;
}

bool verifyFile(const std::filesystem::path& path, const std::string& sha256Prefix) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) return false;
  std::string prefix = sha256Prefix;
  std::transform(prefix.begin(), prefix.end(), prefix.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return sha256File(path).compare(0, prefix.size(), prefix) == 0;
}

void fetchModel(const ModelEntry& model, const std::string& baseUrl, const FetchProgress& progress,
                long connectTimeoutSeconds) {
  if (!model.supported)
    throw Error(fmt::format("model '{}' is not supported: {}", model.name, model.description));
  const auto dir = modelsDir();
  std::vector<size_t> needed;  // files missing or damaged
  for (size_t i = 0; i < model.files.size(); ++i)
    if (!verifyFile(dir / model.files[i], model.sha256Prefixes[i])) needed.push_back(i);
  if (needed.empty()) return;
  if (offlineByEnvironment())
    throw Error(fmt::format("model '{}' is not installed and downloads are off (MIDISTEMS_OFFLINE is set)",
                            model.name));
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw Error(fmt::format("{}: cannot create the models folder ({})", dir.string(), ec.message()));
  for (const size_t i : needed) {
    const auto report = [&](uint64_t received, uint64_t total) {
      if (progress) progress(model.files[i], received, total);
    };
    downloadVerified(modelFileUrl(model, i, baseUrl), dir / model.files[i], model.sha256Prefixes[i],
                     i < model.sizes.size() ? model.sizes[i] : 0, report, connectTimeoutSeconds);
  }
}

}  // namespace midistems::separate
