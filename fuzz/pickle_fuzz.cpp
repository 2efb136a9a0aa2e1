// fuzz-libs: midistems_checkpoint
// The safe pickle interpreter on its own (no zip, no CRC in the way) and the JSON conversion of
// what it builds, as a package's kwargs and extras are converted: every value of the root in
// turn, then the root itself, against one shared budget. Only midistems::Error may come out.
#include <cstddef>
#include <cstdint>

#include "core/error.h"
#include "nn/checkpoint/pickle.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  namespace pickle = midistems::nn::pickle;
  try {
    const pickle::Graph graph = pickle::run(data, size, "fuzz.pkl");
    pickle::JsonBudget budget("fuzz.pkl");
    nlohmann::json json;
    const pickle::Value& root = graph.at(graph.root);
    if (root.kind == pickle::Kind::Dict || root.kind == pickle::Kind::List || root.kind == pickle::Kind::Tuple)
      for (uint32_t item : root.items) (void)pickle::toJson(graph, item, json, budget);
    (void)pickle::toJson(graph, graph.root, json, budget);
  } catch (const midistems::Error&) {
  }
  return 0;
}
