// `torch.save` packages: a zip (libzip) holding <archive>/data.pkl, <archive>/data/<key> and
// <archive>/version. The pickle is run by the safe interpreter in pickle.cpp; tensors are then
// cut out of their storages with bounds checked against the real entry sizes.
#include <fmt/format.h>
#include <zip.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>

#include "core/error.h"
#include "nn/checkpoint.h"
#include "nn/checkpoint/convert.h"
#include "nn/checkpoint/pickle.h"

namespace midistems::nn {
namespace {

using pickle::Graph;
using pickle::Kind;
using pickle::Value;

// The pickle of a real package is tens of kilobytes; one of a large language model a few
// megabytes. Anything far beyond is hostile.
constexpr uint64_t kMaxPickleBytes = uint64_t(256) << 20;
constexpr int kMaxStateNesting = 8;
// The tensor names of one package: 533 names of ~40 characters in a real HTDemucs package; 64 MiB
// leaves room for a million tensors with long names.
constexpr size_t kMaxTensorNameBytes = size_t(64) << 20;
// Tensors may view one storage several times (tied weights, slices of a flat buffer); four times
// the storage bytes in elements is far beyond any real checkpoint.
constexpr uint64_t kMaxViewExpansion = 4;

struct ZipCloser {
  void operator()(zip_t* z) const { zip_discard(z); }
};
using ZipHandle = std::unique_ptr<zip_t, ZipCloser>;

class Package {
 public:
  Package(const uint8_t* data, size_t size, const std::string& name) : size_(size), name_(name) {
    zip_error_t error;
    zip_error_init(&error);
    zip_source_t* source = zip_source_buffer_create(data, size, 0, &error);
    if (!source) fail("cannot read the archive", error);
    zip_t* archive = zip_open_from_source(source, ZIP_RDONLY, &error);
    if (!archive) {
      zip_source_free(source);
      fail("not a readable zip archive (truncated or corrupt)", error);
    }
    zip_.reset(archive);
    zip_error_fini(&error);
  }

  // Index of "<prefix>data.pkl" and the prefix ("archive/", "htdemucs_ref/", or "").
  zip_int64_t findPickle(std::string& prefix) const {
    const zip_int64_t n = zip_get_num_entries(zip_.get(), 0);
    zip_int64_t found = -1;
    for (zip_int64_t i = 0; i < n; ++i) {
      const char* entry = zip_get_name(zip_.get(), zip_uint64_t(i), 0);
      if (!entry) continue;
      const std::string s = entry;
      const std::string suffix = "data.pkl";
      if (s.size() < suffix.size() || s.compare(s.size() - suffix.size(), suffix.size(), suffix))
        continue;
      const std::string p = s.substr(0, s.size() - suffix.size());
      if (!p.empty() && p.back() != '/') continue;
      // Prefer the top-level one when a package embeds others.
      if (found < 0 || std::count(p.begin(), p.end(), '/') < std::count(prefix.begin(), prefix.end(), '/')) {
        found = i;
        prefix = p;
      }
    }
    if (found < 0) throw Error(name_ + ": no data.pkl in the zip (not a torch.save package)");
    return found;
  }

  zip_int64_t locate(const std::string& entry) const {
    return zip_name_locate(zip_.get(), entry.c_str(), 0);
  }

