// Reading the values a pickle built: plain data as JSON, dict lookups, element types.
#include "nn/checkpoint/pickle.h"

#include <fmt/format.h>

#include "core/error.h"

namespace midistems::nn::pickle {
namespace {

// Real keyword arguments nest three or four levels; anything deeper is hostile or a cycle.
constexpr int kMaxJsonDepth = 64;
// What one JSON node costs, roughly: the 16-byte nlohmann::json value plus the vector slot or map
// node that holds it (a map node with its key is ~80 bytes, an array slot 16).
constexpr size_t kJsonNodeBytes = 64;
// The JSON of one package: a real one has a few hundred nodes of keyword arguments and training
// settings (tens of kilobytes); 64 MiB is a million nodes.
constexpr size_t kMaxJsonBytes = size_t(64) << 20;

bool toJsonAt(const Graph& g, uint32_t id, nlohmann::json& out, int depth, JsonBudget& budget) {
  if (depth > kMaxJsonDepth) return false;
  const Value& v = g.at(id);
  budget.spend(v.kind == Kind::Str ? v.text.size() : 0);
  switch (v.kind) {
    case Kind::None:
      out = nullptr;
      return true;
    case Kind::Bool:
      out = v.boolean;
      return true;
    case Kind::Int:
      out = v.integer;
      return true;
    case Kind::Float:
      out = v.number;
      return true;
    case Kind::Str:
      // nlohmann::json refuses to dump invalid UTF-8; such text is left out.
      try {
        (void)nlohmann::json(v.text).dump();
      } catch (const nlohmann::json::exception&) {
        return false;
      }
      out = v.text;
      return true;
    case Kind::Fraction:
      out = nlohmann::json{{"numerator", v.integer}, {"denominator", v.index}};
      return true;
    case Kind::List:
    case Kind::Tuple:
      out = nlohmann::json::array();
      for (uint32_t item : v.items) {
        nlohmann::json j;
        if (!toJsonAt(g, item, j, depth + 1, budget)) return false;
        out.push_back(std::move(j));
      }
      return true;
    case Kind::Dict:
      out = nlohmann::json::object();
      for (size_t i = 0; i + 1 < v.items.size(); i += 2) {
        const Value& key = g.at(v.items[i]);
        std::string k;
        if (key.kind == Kind::Str) k = key.text;
        else if (key.kind == Kind::Int) k = std::to_string(key.integer);
        else return false;
        budget.spend(k.size());
        nlohmann::json j;
        if (!toJsonAt(g, v.items[i + 1], j, depth + 1, budget)) return false;
        try {
          out[k] = std::move(j);
        } catch (const nlohmann::json::exception&) {
          return false;
        }
      }
      return true;
    default:
      return false;
  }
}

}  // namespace

size_t dtypeSize(DType dtype) {
  switch (dtype) {
    case DType::F64:
    case DType::I64: return 8;
    case DType::F32:
    case DType::I32: return 4;
    case DType::F16:
    case DType::BF16:
    case DType::I16: return 2;
    default: return 1;
  }
}

const char* dtypeName(DType dtype) {
  static const char* kNames[] = {"float16", "bfloat16", "float32", "float64", "int64",
                                 "int32",   "int16",    "int8",    "uint8",   "bool"};
  return kNames[size_t(dtype)];
}

void JsonBudget::spend(size_t textBytes) {
  const size_t bytes = kJsonNodeBytes + textBytes;
  if (bytes > kMaxJsonBytes - spentBytes_)
    throw Error(fmt::format("{}: the plain values in the pickle expand to more than {} MiB of JSON "
                            "(one value repeated over and over)",
                            context_, kMaxJsonBytes >> 20));
  spentBytes_ += bytes;
}

bool toJson(const Graph& graph, uint32_t id, nlohmann::json& out, JsonBudget& budget) {
  return toJsonAt(graph, id, out, 0, budget);
}

const uint32_t* dictFind(const Graph& graph, const Value& dict, const std::string& key) {
  const uint32_t* found = nullptr;
  for (size_t i = 0; i + 1 < dict.items.size(); i += 2) {
    const Value& k = graph.at(dict.items[i]);
    if (k.kind == Kind::Str && k.text == key) found = &dict.items[i + 1];
  }
  return found;
}

}  // namespace midistems::nn::pickle
