// `.safetensors`: an 8-byte little-endian header length, a JSON header mapping tensor names to
// {dtype, shape, data_offsets}, then the raw little-endian data. Every offset is checked against
// the real data size before anything is allocated.
#include <fmt/format.h>

#include "core/error.h"
#include "nn/checkpoint.h"
#include "nn/checkpoint/convert.h"

namespace midistems::nn {
namespace {

// The format's own reference reader refuses headers above 100 MB.
constexpr uint64_t kMaxHeaderBytes = 100'000'000;
constexpr size_t kMaxDims = 16;

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
  const nlohmann::json header =
      nlohmann::json::parse(data + 8, body, nullptr, /*allow_exceptions=*/false);
  if (header.is_discarded() || !header.is_object())
    throw Error(name + ": safetensors header is not a JSON object");

  Checkpoint ckpt;
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
    pickle::DType dtype;
    if (!safetensorsDType(info["dtype"].get<std::string>(), dtype))
      throw bad("has an unsupported dtype");
    if (info["shape"].size() > kMaxDims) throw bad("has too many dimensions");
    std::vector<int64_t> shape;
    for (const auto& d : info["shape"]) {
      if (!d.is_number_unsigned()) throw bad("has a shape that is not a list of sizes");
      const uint64_t v = d.get<uint64_t>();
      if (v > bodyBytes) throw bad("has a dimension larger than the file");
      shape.push_back(int64_t(v));
    }
    const auto& offsets = info["data_offsets"];
    if (!offsets[0].is_number_unsigned() || !offsets[1].is_number_unsigned())
      throw bad("has data_offsets that are not byte positions");
    const uint64_t begin = offsets[0].get<uint64_t>(), end = offsets[1].get<uint64_t>();
    if (begin > end || end > bodyBytes)
      throw bad(fmt::format("lies outside the data ({}..{} of {} bytes)", begin, end, bodyBytes));
    const size_t elem = pickle::dtypeSize(dtype);
    const int64_t numel = checkpoint_detail::checkedNumel(shape, int64_t(bodyBytes / elem));
    if (numel < 0 || uint64_t(numel) * elem != end - begin)
      throw bad(fmt::format("has {} bytes of data, which does not match its shape", end - begin));
    std::vector<int64_t> strides(shape.size());
    int64_t stride = 1;
    for (size_t d = shape.size(); d-- > 0;) {
      strides[d] = stride;
      stride *= std::max<int64_t>(shape[d], 1);
    }
    LoadedTensor t;
    t.shape = shape;
    t.data = checkpoint_detail::gatherAsFloat(dtype, body + begin, 0, shape, strides);
    ckpt.state[tensorName] = std::move(t);
  }
  if (ckpt.state.empty()) throw Error(name + ": no tensors in the safetensors file");
  return ckpt;
}

}  // namespace midistems::nn