  // The entry's size, after checking it is stored uncompressed and fits in this file.
  uint64_t entrySize(zip_int64_t index, const std::string& entry, uint64_t cap) const {
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(zip_.get(), zip_uint64_t(index), 0, &st) != 0 ||
        !(st.valid & ZIP_STAT_SIZE) || !(st.valid & ZIP_STAT_COMP_SIZE) ||
        !(st.valid & ZIP_STAT_COMP_METHOD))
      throw Error(fmt::format("{}: cannot read zip entry '{}'", name_, entry));
    // torch.save stores every entry uncompressed. A compressed one would be inflated into a
    // buffer sized by its declared length, up to ~1000 times the bytes in the file, so it is
    // refused rather than trusted.
    if (st.comp_method != ZIP_CM_STORE)
      throw Error(fmt::format("{}: zip entry '{}' is compressed; torch.save stores entries uncompressed "
                              "(re-save the checkpoint with torch.save)",
                              name_, entry));
    if (st.size > std::min<uint64_t>(st.comp_size, size_) || st.size > cap)
      throw Error(fmt::format("{}: zip entry '{}' declares an impossible size ({} bytes)", name_, entry,
                              st.size));
    return st.size;
  }

  std::vector<uint8_t> read(zip_int64_t index, const std::string& entry, uint64_t cap) const {
    const uint64_t size = entrySize(index, entry, cap);
    std::vector<uint8_t> out(static_cast<size_t>(size));
    zip_file_t* file = zip_fopen_index(zip_.get(), zip_uint64_t(index), 0);
    if (!file) throw Error(fmt::format("{}: cannot open zip entry '{}' ({})", name_, entry, zip_strerror(zip_.get())));
    uint64_t got = 0;
    while (got < size) {
      const zip_int64_t n = zip_fread(file, out.data() + got, size - got);
      if (n <= 0) break;
      got += uint64_t(n);
    }
    std::string problem;
    if (got != size) problem = zip_file_strerror(file);
    zip_fclose(file);
    if (got != size)
      throw Error(fmt::format("{}: zip entry '{}' is truncated or corrupt ({})", name_, entry, problem));
    return out;
  }

 private:
  [[noreturn]] void fail(const std::string& what, zip_error_t& error) const {
    const std::string detail = zip_error_strerror(&error);
    zip_error_fini(&error);
    throw Error(fmt::format("{}: {}: {}", name_, what, detail));
  }

  ZipHandle zip_;
  size_t size_;
  const std::string& name_;
};

// Collects name -> tensor id from the state dict, flattening nested dicts as "outer.inner". Each
// nested dict is walked once: a pickle can put one dict under many keys at every level (64 keys
// over 8 levels name 64^8 tensors in a few kilobytes), so a dict reached again is an error. The
// names built are counted against kMaxTensorNameBytes (a memoised long key can be reused in every
// entry).
class TensorCollector {
 public:
  TensorCollector(const Graph& g, const std::string& name) : g_(g), name_(name), walked_(g.values.size(), false) {}

  void collect(uint32_t dictId, const std::string& prefix, int depth) {
    if (depth > kMaxStateNesting) throw Error(name_ + ": the state dict nests too deeply");
    if (walked_[dictId]) throw Error(name_ + ": the state dict holds the same nested dict more than once");
    walked_[dictId] = true;
    const Value& dict = g_.at(dictId);
    for (size_t i = 0; i + 1 < dict.items.size(); i += 2) {
      const Value& key = g_.at(dict.items[i]);
      if (key.kind != Kind::Str) continue;
      if (key.text == "__quantized")
        throw Error(name_ + ": quantized (diffq) checkpoints are not supported; use a float model");
      const uint32_t id = dict.items[i + 1];
      const Value& v = g_.at(id);
      if (v.kind == Kind::Tensor) tensors.emplace_back(joinName(prefix, key.text, ""), id);
      else if (v.kind == Kind::Dict) collect(id, joinName(prefix, key.text, "."), depth + 1);
    }
  }

  std::vector<std::pair<std::string, uint32_t>> tensors;

 private:
  std::string joinName(const std::string& prefix, const std::string& key, const char* suffix) {
    const size_t bytes = prefix.size() + key.size() + std::strlen(suffix);
    if (bytes > kMaxTensorNameBytes - nameBytes_)
      throw Error(fmt::format("{}: the state dict's tensor names take more than {} MiB", name_,
                              kMaxTensorNameBytes >> 20));
    nameBytes_ += bytes;
    return prefix + key + suffix;
  }

