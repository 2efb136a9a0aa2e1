// Fuzz target for the checkpoint readers: every input goes to the torch.save package reader, the
// safetensors reader and, directly, the safe pickle interpreter (so mutations that break a zip
// checksum still exercise the pickle code). Only midistems::Error may come out.
// fuzz-libs: midistems_checkpoint
#include <cstddef>
#include <cstdint>

#include "core/error.h"
#include "nn/checkpoint.h"
#include "nn/checkpoint/pickle.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    midistems::nn::parseTorchPackage(data, size, "fuzz.th");
  } catch (const midistems::Error&) {
  }
  try {
    midistems::nn::parseSafetensors(data, size, "fuzz.safetensors");
  } catch (const midistems::Error&) {
  }
  try {
    const auto graph = midistems::nn::pickle::run(data, size, "fuzz.pkl");
    nlohmann::json json;
    midistems::nn::pickle::JsonBudget budget("fuzz.pkl");
    midistems::nn::pickle::toJson(graph, graph.root, json, budget);
  } catch (const midistems::Error&) {
  }
  return 0;
}
