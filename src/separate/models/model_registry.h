#pragma once
// separate/models: the released models Midistems knows by name (Demucs v4 HTDemucs, BS-RoFormer and
// Mel-Band RoFormer), where they are installed, and how they are fetched and checked. HTDemucs facts
// (file names, sha256 prefixes, bag weights) come from the Demucs repository's
// demucs/remote/files.txt and remote/*.yaml; each RoFormer entry says where its sizes and SHA-256
// were published. $MIDISTEMS_MODELS_REGISTRY may name a JSON file of further entries.
// May depend on: core (Error, AtomicFile), libcurl and nlohmann-json.
#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace midistems::separate {

// The network a model file holds; chooses the code that runs it.
enum class Architecture { kHTDemucs, kBSRoformer, kMelBandRoformer };

struct ModelEntry {
  std::string name, description;
  Architecture architecture = Architecture::kHTDemucs;
  // A RoFormer model is two files: its checkpoint (.ckpt) and its YAML config (.yaml), installed
  // under the same name so that the config also sits beside the checkpoint.
  std::vector<std::string> files;           // file names in modelsDir()
  std::vector<std::string> sha256Prefixes;  // one per file: its SHA-256 or the start of it, hex
  std::vector<std::string> urls;            // one per file, where it is published; empty: the
                                            // Demucs release folder + file name
  std::vector<uint64_t> sizes;              // one per file, its published size; empty: not known
  std::vector<std::string> sources;         // output order
  std::vector<std::vector<float>> bagWeights;  // per model, per source; empty = uniform
  bool supported = true;  // false: listed so users learn why it cannot be used
};

// The built-in entries, then those of the file $MIDISTEMS_MODELS_REGISTRY names (when set): JSON
// {"models": [{"name", "description", "architecture" (htdemucs, bs_roformer, mel_band_roformer),
// "sources": [...], "files": [{"name", "url", "size", "sha256"}, ...]}, ...]}, every field checked
// (a RoFormer entry: a .ckpt and a .yaml). Throws midistems::Error naming the file and the field.
const std::vector<ModelEntry>& knownModels();
// nullptr when `name` is not a known model.
const ModelEntry* findModel(const std::string& name);
// The same from a JSON text (`origin` names it in errors); the built-in names are taken.
std::vector<ModelEntry> parseModelRegistry(const std::string& text, const std::string& origin);

// Where models are installed: $MIDISTEMS_MODELS_DIR, else $XDG_DATA_HOME/midistems/models, else
// ~/.local/share/midistems/models.
std::filesystem::path modelsDir();
// Where models are downloaded from: $MIDISTEMS_MODELS_URL, else the Demucs v4 release folder.
// Always ends with '/'.
std::string modelsBaseUrl();
// Where file `index` of `model` is downloaded from: `baseUrl` + its name when `baseUrl` is given
// (a mirror folder), else $MIDISTEMS_MODELS_URL + its name when that is set, else the entry's own
// URL, else the Demucs release folder + its name.
std::string modelFileUrl(const ModelEntry& model, size_t index, const std::string& baseUrl);

// The installed files of `model`, in bag order. Throws midistems::Error ("model 'htdemucs' is not
// installed; run: midistems models fetch htdemucs") when any is missing, or when the model is not
// supported.
std::vector<std::filesystem::path> installedModelFiles(const ModelEntry& model);
// How many of the model's files exist in modelsDir() (without checking their contents).
size_t countInstalledFiles(const ModelEntry& model);

// True when $MIDISTEMS_OFFLINE is set to anything but "", "0", "false", "no" or "off": then
// Midistems downloads nothing (fetchModel refuses; split and run use what is installed).
bool offlineByEnvironment();

// How long a download may spend connecting (name lookup included) before its host counts as
// unreachable. `models fetch`, asked for by name, is patient; the download that split and run
// start on their own is not, so that a machine without a network falls back at once.
inline constexpr long kConnectTimeoutSeconds = 30;
inline constexpr long kAutomaticFetchConnectTimeoutSeconds = 5;

// Called while downloading: file name, bytes received, bytes expected (the published size, else
// what the server announced; 0 while unknown).
using FetchProgress = std::function<void(const std::string& file, uint64_t received, uint64_t total)>;

// Downloads every file of `model` that is missing or fails its checksum (from modelFileUrl) into
// modelsDir(), each to a temporary name that is renamed into place only after its size and
// SHA-256 matched. Throws midistems::Error with one line: "cannot reach <host>: <reason>",
// "<url>: HTTP 404 ...", "<url>: checksum mismatch ...", "<url>: ... bytes, the published size is
// ...", or "downloads are off ..." when a file is needed under offlineByEnvironment() (nothing is
// created then). Never leaves a partial file; a model counts as installed only with all its files.
void fetchModel(const ModelEntry& model, const std::string& baseUrl, const FetchProgress& progress = {},
                long connectTimeoutSeconds = kConnectTimeoutSeconds);

// True when `path` exists and its SHA-256 starts with `sha256Prefix` (hex, any case).
bool verifyFile(const std::filesystem::path& path, const std::string& sha256Prefix);

}  // namespace midistems::separate