  const Graph& g_;
  const std::string& name_;
  std::vector<bool> walked_;  // by value id
  size_t nameBytes_ = 0;
};

// Where the weights are: a Demucs package keeps them under "state"; training scripts use
// "state_dict" / "model_state_dict" / "model"; a bare state dict is the root itself.
uint32_t findStateDict(const Graph& g, uint32_t root) {
  for (const char* key : {"state", "state_dict", "model_state_dict", "model"})
    if (const uint32_t* id = pickle::dictFind(g, g.at(root), key); id && g.at(*id).kind == Kind::Dict)
      return *id;
  return root;
}

LoadedTensor cutTensor(const Graph& g, const pickle::TensorRef& t, const std::vector<uint8_t>& storage,
                       const std::string& tensorName, const std::string& name) {
  const pickle::StorageRef& s = g.storages[t.storage];
  const int64_t numel = checkpoint_detail::checkedNumel(t.sizes, s.numel);
  if (numel < 0)
    throw Error(fmt::format("{}: tensor '{}' declares more elements than its storage '{}' holds ({})",
                            name, tensorName, s.key, s.numel));
  if (numel > 0) {
    // Last element reached = offset + sum((size - 1) * stride); every term is bounded by the
    // storage size, so checking each step keeps the sum from overflowing.
    int64_t last = t.offset;
    bool inside = last < s.numel;
    for (size_t d = 0; d < t.sizes.size() && inside; ++d) {
      if (t.strides[d] > 0 && t.sizes[d] - 1 > (s.numel - 1 - last) / t.strides[d]) inside = false;
      else last += (t.sizes[d] - 1) * t.strides[d];
    }
    if (!inside)
      throw Error(fmt::format("{}: tensor '{}' reaches beyond its storage '{}' ({} elements)", name,
                              tensorName, s.key, s.numel));
  }
  LoadedTensor out;
  out.shape = t.sizes;
  out.data = checkpoint_detail::gatherAsFloat(s.dtype, storage.data(), t.offset, t.sizes, t.strides);
  return out;
}

}  // namespace

