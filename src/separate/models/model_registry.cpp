#include "separate/models/model_registry.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>

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

std::string envOr(const char* name, const std::string& fallback) {
  const char* v = std::getenv(name);
  return v && *v ? std::string(v) : fallback;
}

}  // namespace

const std::vector<ModelEntry>& knownModels() {
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
  };
  return models;
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
  std::string base = baseUrl.empty() ? modelsBaseUrl() : baseUrl;
  if (base.back() != '/') base += '/';
  for (const size_t i : needed) {
    const auto report = [&](uint64_t received, uint64_t total) {
      if (progress) progress(model.files[i], received, total);
    };
    downloadVerified(base + model.files[i], dir / model.files[i], model.sha256Prefixes[i], report,
                     connectTimeoutSeconds);
  }
}

}  // namespace midistems::separate
