#pragma once
// Where the model's tensors come from. The model asks for every tensor by its checkpoint key and
// expected shape, in module order; a checkpoint source fails loudly on a missing or mis-shaped
// tensor and, at the end, on any tensor nobody asked for. A random source makes a model of any
// size without a file (benchmarks, tests).
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "nn/checkpoint.h"
#include "nn/ops/tensor.h"

namespace midistems::nn {

// What a tensor is for; a random source initialises each kind sensibly.
enum class TensorKind { kWeight, kBias, kNormWeight, kNormBias, kLayerScale, kEmbedding };

class WeightSource {
 public:
  virtual ~WeightSource() = default;
  virtual Tensor take(const std::string& key, const std::vector<int64_t>& shape, TensorKind kind) = 0;
  // Called once every tensor has been taken.
  virtual void finish() {}
};

class CheckpointWeights : public WeightSource {
 public:
  // `origin` (the file name) appears in every error message.
  CheckpointWeights(std::map<std::string, LoadedTensor> state, std::string origin);
  Tensor take(const std::string& key, const std::vector<int64_t>& shape, TensorKind kind) override;
  void finish() override;
  size_t consumed() const { return consumed_; }

 private:
  std::map<std::string, LoadedTensor> state_;
  std::string origin_;
  size_t consumed_ = 0;
};

class RandomWeights : public WeightSource {
 public:
  explicit RandomWeights(uint64_t seed) : rng_(seed) {}
  Tensor take(const std::string& key, const std::vector<int64_t>& shape, TensorKind kind) override;
  size_t parameters() const { return parameters_; }

 private:
  std::mt19937_64 rng_;
  size_t parameters_ = 0;
};

}  // namespace midistems::nn