Checkpoint parseTorchPackage(const uint8_t* data, size_t size, const std::string& name) {
  static const uint8_t kZipMagic[4] = {'P', 'K', 3, 4};
  static const uint8_t kEmptyZipMagic[4] = {'P', 'K', 5, 6};
  if (size < 4 || (std::memcmp(data, kZipMagic, 4) && std::memcmp(data, kEmptyZipMagic, 4)))
    throw Error(name + ": not a torch.save zip (wrong magic)");
  Package package(data, size, name);
  std::string prefix;
  const zip_int64_t pickleIndex = package.findPickle(prefix);
  const std::vector<uint8_t> pickleBytes = package.read(pickleIndex, prefix + "data.pkl", kMaxPickleBytes);
  const Graph g = pickle::run(pickleBytes.data(), pickleBytes.size(), name);
  // PyTorch >= 2.1 records the storages' byte order; older files are always little-endian.
  if (const zip_int64_t order = package.locate(prefix + "byteorder"); order >= 0) {
    const std::vector<uint8_t> text = package.read(order, prefix + "byteorder", 16);
    if (std::string(text.begin(), text.end()) != "little")
      throw Error(name + ": storages are not little-endian; re-save the checkpoint on a little-endian machine");
  }

  const Value& root = g.at(g.root);
  if (root.kind != Kind::Dict) throw Error(name + ": the pickle is not a dict (not a model package)");
  Checkpoint ckpt;
  pickle::JsonBudget json(name);
  if (const uint32_t* id = pickle::dictFind(g, root, "klass"); id && g.at(*id).kind == Kind::Global)
    ckpt.klass = g.at(*id).text;
  if (const uint32_t* id = pickle::dictFind(g, root, "kwargs"); id && g.at(*id).kind == Kind::Dict) {
    // Each keyword on its own, so one unreadable value does not hide the others.
    const Value& kwargs = g.at(*id);
    for (size_t i = 0; i + 1 < kwargs.items.size(); i += 2) {
      const Value& key = g.at(kwargs.items[i]);
      if (key.kind != Kind::Str) continue;
      json.spend(key.text.size());
      nlohmann::json value;
      if (pickle::toJson(g, kwargs.items[i + 1], value, json)) ckpt.kwargs[key.text] = std::move(value);
    }
  }
  const uint32_t stateDict = findStateDict(g, g.root);
  for (size_t i = 0; stateDict != g.root && i + 1 < root.items.size(); i += 2) {
    const Value& key = g.at(root.items[i]);
    if (key.kind != Kind::Str || key.text == "klass" || key.text == "kwargs" || root.items[i + 1] == stateDict)
      continue;
    json.spend(key.text.size());
    nlohmann::json value;
    if (pickle::toJson(g, root.items[i + 1], value, json)) ckpt.extra[key.text] = std::move(value);
  }

  TensorCollector collector(g, name);
  collector.collect(stateDict, "", 0);
  std::vector<std::pair<std::string, uint32_t>>& tensors = collector.tensors;
  if (tensors.empty()) throw Error(name + ": no tensors in the checkpoint");
  // One storage at a time, each read once, however many tensors view it.
  std::stable_sort(tensors.begin(), tensors.end(), [&](const auto& a, const auto& b) {
    return g.storages[g.tensors[g.at(a.second).index].storage].key <
           g.storages[g.tensors[g.at(b.second).index].storage].key;
  });
  // Before allocating anything: every storage exists and is as large as declared, and the
  // tensors together do not ask for far more elements than the storages hold (views can repeat
  // a storage, but a small file must not expand into gigabytes of floats).
  std::map<std::string, zip_int64_t> entryIndex;
  uint64_t storageBytes = 0, tensorElements = 0;
  for (const auto& [tensorName, id] : tensors) {
    const pickle::TensorRef& t = g.tensors[size_t(g.at(id).index)];
    const pickle::StorageRef& s = g.storages[t.storage];
    const std::string entry = prefix + "data/" + s.key;
    auto [it, fresh] = entryIndex.emplace(s.key, package.locate(entry));
    if (it->second < 0)
      throw Error(fmt::format("{}: storage '{}' of tensor '{}' is missing", name, entry, tensorName));
    const uint64_t bytes = package.entrySize(it->second, entry, UINT64_MAX);
    if (fresh) storageBytes += bytes;
    if (uint64_t(s.numel) > bytes / pickle::dtypeSize(s.dtype))
      throw Error(fmt::format("{}: storage '{}' holds {} bytes, fewer than its {} {} elements", name,
                              entry, bytes, s.numel, pickle::dtypeName(s.dtype)));
    const int64_t numel = checkpoint_detail::checkedNumel(t.sizes, s.numel);
    tensorElements += uint64_t(std::max<int64_t>(numel, 0));
  }
  if (tensorElements > kMaxViewExpansion * storageBytes + 4096)
    throw Error(fmt::format("{}: tensors declare {} elements, far more than the {} bytes of storage behind them",
                            name, tensorElements, storageBytes));

  std::string loadedKey;
  std::vector<uint8_t> storage;
  for (const auto& [tensorName, id] : tensors) {
    const pickle::TensorRef& t = g.tensors[size_t(g.at(id).index)];
    const pickle::StorageRef& s = g.storages[t.storage];
    if (s.key != loadedKey || storage.empty()) {
      storage = package.read(entryIndex.at(s.key), prefix + "data/" + s.key, UINT64_MAX);
      loadedKey = s.key;
    }
    ckpt.state[tensorName] = cutTensor(g, t, storage, tensorName, name);
  }
  return ckpt;
}

}  // namespace midistems::nn
