// fuzz-libs: midistems_roformer
// A RoFormer YAML config as `midistems split --model FILE.ckpt --config FILE.yaml` reads it, for
// both classes (RoformerConfig::fromYamlText: every value checked for type and range, every
// product bounded), then, for a config small enough to build here, the binding of the whole module
// tree it describes (random weights through nn::WeightSource, as a checkpoint's are bound). The
// seeds are the layouts of the released configs, so mutations reach the value checks. Only
// midistems::Error may come out.
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/error.h"
#include "nn/weights.h"
#include "separate/roformer/model.h"

namespace {

using midistems::separate::roformer::RoformerConfig;
using midistems::separate::roformer::RoformerKind;

// The tensors of the model `c` describes, counted before any is made: builds only small ones.
bool smallEnough(const RoformerConfig& c) {
  const int64_t inner = c.heads * c.dimHead, hidden = c.dim * c.mlpExpansionFactor;
  int64_t widths = 0;
  for (int64_t f : c.freqsPerBands) widths += 4 * f;
  const int64_t layers = c.depth * (c.timeTransformerDepth + c.freqTransformerDepth);
  const int64_t parameters = layers * (4 * c.dim * inner + 8 * c.dim * c.dim) + c.dim * widths +
                             c.numStems * (int64_t(c.freqsPerBands.size()) * (c.maskEstimatorDepth + 1) * hidden * hidden +
                                           2 * hidden * widths);
  return parameters <= (int64_t(1) << 22);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  for (const RoformerKind kind : {RoformerKind::kBandSplit, RoformerKind::kMelBand}) {
    try {
      const RoformerConfig config = RoformerConfig::fromYamlText(text, "fuzz.yaml", kind);
      if (!smallEnough(config)) continue;
      midistems::nn::RandomWeights weights(1);
      midistems::separate::roformer::RoformerModel model(config, weights);
    } catch (const midistems::Error&) {
    }
  }
  return 0;
}
