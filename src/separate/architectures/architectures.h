#pragma once
// Opening a model file with the network it holds. The architecture comes from the checkpoint
// itself, never from its file name: the pickled class (demucs.htdemucs.HTDemucs), else the tensor
// names of a plain state dict (band_split.to_features.*: BS-RoFormer with final_norm.gamma,
// Mel-Band RoFormer without).
// RoFormer checkpoints carry no settings; theirs come from a YAML config, given or found beside
// the checkpoint under the same name (model.ckpt -> model.yaml).
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "nn/checkpoint.h"
#include "separate/models/model_registry.h"
#include "separate/separator.h"

namespace midistems::separate {

struct ModelFileOptions {
  double overlap = 0.25;  // HTDemucs
  int shifts = 0;         // HTDemucs
  int threads = 0;
  std::filesystem::path config;  // RoFormer: the YAML config; empty: <checkpoint stem>.yaml beside it
};

const char* architectureName(Architecture architecture);

// Throws midistems::Error naming `name` when the checkpoint is none of the known architectures.
Architecture detectArchitecture(const nn::Checkpoint& checkpoint, const std::string& name);

// One checkpoint, or the files of a bag of HTDemucs models (bagWeights: [model][source], empty
// for uniform). Errors are one line naming the file.
std::unique_ptr<Separator> openModelFiles(const std::vector<std::filesystem::path>& files,
                                          const std::vector<std::vector<float>>& bagWeights,
                                          const ModelFileOptions& options);

// The same for an installed registry entry, whose files must hold its declared architecture; a
// RoFormer entry's .yaml file is its config (options.config is not used).
std::unique_ptr<Separator> openRegistryModel(const ModelEntry& entry, const ModelFileOptions& options);

}  // namespace midistems::separate
