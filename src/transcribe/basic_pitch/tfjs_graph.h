#pragma once
// Reader for a TensorFlow.js "graph-model" folder (model.json + binary weight shards): the graph's
// nodes (name, op, inputs, the few attributes the basic-pitch runner needs) and its constant
// tensors, decoded from the shards in manifest order. Only float32 and int32 tensors without
// quantisation are accepted, which is what the TF.js converter writes for basic-pitch.
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace midistems::transcribe::tfjs {

struct Tensor {
  std::vector<int64_t> shape;
  std::vector<float> floats;   // float32 tensors
  std::vector<int32_t> ints;   // int32 tensors
  bool isInt = false;
  int64_t size() const;
};

struct Node {
  std::string name;
  std::string op;
  std::vector<std::string> inputs;      // node names, without ":0" output suffixes or "^" controls
  std::vector<int64_t> strides;         // attr "strides" (NHWC order), empty when absent
  std::string padding;                  // attr "padding" ("SAME", "VALID"), decoded
  std::string mode;                     // attr "mode" (MirrorPad: "REFLECT" / "SYMMETRIC")
  std::vector<std::string> fusedOps;    // attr "fused_ops" (_FusedConv2D: "BiasAdd", "Relu")
};

class Graph {
 public:
  // Throws midistems::Error naming the file on a missing, malformed or truncated model.
  static Graph load(const std::filesystem::path& modelDir);

  const std::filesystem::path& jsonPath() const { return jsonPath_; }
  // The unique node whose name is `suffix` or ends with "/" + suffix; throws when none or several.
  const Node& nodeBySuffix(const std::string& suffix) const;
  const Node& node(const std::string& name) const;
  bool hasNode(const std::string& name) const { return index_.count(name) != 0; }
  // Nodes that take `name` as an input, in graph order.
  std::vector<const Node*> consumers(const std::string& name) const;
  // The constant tensor stored for node `name` (a Const node); throws when absent.
  const Tensor& constant(const std::string& name) const;
  bool hasConstant(const std::string& name) const { return constants_.count(name) != 0; }
  // Reads a float tensor and checks its shape; throws a one-line error naming the tensor.
  const Tensor& floatTensor(const std::string& name, const std::vector<int64_t>& shape) const;
  const Tensor& intTensor(const std::string& name) const;
  const std::vector<Node>& nodes() const { return nodes_; }

  [[noreturn]] void fail(const std::string& problem) const;

 private:
  std::filesystem::path jsonPath_;
  std::vector<Node> nodes_;
  std::map<std::string, size_t> index_;
  std::map<std::string, std::vector<size_t>> consumers_;
  std::map<std::string, Tensor> constants_;
};

}  // namespace midistems::transcribe::tfjs
