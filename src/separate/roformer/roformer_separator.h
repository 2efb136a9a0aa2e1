#pragma once
// BS-RoFormer and Mel-Band RoFormer behind the Separator interface, with the chunking of
// Music-Source-Separation-Training's utils/model_utils.py `demix` (generic mode):
//  - chunk = inference.chunk_size (else audio.chunk_size), step = chunk / num_overlap,
//    border = chunk - step, fade = chunk / 10;
//  - a song longer than 2 border is reflect-padded by border on both sides (trimmed at the end);
//  - chunks start every step; a short last chunk is padded to a whole one, reflecting when it
//    holds more than half a chunk, else with zeros;
//  - weights: ones with a linear fade-in and fade-out (torch.linspace in float32). Chunks go
//    through the model in batches of inference.batch_size, and the fades are decided per batch:
//    the fade-in is kept unless the batch is chunk 0 alone, the fade-out is dropped for every
//    chunk of the batch that holds the last chunk;
//  - output = Σ window · model(chunk) / Σ window, 0 where the window sum is 0.
// Stems leave through the sink as soon as no later chunk reaches them (separate/chunked).
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "nn/checkpoint.h"
#include "separate/chunked/chunked_apply.h"
#include "separate/roformer/model.h"
#include "separate/separator.h"

namespace midistems::separate::roformer {

struct RoformerOptions {
  int threads = 0;  // 0: one per hardware thread
};

// The demix schedule of a song of `length` samples for `config`.
std::unique_ptr<ChunkSchedule> makeDemixSchedule(const RoformerConfig& config, int64_t length);

// The model of a checkpoint already read (strict: every tensor used, none missing, shapes checked);
// `name` appears in errors.
std::unique_ptr<RoformerModel> buildRoformerModel(const RoformerConfig& config, nn::Checkpoint checkpoint,
                                                      const std::string& name);

std::unique_ptr<Separator> makeRoformerSeparator(std::unique_ptr<RoformerModel> model, const RoformerOptions& options);

}  // namespace midistems::separate::roformer
