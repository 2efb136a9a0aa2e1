#pragma once
// Hand-built checkpoint files for tests: a pickle writer that emits protocol-2
// opcodes the way CPython's pickler does, a zip writer for stored entries, and small valid
// torch.save / safetensors files made with them. Independent of the reader under test.
#include <cstdint>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace midistems::testing {

class PickleWriter {
 public:
  PickleWriter& proto() { return op(0x80).byte(2); }
  PickleWriter& stop() { return op('.'); }
  PickleWriter& mark() { return op('('); }
  PickleWriter& emptyDict() { return op('}'); }
  PickleWriter& emptyList() { return op(']'); }
  PickleWriter& emptyTuple() { return op(')'); }
  PickleWriter& tuple() { return op('t'); }
  PickleWriter& tuple1() { return op(0x85); }
  PickleWriter& tuple2() { return op(0x86); }
  PickleWriter& setitem() { return op('s'); }
  PickleWriter& setitems() { return op('u'); }
  PickleWriter& append() { return op('a'); }
  PickleWriter& appends() { return op('e'); }
  PickleWriter& list() { return op('l'); }
  PickleWriter& dup() { return op('2'); }
  PickleWriter& pop() { return op('0'); }
  PickleWriter& stackGlobal() { return op(0x93); }
  PickleWriter& reduce() { return op('R'); }
  PickleWriter& build() { return op('b'); }
  PickleWriter& binpersid() { return op('Q'); }
  PickleWriter& none() { return op('N'); }
  PickleWriter& boolean(bool v) { return op(v ? 0x88 : 0x89); }
  PickleWriter& str(const std::string& s) { return op('X').le(s.size(), 4).raw(s); }
  PickleWriter& global(const std::string& module, const std::string& name) {
    return op('c').raw(module + "\n" + name + "\n");
  }
  PickleWriter& integer(int64_t v) {
    if (v >= 0 && v < 256) return op('K').byte(uint8_t(v));
    if (v >= 0 && v < 65536) return op('M').le(uint64_t(v), 2);
    if (v >= INT32_MIN && v <= INT32_MAX) return op('J').le(uint64_t(uint32_t(int32_t(v))), 4);
    return op(0x8a).byte(8).le(uint64_t(v), 8);  // LONG1
  }
  PickleWriter& binfloat(double v) {
    uint64_t bits;
    std::memcpy(&bits, &v, 8);
    op('G');
    for (int i = 7; i >= 0; --i) byte(uint8_t(bits >> (8 * i)));
    return *this;
  }
  PickleWriter& put(uint32_t index) { return index < 256 ? op('q').byte(uint8_t(index)) : op('r').le(index, 4); }
  PickleWriter& get(uint32_t index) { return index < 256 ? op('h').byte(uint8_t(index)) : op('j').le(index, 4); }
  PickleWriter& raw(const std::string& s) {
    bytes += s;
    return *this;
  }
  PickleWriter& byte(uint8_t b) {
    bytes += char(b);
    return *this;
  }
  PickleWriter& le(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) bytes += char(uint8_t(v >> (8 * i)));
    return *this;
  }

  // The opcodes torch writes for one tensor: _rebuild_tensor_v2(persistent_id(...), offset,
  // size, stride, False, OrderedDict()).
  PickleWriter& tensor(const std::string& storageType, const std::string& key, int64_t storageNumel,
                       int64_t offset, const std::vector<int64_t>& size,
                       const std::vector<int64_t>& stride) {
    global("torch._utils", "_rebuild_tensor_v2").mark();
    mark().str("storage").global("torch", storageType).str(key).str("cpu").integer(storageNumel).tuple();
    binpersid().integer(offset);
    mark();
    for (auto s : size) integer(s);
    tuple().mark();
    for (auto s : stride) integer(s);
    tuple().boolean(false).global("collections", "OrderedDict").emptyTuple().reduce();
    return tuple().reduce();
  }

  std::string bytes;

 private:
  PickleWriter& op(uint8_t code) { return byte(code); }
};

inline uint32_t crc32(const std::string& data) {
  uint32_t crc = 0xffffffffu;
  for (unsigned char c : data) {
    crc ^= c;
    for (int k = 0; k < 8; ++k) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
  }
  return ~crc;
}

// One zip entry: `data` as it lies in the file, with the method and sizes its headers declare.
struct ZipEntry {
  std::string name, data;
  uint16_t method = 0;  // 0 stored, 8 deflate
  uint32_t uncompressedSize = 0, crc = 0;
};

inline ZipEntry storedEntry(const std::string& name, const std::string& data) {
  return {name, data, 0, uint32_t(data.size()), crc32(data)};
}

