// `.safetensors`: an 8-byte little-endian header length, a JSON header mapping tensor names to
// {dtype, shape, data_offsets}, then the raw little-endian data. Every offset is checked against
// the real data size before anything is allocated, and, as the format requires, the tensors must
// lie one after another without overlapping: otherwise thousands of headers could name the same
// bytes and each become its own float32 copy. So the floats made are at most four times the file.
#include <fmt/format.h>

#include <algorithm>
#include <tuple>

#include "core/error.h"
#include "nn/checkpoint.h"
#include "nn/checkpoint/convert.h"

namespace midistems::nn {
namespace {

// The format's own reference reader refuses headers above 100 MB.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;
// JSON values and keys in the header. A tensor takes ~12 (HTDemucs: 533 tensors, ~6,400); 2^21
// is 170,000 tensors. Bounds the parsed header (~100 bytes a value) to ~200 MB, where 100 MB of
// "[{},{},..." would otherwise parse into gigabytes.
constexpr size_t kMaxHeaderValues = size_t(1) << 21;
constexpr size_t kMaxDims = 16;

// One tensor's entry in the header, checked.
struct TensorEntry {
  std::string name;
  pickle::DType dtype;
  std::vector<int64_t> shape;
  uint64_t begin = 0, end = 0;  // byte range in the data
};

bool safetensorsDType(const std::string& s, pickle::DType& dtype) {
  using pickle::DType;
  static const std::pair<const char*, DType> kTypes[] = {
      {"F16", DType::F16}, {"BF16", DType::BF16}, {"F32", DType::F32}, {"F64", DType::F64},
      {"I64", DType::I64}, {"I32", DType::I32},   {"I16", DType::I16}, {"I8", DType::I8},
      {"U8", DType::U8},   {"BOOL", DType::Bool}};
  for (const auto& [n, d] : kTypes)
    if (s == n) {
      dtype = d;
      return true;
    }
  return false;
}

}  // namespace

Checkpoint parseSafetensors(const uint8_t* data, size_t size, const std::string& name) {
  if (size < 8) throw Error(name + ": truncated safetensors file (no header length)");
  uint64_t headerBytes = 0;
  for (int i = 0; i < 8; ++i) headerBytes |= uint64_t(data[i]) << (8 * i);
  if (headerBytes > kMaxHeaderBytes)
    throw Error(fmt::format("{}: safetensors header declares an impossible size ({} bytes)", name, headerBytes));
  if (headerBytes > size - 8)
    throw Error(fmt::format("{}: truncated safetensors file (header of {} bytes, file has {})", name,
                            headerBytes, size));
  const uint8_t* body = data + 8 + headerBytes;
  const uint64_t bodyBytes = size - 8 - headerBytes;
  size_t headerValues = 0;
  const nlohmann::json::parser_callback_t countValues = [&](int, nlohmann::json::parse_event_t event,
                                                            nlohmann::json&) {
    if (event != nlohmann::json::parse_event_t::object_end && event != nlohmann::json::parse_event_t::array_end &&
        ++headerValues > kMaxHeaderValues)
      throw Error(fmt::format("{}: safetensors header holds more than {} JSON values", name, kMaxHeaderValues));
    return true;
  };
  const nlohmann::json header = nlohmann::json::parse(data + 8, body, countValues, /*allow_exceptions=*/false);
  if (header.is_discarded() || !header.is_object())
    throw Error(name + ": safetensors header is not a JSON object");

  Checkpoint ckpt;
  std::vector<TensorEntry> entries;
  for (const auto& item : header.items()) {
    const std::string& tensorName = item.key();
    const nlohmann::json& info = item.value();
    if (tensorName == "__metadata__") {
      if (info.is_object())
        for (const auto& [k, v] : info.items())
          if (v.is_string()) ckpt.extra["metadata"][k] = v;
      continue;
    }
    const auto bad = [&](const std::string& what) {
      return Error(fmt::format("{}: safetensors tensor '{}' {}", name, tensorName, what));
    };
    if (!info.is_object() || !info.contains("dtype") || !info["dtype"].is_string() ||
        !info.contains("shape") || !info["shape"].is_array() || !info.contains("data_offsets") ||
        !info["data_offsets"].is_array() || info["data_offsets"].size() != 2)
      throw bad("needs dtype, shape and data_offsets");
    TensorEntry entry;
    entry.name = tensorName;
    if (!safetensorsDType(info["dtype"].get<std::string>(), entry.dtype))
      throw bad("has an unsupported dtype");
    if (info["shape"].size() > kMaxDims) throw bad("has too many dimensions");
    for (const auto& d : info["shape"]) {
      if (!d.is_number_unsigned()) throw bad("has a shape that is not a list of sizes");
      const uint64_t v = d.get<uint64_t>();
      if (v > bodyBytes) throw bad("has a dimension larger than the file");
      entry.shape.push_back(int64_t(v));
    }
    const auto& offsets = info["data_offsets"];
    if (!offsets[0].is_number_unsigned() || !offsets[1].is_number_unsigned())
      throw bad("has data_offsets that are not byte positions");
    entry.begin = offsets[0].get<uint64_t>();
    entry.end = offsets[1].get<uint64_t>();
    if (entry.begin > entry.end || entry.end > bodyBytes)
      throw bad(fmt::format("lies outside the data ({}..{} of {} bytes)", entry.begin, entry.end, bodyBytes));
    const size_t elem = pickle::dtypeSize(entry.dtype);
    const int64_t numel = checkpoint_detail::checkedNumel(entry.shape, int64_t(bodyBytes / elem));
    if (numel < 0 || uint64_t(numel) * elem != entry.end - entry.begin)
      throw bad(fmt::format("has {} bytes of data, which does not match its shape", entry.end - entry.begin));
    entries.push_back(std::move(entry));
  }
  if (entries.empty()) throw Error(name + ": no tensors in the safetensors file");

  // Before converting anything: the tensors follow one another from byte 0 without gaps or
  // overlaps (empty tensors may sit at any boundary).
  std::vector<const TensorEntry*> byOffset;
  for (const auto& e : entries) byOffset.push_back(&e);
  std::stable_sort(byOffset.begin(), byOffset.end(), [](const TensorEntry* a, const TensorEntry* b) {
    return std::tie(a->begin, a->end) < std::tie(b->begin, b->end);
  });
  uint64_t next = 0;
  const TensorEntry* previous = nullptr;
  for (const TensorEntry* e : byOffset) {
    if (e->begin < next)
      throw Error(fmt::format("{}: safetensors tensor '{}' overlaps tensor '{}' (bytes {}..{})", name, e->name,
                              previous->name, e->begin, std::min(e->end, next)));
    if (e->begin > next)
      throw Error(fmt::format("{}: safetensors tensor '{}' starts at byte {}, leaving bytes {}..{} to no tensor "
                              "(tensors must be contiguous)",
                              name, e->name, e->begin, next, e->begin));
    next = e->end;
    previous = e;
  }

  for (const auto& e : entries) {
    std::vector<int64_t> strides(e.shape.size());
    int64_t stride = 1;
    for (size_t d = e.shape.size(); d-- > 0;) {
      strides[d] = stride;
      stride *= std::max<int64_t>(e.shape[d], 1);
    }
    LoadedTensor t;
    t.shape = e.shape;
    t.data = checkpoint_detail::gatherAsFloat(e.dtype, body + e.begin, 0, e.shape, strides);
    ckpt.state[e.name] = std::move(t);
  }
  return ckpt;
}

}  // namespace midistems::nn
