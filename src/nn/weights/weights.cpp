#include "nn/weights.h"

#include <cmath>

#include "core/error.h"

namespace midistems::nn {

CheckpointWeights::CheckpointWeights(std::map<std::string, LoadedTensor> state, std::string origin)
    : state_(std::move(state)), origin_(std::move(origin)) {}

Tensor CheckpointWeights::take(const std::string& key, const std::vector<int64_t>& shape, TensorKind) {
  auto it = state_.find(key);
  if (it == state_.end())
    throw Error(origin_ + ": checkpoint has no tensor '" + key + "' (expected shape " + shapeToString(shape) + ")");
  const LoadedTensor& loaded = it->second;
  if (loaded.shape != shape)
    throw Error(origin_ + ": tensor '" + key + "' has shape " + shapeToString(loaded.shape) + ", expected " +
                shapeToString(shape));
  if (int64_t(loaded.data.size()) != loaded.numel())
    throw Error(origin_ + ": tensor '" + key + "' has " + std::to_string(loaded.data.size()) + " values for shape " +
                shapeToString(loaded.shape));
  Tensor t(shape);
  std::copy(loaded.data.begin(), loaded.data.end(), t.data());
  state_.erase(it);
  ++consumed_;
  return t;
}

void CheckpointWeights::finish() {
  if (state_.empty()) return;
  std::string names;
  int listed = 0;
  for (const auto& [key, tensor] : state_) {
    if (listed++ == 3) {
      names += ", ...";
      break;
    }
    if (!names.empty()) names.append(", ");
    names.append("'").append(key).append("'");
  }
  throw Error(origin_ + ": " + std::to_string(state_.size()) + " checkpoint tensor(s) not used by the model: " + names);
}

Tensor RandomWeights::take(const std::string&, const std::vector<int64_t>& shape, TensorKind kind) {
  Tensor t(shape);
  parameters_ += size_t(t.numel());
  // torch's default initialisation scale: uniform in +-1/sqrt(fan_in), fan_in = numel / shape[0].
  const double fanIn = shape.empty() || shape[0] == 0 ? 1.0 : double(t.numel()) / double(shape[0]);
  double lo = 0.0, hi = 0.0;
  switch (kind) {
    case TensorKind::kWeight: lo = -1.0 / std::sqrt(fanIn); hi = -lo; break;
    case TensorKind::kBias: lo = -0.05; hi = 0.05; break;
    case TensorKind::kNormWeight: lo = 0.8; hi = 1.2; break;
    case TensorKind::kNormBias: lo = -0.1; hi = 0.1; break;
    case TensorKind::kLayerScale: lo = 0.05; hi = 0.2; break;
    case TensorKind::kEmbedding: lo = -0.1; hi = 0.1; break;
  }
  std::uniform_real_distribution<double> dist(lo, hi);
  for (int64_t i = 0; i < t.numel(); ++i) t[i] = float(dist(rng_));
  return t;
}

}  // namespace midistems::nn
