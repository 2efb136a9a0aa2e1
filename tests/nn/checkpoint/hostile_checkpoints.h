#pragma once
// Crafted checkpoints for the memory budgets of the readers. Each is at most a few megabytes and,
// read without the budget it targets, asks for gigabytes or more: a pickle names one value many
// times (memo, DUP), so copies and walks multiply; safetensors headers can name the same bytes
// again and again; a deflated zip entry inflates ~1000-fold. Test them only under an address-space
// limit (support/bounded_run.h).
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "package_builder.h"

namespace midistems::testing {

// A torch.save package around `pickle`, with storage "0" (8 float16 values) for its tensors.
inline std::string hostilePackage(const std::string& pickle) {
  return zipStored({{"archive/data.pkl", pickle},
                    {"archive/data/0", leBytes16(halfTestBits())},
                    {"archive/version", "3\n"}});
}

inline PickleWriter& smallTensor(PickleWriter& w) { return w.tensor("HalfStorage", "0", 8, 0, {8}, {1}); }

// BUILD merging a dict into itself: {0: 0}, then `DUP BUILD` doubles its items each time (2^41
// items after 40 doublings, from a 90-byte pickle).
inline std::string selfMergingDictPickle(int doublings) {
  PickleWriter w;
  w.proto().emptyDict().mark().integer(0).integer(0).setitems();
  for (int i = 0; i < doublings; ++i) w.dup().build();
  return w.stop().bytes;
}

// Nested lists that reuse one child, L_0 = [], L_k = [L_{k-1}, L_{k-1}], as the keyword
// argument "sources": 2^depth nodes of JSON from 9 bytes a level.
inline std::string sharedListKwargsPickle(int depth) {
  PickleWriter w;
  w.proto().emptyDict().mark().str("kwargs").emptyDict().str("sources");
  w.emptyList();
  for (int k = 0; k < depth; ++k) w.put(0).pop().mark().get(0).get(0).list();
  w.setitem();
  w.str("state").emptyDict().str("w");
  smallTensor(w).setitem().setitems();
  return w.stop().bytes;
}

// A state dict of nested dicts that reuse one child: D_0 = {"w": tensor}, D_k = {"k0": D_{k-1},
// ..., "k<fanout-1>": D_{k-1}}; `depth` levels name fanout^depth tensors (64^8 in ~3 KB).
inline std::string sharedStateDictPickle(int fanout, int depth) {
  PickleWriter w;
  w.proto().emptyDict().str("state");
  w.emptyDict().str("w");
  smallTensor(w).setitem().put(0).pop();
  for (int level = 1; level <= depth; ++level) {
    w.emptyDict().mark();
    for (int i = 0; i < fanout; ++i) {
      if (level == 1) {
        std::string key = "k";  // built up: GCC 12 warns falsely on "k" + string
        key += std::to_string(i);
        w.str(key).put(uint32_t(1 + i));
      } else {
        w.get(uint32_t(1 + i));
      }
      w.get(0);
    }
    w.setitems().put(0);
    if (level < depth) w.pop();
  }
  return w.setitem().stop().bytes;
}

// One memoised key of `keyBytes` as the name of every one of `entries` state dict entries (each
// entry 4 bytes of pickle, each name a copy of the key).
inline std::string longNameStateDictPickle(size_t keyBytes, int entries) {
  PickleWriter w;
  w.proto().emptyDict().str("state").emptyDict().mark();
  w.str(std::string(keyBytes, 'k')).put(0);
  smallTensor(w).put(1);
  for (int i = 1; i < entries; ++i) w.get(0).get(1);
  return w.setitems().setitem().stop().bytes;
}

// STACK_GLOBAL on a memoised string, `uses` times: each use copies it twice into a new global
// name (6 bytes of pickle per copy of 2 * textBytes).
inline std::string stackGlobalCopiesPickle(size_t textBytes, int uses) {
  PickleWriter w;
  w.proto().str(std::string(textBytes, 'm')).put(0).pop();
  for (int i = 0; i < uses; ++i) w.get(0).get(0).stackGlobal().pop();
  w.emptyDict().str("w");
  smallTensor(w).setitem();
  return w.stop().bytes;
}

// _codecs.encode(text, 'latin1') on a memoised string, `uses` times: each call copies the text.
inline std::string codecsEncodeCopiesPickle(size_t textBytes, int uses) {
  PickleWriter w;
  w.proto().global("_codecs", "encode").put(0).pop();
  w.str(std::string(textBytes, 'b')).str("latin1").tuple2().put(1).pop();
  for (int i = 0; i < uses; ++i) w.get(0).get(1).reduce().pop();
  w.emptyDict().str("w");
  smallTensor(w).setitem();
  return w.stop().bytes;
}

// A safetensors file whose `tensors` headers all name the same `bytes` bytes as uint8 tensors
// (each would become its own float32 copy, four times the size).
inline std::string overlappingSafetensors(int tensors, size_t bytes) {
  std::string header = "{";
  for (int i = 0; i < tensors; ++i) {
    if (i) header += ",";
    header += "\"t" + std::to_string(i) + "\":{\"dtype\":\"U8\",\"shape\":[" + std::to_string(bytes) +
              "],\"data_offsets\":[0," + std::to_string(bytes) + "]}";
  }
  header += "}";
  while (header.size() % 8) header += ' ';
  std::string out;
  for (int i = 0; i < 8; ++i) out += char(uint8_t(uint64_t(header.size()) >> (8 * i)));
  return out + header + std::string(bytes, '\0');
}

// CRC-32 of `n` zero bytes without reading them: the CRC register after a zero byte is a linear
// map of the register before (over GF(2)), so n bytes are that map to the n-th power, by squaring.
inline uint32_t crc32OfZeros(uint64_t n) {
  using Matrix = std::array<uint32_t, 32>;  // the images of the 32 unit vectors
  const auto apply = [](const Matrix& m, uint32_t v) {
    uint32_t r = 0;
    for (int i = 0; v; ++i, v >>= 1)
      if (v & 1u) r ^= m[size_t(i)];
    return r;
  };
  Matrix power;
  for (int i = 0; i < 32; ++i) {
    uint32_t s = 1u << i;
    for (int k = 0; k < 8; ++k) s = (s >> 1) ^ (0xedb88320u & (0u - (s & 1u)));
    power[size_t(i)] = s;
  }
  uint32_t state = 0xffffffffu;
  for (; n; n >>= 1) {
    if (n & 1) state = apply(power, state);
    Matrix squared;
    for (size_t i = 0; i < 32; ++i) squared[i] = apply(power, power[i]);
    power = squared;
  }
  return ~state;
}

// A raw deflate stream of one dynamic-Huffman block that inflates to 1 + 258 * matches zero
// bytes: a literal 0, then `matches` copies of length 258 at distance 1, each coded in 2 bits
// (deflate's largest expansion, ~1032:1).
inline std::string deflateZeros(uint64_t matches) {
  std::string out;
  uint32_t pending = 0;
  int filled = 0;
  const auto bits = [&](uint32_t value, int count) {  // header fields and extra bits: LSB first
    for (int i = 0; i < count; ++i) {
      pending |= ((value >> i) & 1u) << filled;
      if (++filled == 8) {
        out += char(pending);
        pending = 0;
        filled = 0;
      }
    }
  };
  const auto code = [&](uint32_t value, int length) {  // Huffman codes: MSB first
    for (int i = length - 1; i >= 0; --i) bits((value >> i) & 1u, 1);
  };
  bits(1, 1);  // last block
  bits(2, 2);  // dynamic Huffman codes
  bits(286 - 257, 5);  // literal/length codes 0..285
  bits(1 - 1, 5);      // one distance code
  bits(18 - 4, 4);     // code-length code lengths given, in the order below
  // Code-length alphabet, in the format's order 16 17 18 0 8 7 9 6 10 5 11 4 12 3 13 2 14 1:
  // symbol 18 (a run of zeros) 1 bit, symbols 1 and 2 two bits: codes 18 "0", 1 "10", 2 "11".
  for (int length : {0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 2}) bits(uint32_t(length), 3);
  // Literal/length code lengths: 0 -> 2, 1..255 -> none, 256 (end) -> 2, 257..284 -> none,
  // 285 (length 258) -> 1; then distance code 0 (distance 1) -> 1.
  code(3, 2);
  code(0, 1), bits(138 - 11, 7);
  code(0, 1), bits(117 - 11, 7);
  code(3, 2);
  code(0, 1), bits(28 - 11, 7);
  code(2, 2);
  code(2, 2);
  // Codes: 285 "0", literal 0 "10", end of block "11"; distance 0 "0".
  code(2, 2);  // the literal 0
  // Each match is "0" then "0": the stream continues with 2 * matches zero bits.
  uint64_t zeroBits = 2 * matches;
  for (; zeroBits > 0 && filled != 0; --zeroBits) bits(0, 1);
  out.append(size_t(zeroBits / 8), '\0');
  for (zeroBits %= 8; zeroBits > 0; --zeroBits) bits(0, 1);
  code(3, 2);  // end of block
  if (filled) out += char(pending);
  return out;
}

// A package whose storage "0" is a deflated entry of 1 + 258 * matches zero bytes, viewed whole
// by one uint8 tensor "w" (which would become four times as many bytes of float32).
inline std::string deflateBombPackage(uint64_t matches) {
  const uint64_t inflated = 1 + 258 * matches;
  PickleWriter w;
  w.proto().emptyDict().str("state").emptyDict().str("w");
  w.tensor("ByteStorage", "0", int64_t(inflated), 0, {int64_t(inflated)}, {1});
  w.setitem().setitem().stop();
  return zipWith({storedEntry("archive/data.pkl", w.bytes),
                  ZipEntry{"archive/data/0", deflateZeros(matches), 8, uint32_t(inflated), crc32OfZeros(inflated)},
                  storedEntry("archive/version", "3\n")});
}

}  // namespace midistems::testing
