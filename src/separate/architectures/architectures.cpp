#include "separate/architectures/architectures.h"

#include <algorithm>
#include <functional>

#include "core/error.h"
#include "separate/htdemucs/htdemucs_separator.h"
#include "separate/roformer/roformer_separator.h"

namespace midistems::separate {
namespace {

namespace fs = std::filesystem;

// Reads file i of a model and checks that it holds the model's architecture; each is read only
// when its predecessor has been turned into a network, so a bag never holds two checkpoints.
using Loader = std::function<nn::Checkpoint(size_t)>;
using Opener = std::unique_ptr<Separator> (*)(const Loader& load, const std::vector<fs::path>& files,
                                              const std::vector<std::vector<float>>& bagWeights,
                                              const ModelFileOptions& options);

std::unique_ptr<Separator> openHTDemucsFiles(const Loader& load, const std::vector<fs::path>& files,
                                             const std::vector<std::vector<float>>& bagWeights,
                                             const ModelFileOptions& options) {
  std::vector<std::unique_ptr<htdemucs::HTDemucsModel>> models;
  for (size_t i = 0; i < files.size(); ++i) models.push_back(buildHTDemucsModel(load(i), files[i].string()));
  HTDemucsOptions ht;
  ht.overlap = options.overlap;
  ht.shifts = options.shifts;
  ht.threads = options.threads;
  return makeHTDemucsSeparator(std::move(models), bagWeights, ht);
}

// BS-RoFormer and Mel-Band RoFormer: one checkpoint and its YAML config.
std::unique_ptr<Separator> openRoformerFiles(const Loader& load, const std::vector<fs::path>& files,
                                             const std::vector<std::vector<float>>& bagWeights,
                                             const ModelFileOptions& options, roformer::RoformerKind kind) {
  const std::string name = files[0].string();
  const std::string what = kind == roformer::RoformerKind::kMelBand ? "Mel-Band RoFormer" : "BS-RoFormer";
  if (files.size() != 1 || !bagWeights.empty()) throw Error(name + ": " + what + " models do not form bags");
  fs::path config = options.config;
  if (config.empty()) {
    config = fs::path(files[0]).replace_extension(".yaml");
    std::error_code ec;
    if (!fs::is_regular_file(config, ec))
      throw Error(name + ": a " + what + " checkpoint needs its YAML config (--config FILE.yaml, or " +
                  config.filename().string() + " beside it)");
  }
  const roformer::RoformerConfig parsed = roformer::RoformerConfig::fromYamlFile(config, kind);
  roformer::RoformerOptions ro;
  ro.threads = options.threads;
  return roformer::makeRoformerSeparator(roformer::buildRoformerModel(parsed, load(0), name), ro);
}

std::unique_ptr<Separator> openBSRoformerFiles(const Loader& load, const std::vector<fs::path>& files,
                                               const std::vector<std::vector<float>>& bagWeights,
                                               const ModelFileOptions& options) {
  return openRoformerFiles(load, files, bagWeights, options, roformer::RoformerKind::kBandSplit);
}

std::unique_ptr<Separator> openMelBandRoformerFiles(const Loader& load, const std::vector<fs::path>& files,
                                                    const std::vector<std::vector<float>>& bagWeights,
                                                    const ModelFileOptions& options) {
  return openRoformerFiles(load, files, bagWeights, options, roformer::RoformerKind::kMelBand);
}

struct Registration {
  Architecture architecture;
  const char* name;
  Opener open;
};

// One line per architecture.
const Registration kArchitectures[] = {
    {Architecture::kHTDemucs, "HTDemucs", openHTDemucsFiles},
    {Architecture::kBSRoformer, "BS-RoFormer", openBSRoformerFiles},
    {Architecture::kMelBandRoformer, "Mel-Band RoFormer", openMelBandRoformerFiles},
};

const Registration& registrationOf(Architecture architecture, const std::string& name) {
  for (const auto& r : kArchitectures)
    if (r.architecture == architecture) return r;
  throw Error(name + ": a " + architectureName(architecture) + " checkpoint, which this build cannot run");
}

}  // namespace

const char* architectureName(Architecture architecture) {
  switch (architecture) {
    case Architecture::kHTDemucs: return "HTDemucs";
    case Architecture::kBSRoformer: return "BS-RoFormer";
    case Architecture::kMelBandRoformer: return "Mel-Band RoFormer";
  }
  return "unknown";
}

Architecture detectArchitecture(const nn::Checkpoint& checkpoint, const std::string& name) {
  if (checkpoint.klass == "demucs.htdemucs.HTDemucs") return Architecture::kHTDemucs;
  if (!checkpoint.klass.empty())
    throw Error(name + ": a " + checkpoint.klass + " checkpoint, not a model Midistems can run");
  if (checkpoint.state.count("band_split.to_features.0.0.gamma"))
    return checkpoint.state.count("final_norm.gamma") ? Architecture::kBSRoformer : Architecture::kMelBandRoformer;
  // A bare state dict of no known layout (e.g. an HTDemucs safetensors export): HTDemucs' own
  // checks then say what is missing.
  return Architecture::kHTDemucs;
}

namespace {

// Opens `files` as `architecture` when given, else as what the first file holds.
std::unique_ptr<Separator> openFiles(const std::vector<fs::path>& files, const std::vector<std::vector<float>>& bagWeights,
                                     const ModelFileOptions& options, const Architecture* declared,
                                     const std::string& modelName) {
  if (files.empty()) throw Error("no model file given");
  nn::Checkpoint first = nn::loadCheckpoint(files[0]);
  const Architecture architecture = detectArchitecture(first, files[0].string());
  if (declared && architecture != *declared)
    throw Error(files[0].string() + ": a " + architectureName(architecture) + " checkpoint, but model '" + modelName +
                "' is " + architectureName(*declared));
  bool firstTaken = false;
  const Loader load = [&](size_t i) {
    if (i == 0 && !firstTaken) {
      firstTaken = true;
      return std::move(first);
    }
    nn::Checkpoint c = nn::loadCheckpoint(files[i]);
    const Architecture a = detectArchitecture(c, files[i].string());
    if (a != architecture)
      throw Error(files[i].string() + ": a " + architectureName(a) + " checkpoint among " +
                  architectureName(architecture) + " ones");
    return c;
  };
  return registrationOf(architecture, files[0].string()).open(load, files, bagWeights, options);
}

}  // namespace

std::unique_ptr<Separator> openModelFiles(const std::vector<fs::path>& files,
                                          const std::vector<std::vector<float>>& bagWeights,
                                          const ModelFileOptions& options) {
  return openFiles(files, bagWeights, options, nullptr, "");
}

std::unique_ptr<Separator> openRegistryModel(const ModelEntry& entry, const ModelFileOptions& options) {
  std::vector<fs::path> files = installedModelFiles(entry);
  ModelFileOptions opened = options;
  // A RoFormer release is its checkpoint and the YAML config installed with it.
  if (const auto config = std::find_if(files.begin(), files.end(), [](const fs::path& f) { return f.extension() == ".yaml"; });
      config != files.end()) {
    opened.config = *config;
    files.erase(config);
  }
  return openFiles(files, entry.bagWeights, opened, &entry.architecture, entry.name);
}

}  // namespace midistems::separate
