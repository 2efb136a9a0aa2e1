#pragma once
// HTDemucs behind the Separator interface: demucs/apply.py (apply_model) and
// demucs/api.py (Separator.separate_tensor) for one model or a bag of models.
//  - track normalisation by the mean and std of the mono mix, undone on the stems;
//  - chunks of segment * samplerate samples every (1 - overlap) * segment, padded centrally with
//    the neighbouring audio (zeros only beyond the track), centre-trimmed outputs, triangular
//    overlap-add weights normalised by their sum;
//  - optional random shifts (0 .. samplerate/2 samples, averaged), from a seeded generator;
//  - bags: each model's stems weighted per source and divided by the per-source weight sum.
// Streaming: every (model, shift) lane keeps only about one segment of overlap-add state; stems
// leave through the sink as soon as no later chunk can change them.
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "nn/checkpoint.h"
#include "separate/htdemucs/model.h"
#include "separate/separator.h"

namespace midistems::separate {

struct HTDemucsOptions {
  double overlap = 0.25;
  int shifts = 0;
  uint64_t seed = 0;
  int threads = 0;  // 0: one per hardware thread
};

// modelFiles: one checkpoint (htdemucs, htdemucs_6s) or several (a bag such as htdemucs_ft).
// bagWeights: [model][source], empty for uniform weights. Errors name the file.
std::unique_ptr<Separator> openHTDemucs(const std::vector<std::filesystem::path>& modelFiles,
                                        const std::vector<std::vector<float>>& bagWeights,
                                        const HTDemucsOptions& options);

// Same, from models already built (e.g. with random weights for a benchmark).
std::unique_ptr<Separator> makeHTDemucsSeparator(std::vector<std::unique_ptr<htdemucs::HTDemucsModel>> models,
                                                 const std::vector<std::vector<float>>& bagWeights,
                                                 const HTDemucsOptions& options);

// Loads one HTDemucs checkpoint (strict: every tensor used, none missing, shapes checked).
std::unique_ptr<htdemucs::HTDemucsModel> loadHTDemucsModel(const std::filesystem::path& file);
// The same from a checkpoint already read (`name` appears in errors).
std::unique_ptr<htdemucs::HTDemucsModel> buildHTDemucsModel(nn::Checkpoint checkpoint, const std::string& name);

}  // namespace midistems::separate
