#include "transcribe/basic_pitch/tfjs_graph.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <sstream>

#include "core/error.h"

namespace midistems::transcribe::tfjs {

namespace {

using nlohmann::json;

// A model folder is untrusted input. The released basic-pitch model has a 175 KB model.json and
// one 0.7 MB weight shard; these bounds leave a margin of about a hundred, and keep what the
// reader allocates (a JSON tree a few times its text, the weights once) far below a gigabyte
// however the manifest names and repeats its shards.
constexpr uintmax_t kMaxModelJsonBytes = uintmax_t(16) << 20;
constexpr uintmax_t kMaxWeightBytes = uintmax_t(64) << 20;
constexpr size_t kMaxTensorRank = 8;

// Graph attributes of type string are stored base64-encoded in model.json (protobuf bytes).
std::string decodeBase64(const std::string& text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+' || c == '-') return 62;
    if (c == '/' || c == '_') return 63;
    return -1;
  };
  std::string out;
  int bits = 0, buffer = 0;
  for (char c : text) {
    const int v = value(c);
    if (v < 0) continue;  // '=' padding
    buffer = (buffer << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(char((buffer >> bits) & 0xff));
    }
  }
  return out;
}

std::string stripInputName(std::string name) {
  if (!name.empty() && name[0] == '^') name.erase(0, 1);
  if (const auto colon = name.rfind(':'); colon != std::string::npos) name.erase(colon);
  return name;
}

std::string shapeText(const std::vector<int64_t>& shape) {
  std::ostringstream s;
  s << '[';
  for (size_t i = 0; i < shape.size(); ++i) s << (i ? "," : "") << shape[i];
  s << ']';
  return s.str();
}

Node parseNode(const json& j) {
  Node node;
  node.name = j.at("name").get<std::string>();
  node.op = j.at("op").get<std::string>();
  if (j.contains("input"))
    for (const auto& in : j.at("input")) node.inputs.push_back(stripInputName(in.get<std::string>()));
  if (!j.contains("attr")) return node;
  const json& attr = j.at("attr");
  if (attr.contains("strides"))
    for (const auto& v : attr["strides"].at("list").value("i", json::array()))
      node.strides.push_back(std::stoll(v.get<std::string>()));
  if (attr.contains("padding")) node.padding = decodeBase64(attr["padding"].value("s", ""));
  if (attr.contains("mode")) node.mode = decodeBase64(attr["mode"].value("s", ""));
  if (attr.contains("fused_ops"))
    for (const auto& v : attr["fused_ops"].at("list").value("s", json::array()))
      node.fusedOps.push_back(decodeBase64(v.get<std::string>()));
  return node;
}

}  // namespace

int64_t Tensor::size() const {
  int64_t n = 1;
  for (auto d : shape) n *= d;
  return n;
}

void Graph::fail(const std::string& problem) const {
  throw Error(jsonPath_.string() + ": " + problem);
}