// A zip with the given entries (no data descriptors, no zip64).
inline std::string zipWith(const std::vector<ZipEntry>& entries) {
  std::string out, central;
  const auto le = [](std::string& s, uint64_t v, int n) {
    for (int i = 0; i < n; ++i) s += char(uint8_t(v >> (8 * i)));
  };
  for (const ZipEntry& e : entries) {
    const uint32_t offset = uint32_t(out.size());
    le(out, 0x04034b50, 4);
    le(out, 20, 2);  // version needed
    le(out, 0, 2);   // flags
    le(out, e.method, 2);
    le(out, 0, 4);  // time, date
    le(out, e.crc, 4);
    le(out, e.data.size(), 4);
    le(out, e.uncompressedSize, 4);
    le(out, e.name.size(), 2);
    le(out, 0, 2);
    out += e.name + e.data;
    le(central, 0x02014b50, 4);
    le(central, 20, 2);
    le(central, 20, 2);
    le(central, 0, 2);
    le(central, e.method, 2);
    le(central, 0, 4);
    le(central, e.crc, 4);
    le(central, e.data.size(), 4);
    le(central, e.uncompressedSize, 4);
    le(central, e.name.size(), 2);
    le(central, 0, 2);  // extra
    le(central, 0, 2);  // comment
    le(central, 0, 2);  // disk
    le(central, 0, 2);  // internal attributes
    le(central, 0, 4);  // external attributes
    le(central, offset, 4);
    central += e.name;
  }
  const uint32_t centralOffset = uint32_t(out.size());
  out += central;
  le(out, 0x06054b50, 4);
  le(out, 0, 4);
  le(out, entries.size(), 2);
  le(out, entries.size(), 2);
  le(out, central.size(), 4);
  le(out, centralOffset, 4);
  le(out, 0, 2);
  return out;
}

// A zip of stored (uncompressed) entries, as torch.save writes them.
inline std::string zipStored(const std::vector<std::pair<std::string, std::string>>& entries) {
  std::vector<ZipEntry> stored;
  for (const auto& [name, data] : entries) stored.push_back(storedEntry(name, data));
  return zipWith(stored);
}

// float16 bit patterns of small exact values: 1.0, -2.0, 0.5, 3.0, 0.25, -0.125, 65504 (max),
// 2^-24 (smallest subnormal).
inline const std::vector<uint16_t>& halfTestBits() {
  static const std::vector<uint16_t> bits = {0x3c00, 0xc000, 0x3800, 0x4200, 0x3400, 0xb000, 0x7bff, 0x0001};
  return bits;
}
inline const std::vector<float>& halfTestValues() {
  static const std::vector<float> values = {1.0f, -2.0f, 0.5f, 3.0f, 0.25f, -0.125f, 65504.0f, 5.9604644775390625e-08f};
  return values;
}

inline std::string leBytes16(const std::vector<uint16_t>& v) {
  std::string s;
  for (auto x : v) s += {char(x & 0xff), char(x >> 8)};
  return s;
}

// A tiny Demucs-style package: klass, args, kwargs (segment as Fraction('39/5'), the string
// form), state with
//   "a.weight": float16 storage "0" (8 values) viewed as 2x4,
//   "a.t":      the transpose (4x2, strides 1,4) of the same storage,
//   "b.bias":   float32 storage "1" [10, 20, 30, 40, 50] viewed from offset 2 as [3],
// training_args and metrics.
inline std::string tinyTorchPackagePickle() {
  PickleWriter w;
  w.proto().emptyDict().mark();
  w.str("klass").global("demucs.htdemucs", "HTDemucs");
  w.str("args").emptyTuple();
  w.str("kwargs").emptyDict().mark();
  w.str("sources").emptyList().mark().str("drums").str("bass").appends();
  w.str("channels").integer(8);
  w.str("samplerate").integer(44100);
  w.str("segment").global("fractions", "Fraction").str("39/5").tuple1().reduce();
  w.str("dconv_init").binfloat(1e-3);
  w.str("cac").boolean(true);
  w.str("channels_time").none();
  w.setitems();
  w.str("state").emptyDict().mark();
  w.str("a.weight").tensor("HalfStorage", "0", 8, 0, {2, 4}, {4, 1});
  w.str("a.t").tensor("HalfStorage", "0", 8, 0, {4, 2}, {1, 4});
  w.str("b.bias").tensor("FloatStorage", "1", 5, 2, {3}, {1});
  w.setitems();
  w.str("training_args").emptyDict().str("seed").integer(42).setitem();
  w.str("metrics").none().none().tuple2();
  w.setitems().stop();
  return w.bytes;
}

inline std::string tinyTorchPackage() {
  std::string floats;
  for (float f : {10.f, 20.f, 30.f, 40.f, 50.f}) floats.append(reinterpret_cast<const char*>(&f), 4);
  return zipStored({{"archive/data.pkl", tinyTorchPackagePickle()},
                    {"archive/data/0", leBytes16(halfTestBits())},
                    {"archive/data/1", floats},
                    {"archive/version", "3\n"}});
}

// A safetensors file: "w" F16 [2, 4] (the halfTestBits), "b" F32 [2] = {1.5, -4}, metadata.
inline std::string tinySafetensors() {
  std::string data = leBytes16(halfTestBits());
  for (float f : {1.5f, -4.0f}) data.append(reinterpret_cast<const char*>(&f), 4);
  std::string header =
      R"({"__metadata__":{"format":"pt"},"w":{"dtype":"F16","shape":[2,4],"data_offsets":[0,16]},)"
      R"("b":{"dtype":"F32","shape":[2],"data_offsets":[16,24]}})";
  while (header.size() % 8) header += ' ';  // the format pads the header with spaces
  std::string out;
  for (int i = 0; i < 8; ++i) out += char(uint8_t(uint64_t(header.size()) >> (8 * i)));
  return out + header + data;
}

}  // namespace midistems::testing
