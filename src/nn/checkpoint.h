#pragma once
// Reading model checkpoints without Python:
//  - `torch.save` packages (.th/.pt): a zip of stored entries (archive/data.pkl, archive/data/<n>,
//    archive/version) whose pickle is read by a safe interpreter for a subset of protocol 2. It
//    builds values only from a whitelist of globals (torch._utils._rebuild_tensor_v2, torch
//    Half/Float storages, collections.OrderedDict, fractions.Fraction, ...). Nothing is executed;
//    any other global is an error. The model class is kept as a name.
//  - `.safetensors` files.
// Every failure (wrong magic, truncation, hostile sizes, unknown globals) is a midistems::Error.
// A checkpoint is untrusted input, so each reader works within memory budgets counted in bytes
// and nodes, not only in values: what the pickle builds (256 MiB), the JSON made of its plain
// values (64 MiB), the tensor names (64 MiB, each nested state dict walked once), the safetensors
// header (2^21 JSON values; tensors contiguous and non-overlapping, so the floats are at most four
// times the file). Compressed zip entries are refused (torch.save never compresses; deflate
// inflates ~1000-fold). Exceeding a budget is an error naming the file, never gigabytes of memory.
#include <cstdint>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace midistems::nn {

struct LoadedTensor {
  std::vector<int64_t> shape;
  std::vector<float> data;  // row-major (C order), converted to float32 from float16/bfloat16/float32
  int64_t numel() const {
    int64_t n = 1;
    for (auto d : shape) n *= d;
    return n;
  }
};

struct Checkpoint {
  // Model class as "module.name", e.g. "demucs.htdemucs.HTDemucs" (empty for safetensors).
  std::string klass;
  // Constructor keyword arguments, as JSON. Python values map as: dict -> object, list/tuple ->
  // array, str, int, float, bool, None -> null, fractions.Fraction -> {"numerator": n,
  // "denominator": d} (from either the string or the tuple pickling).
  nlohmann::json kwargs = nlohmann::json::object();
  // Parameter name -> tensor, e.g. "encoder.0.conv.weight".
  std::map<std::string, LoadedTensor> state;
  // Anything else in the package worth showing (e.g. "args", "training_args" as JSON when it
  // only contains plain values; unreadable parts are left out).
  nlohmann::json extra = nlohmann::json::object();
};

// Chooses the reader by content (zip magic vs safetensors header), not by file name.
Checkpoint loadCheckpoint(const std::filesystem::path& path);
Checkpoint loadTorchPackage(const std::filesystem::path& path);
Checkpoint loadSafetensors(const std::filesystem::path& path);
// The same from memory (fuzz targets); `name` appears in errors.
Checkpoint parseCheckpoint(const uint8_t* data, size_t size, const std::string& name);
Checkpoint parseTorchPackage(const uint8_t* data, size_t size, const std::string& name);
Checkpoint parseSafetensors(const uint8_t* data, size_t size, const std::string& name);

}  // namespace midistems::nn