Graph Graph::load(const std::filesystem::path& modelDir) {
  Graph g;
  g.jsonPath_ = modelDir / "model.json";
  if (!std::filesystem::is_directory(modelDir))
    throw Error(modelDir.string() + ": basic-pitch model folder not found");
  std::ifstream in(g.jsonPath_);
  if (!in) throw Error(g.jsonPath_.string() + ": basic-pitch model file not found");
  std::error_code ec;
  if (const uintmax_t size = std::filesystem::file_size(g.jsonPath_, ec); !ec && size > kMaxModelJsonBytes)
    g.fail("model description of " + std::to_string(size) + " bytes is larger than " +
           std::to_string(kMaxModelJsonBytes >> 20) + " MiB");

  json doc;
  try {
    doc = json::parse(in);
  } catch (const json::exception& e) {
    g.fail(std::string("not valid JSON (") + e.what() + ")");
  }

  std::vector<std::pair<std::string, std::vector<std::string>>> groups;
  try {
    if (doc.value("format", "") != "graph-model") g.fail("not a TF.js graph model (\"format\" is not \"graph-model\")");
    for (const auto& n : doc.at("modelTopology").at("node")) g.nodes_.push_back(parseNode(n));

    // Weight groups: each lists shard files and, in order, the tensors packed into them.
    uintmax_t weightBytes = 0;  // over all groups: a manifest may name one shard many times
    for (const auto& group : doc.at("weightsManifest")) {
      std::string bytes;
      for (const auto& p : group.at("paths")) {
        const std::string rel = p.get<std::string>();
        if (rel.find("..") != std::string::npos || rel.empty() || rel[0] == '/')
          g.fail("weight shard path \"" + rel + "\" leaves the model folder");
        const auto shardPath = modelDir / rel;
        std::ifstream shard(shardPath, std::ios::binary);
        if (!shard) g.fail("weight shard " + rel + " not found");
        const uintmax_t shardBytes = std::filesystem::file_size(shardPath, ec);
        if (ec) g.fail("weight shard " + rel + " is not a regular file");
        if (shardBytes > kMaxWeightBytes - weightBytes)
          g.fail("weight shards take more than " + std::to_string(kMaxWeightBytes >> 20) + " MiB (at " + rel + ")");
        weightBytes += shardBytes;
        std::ostringstream s;
        s << shard.rdbuf();
        bytes += s.str();
      }
      size_t offset = 0;
      for (const auto& w : group.at("weights")) {
        Tensor t;
        const std::string name = w.at("name").get<std::string>();
        // The shard holds at most `room` more values; the product of the sizes is checked against
        // it one factor at a time, so it never overflows (a zero size makes an empty tensor, but
        // the other sizes must still fit).
        const uint64_t room = (bytes.size() - offset) / 4;
        uint64_t extent = 1;
        bool empty = false;
        const json& shape = w.at("shape");
        if (!shape.is_array() || shape.size() > kMaxTensorRank) g.fail("tensor " + name + " has an invalid shape");
        for (const auto& d : shape) {
          if (!d.is_number_integer() || d.get<int64_t>() < 0) g.fail("tensor " + name + " has an invalid shape");
          const uint64_t dim = d.get<uint64_t>();
          if (dim != 0 && dim > room / extent)
            g.fail("weight shard is truncated (tensor " + name + " " + shape.dump() + " needs bytes beyond its end)");
          if (dim == 0) empty = true;
          else extent *= dim;
          t.shape.push_back(int64_t(dim));
        }
        const uint64_t count = empty ? 0 : extent;
        if (w.contains("quantization")) g.fail("tensor " + name + " is quantised (not supported)");
        const std::string dtype = w.at("dtype").get<std::string>();
        if (dtype != "float32" && dtype != "int32")
          g.fail("tensor " + name + " has unsupported dtype " + dtype);
        t.isInt = dtype == "int32";
        const auto n = size_t(count);
        // An empty tensor (a zero in its shape) has no data pointer to copy into.
        if (t.isInt) {
          t.ints.resize(n);
          if (n > 0) std::memcpy(t.ints.data(), bytes.data() + offset, n * 4);
        } else {
          t.floats.resize(n);
          if (n > 0) std::memcpy(t.floats.data(), bytes.data() + offset, n * 4);
        }
        offset += n * 4;
        g.constants_[name] = std::move(t);
      }
      if (offset != bytes.size())
        g.fail("weight shard size (" + std::to_string(bytes.size()) + " bytes) does not match the manifest (" +
               std::to_string(offset) + " bytes)");
    }
  } catch (const json::exception& e) {
    g.fail(std::string("malformed model description (") + e.what() + ")");
  } catch (const std::invalid_argument&) {
    g.fail("malformed node attribute");
  } catch (const std::out_of_range&) {
    g.fail("malformed node attribute");
  }

  for (size_t i = 0; i < g.nodes_.size(); ++i) {
    g.index_[g.nodes_[i].name] = i;
    for (const auto& in : g.nodes_[i].inputs) g.consumers_[in].push_back(i);
  }
  return g;
}

const Node& Graph::node(const std::string& name) const {
  const auto it = index_.find(name);
  if (it == index_.end()) fail("graph has no node " + name);
  return nodes_[it->second];
}

const Node& Graph::nodeBySuffix(const std::string& suffix) const {
  const Node* found = nullptr;
  for (const auto& n : nodes_) {
    const bool match = n.name == suffix || (n.name.size() > suffix.size() &&
                                            n.name.compare(n.name.size() - suffix.size(), suffix.size(), suffix) == 0 &&
                                            n.name[n.name.size() - suffix.size() - 1] == '/');
    if (!match) continue;
    if (found) fail("graph has several nodes named */" + suffix);
    found = &n;
  }
  if (!found) fail("graph has no node */" + suffix);
  return *found;
}

std::vector<const Node*> Graph::consumers(const std::string& name) const {
  std::vector<const Node*> out;
  if (const auto it = consumers_.find(name); it != consumers_.end())
    for (size_t i : it->second) out.push_back(&nodes_[i]);
  return out;
}

const Tensor& Graph::constant(const std::string& name) const {
  const auto it = constants_.find(name);
  if (it == constants_.end()) fail("weights have no tensor " + name);
  return it->second;
}

const Tensor& Graph::floatTensor(const std::string& name, const std::vector<int64_t>& shape) const {
  const Tensor& t = constant(name);
  if (t.isInt) fail("tensor " + name + " is int32, expected float32");
  if (t.shape != shape)
    fail("tensor " + name + " has shape " + shapeText(t.shape) + ", expected " + shapeText(shape));
  return t;
}

const Tensor& Graph::intTensor(const std::string& name) const {
  const Tensor& t = constant(name);
  if (!t.isInt) fail("tensor " + name + " is float32, expected int32");
  return t;
}

}  // namespace midistems::transcribe::tfjs
