#pragma once
// A safe interpreter for the subset of Python's pickle format that `torch.save` writes (protocol
// 2, plus the few protocol 3/4 opcodes that newer writers use). It never executes anything: every
// value is built from plain data, and a call (REDUCE, NEWOBJ) is only allowed for a short whitelist
// of globals whose meaning is reproduced here (tensor rebuild, OrderedDict, Fraction). Any other
// global may appear only as an inert name (e.g. the model class stored in a package).
//
// Values live in one flat arena and refer to each other by index, so hostile nesting, cycles or
// huge fan-out cannot exhaust the C++ stack or leak memory; only the JSON conversion recurses, and
// it stops at a fixed depth.
//
// A pickle can name one value many times (memo, DUP), so a few bytes can describe values that are
// exponentially large when copied or walked. Every reader of untrusted pickles therefore works
// within a budget: `run` counts everything the values hold (records, list/tuple/dict items, text,
// memo slots; at most 256 MiB) and `toJson` counts the JSON it builds (JsonBudget). Exceeding one
// is a midistems::Error naming the file.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

namespace midistems::nn::pickle {

enum class Kind : uint8_t {
  None,
  Bool,
  Int,
  Float,
  Str,
  Bytes,
  List,
  Tuple,
  Dict,      // items = key0, value0, key1, value1, ... (a later duplicate key wins)
  Global,    // text = "module.name"; only an inert name
  Storage,   // index = position in Graph::storages
  Tensor,    // index = position in Graph::tensors
  Fraction,  // integer = numerator, index = denominator
};

// Element types of torch's legacy storage classes (torch.HalfStorage, ...).
enum class DType : uint8_t { F16, BF16, F32, F64, I64, I32, I16, I8, U8, Bool };
size_t dtypeSize(DType dtype);
const char* dtypeName(DType dtype);

struct Value {
  Kind kind = Kind::None;
  bool boolean = false;
  int64_t integer = 0;
  int64_t index = 0;
  double number = 0;
  std::string text;              // Str, Bytes, Global
  std::vector<uint32_t> items;   // List, Tuple, Dict
};

// persistent_id(('storage', <StorageType>, key, location, numel)).
struct StorageRef {
  DType dtype = DType::F32;
  std::string key;  // entry name under "<archive>/data/"
  int64_t numel = 0;
};

// torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...): a strided view.
struct TensorRef {
  uint32_t storage = 0;
  int64_t offset = 0;
  std::vector<int64_t> sizes;
  std::vector<int64_t> strides;
};

struct Graph {
  std::vector<Value> values;
  std::vector<StorageRef> storages;
  std::vector<TensorRef> tensors;
  uint32_t root = 0;
  const Value& at(uint32_t id) const { return values[id]; }
};

// Runs the pickle program in `data`. `context` prefixes every error message (e.g.
// "model.th: data.pkl"). Throws midistems::Error for anything malformed, unsupported or
// disallowed.
Graph run(const uint8_t* data, size_t size, const std::string& context);

// The JSON that conversions from one pickle may build. A value reached along several paths (a
// list holding the same list twice, nested again and again) is converted once per path, so a
// small pickle can describe JSON far larger than itself; every toJson call on the same pickle
// shares one budget.
class JsonBudget {
 public:
  // `context` prefixes the error (e.g. "model.th").
  explicit JsonBudget(std::string context) : context_(std::move(context)) {}
  // Counts one JSON node holding `textBytes` of text; throws midistems::Error once the total
  // passes the budget.
  void spend(size_t textBytes);

 private:
  std::string context_;
  size_t spentBytes_ = 0;
};

// Converts a plain value (None, bool, int, float, str, list, tuple, dict, Fraction) to JSON.
// Returns false (and leaves `out` unspecified) when the value holds anything else (tensors,
// globals, bytes) or nests deeper than 64 levels. Throws midistems::Error when `budget` runs out.
bool toJson(const Graph& graph, uint32_t id, nlohmann::json& out, JsonBudget& budget);

// Looks up a string key in a Dict value; returns nullptr when absent (last duplicate wins).
const uint32_t* dictFind(const Graph& graph, const Value& dict, const std::string& key);

}  // namespace midistems::nn::pickle
