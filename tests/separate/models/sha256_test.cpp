// SHA-256 against the FIPS 180-4 / NIST example vectors, and streaming in odd chunk sizes.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include "core/error.h"
#include "separate/models/sha256.h"
#include "support/fixtures.h"

namespace {

using midistems::separate::Sha256;
using midistems::separate::sha256Hex;

std::string hashOf(const std::string& s) { return sha256Hex(s.data(), s.size()); }

TEST(Sha256, NistVectors) {
  EXPECT_EQ(hashOf(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(hashOf("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(hashOf("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(hashOf("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"),
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
  EXPECT_EQ(hashOf(std::string(1000000, 'a')), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, PaddingBoundariesAndChunkingAgree) {
  // Lengths around the 55/56/64-byte padding boundaries, hashed whole and in 1..13-byte pieces.
  for (size_t length : {55u, 56u, 57u, 63u, 64u, 65u, 119u, 120u, 1000u}) {
    std::string message;
    for (size_t i = 0; i < length; ++i) message += char('a' + i % 26);
    const std::string whole = hashOf(message);
    for (size_t chunk = 1; chunk <= 13; ++chunk) {
      Sha256 sha;
      for (size_t at = 0; at < message.size(); at += chunk)
        sha.update(message.data() + at, std::min(chunk, message.size() - at));
      EXPECT_EQ(sha.hexDigest(), whole) << length << " in pieces of " << chunk;
    }
  }
  // Known: 64 bytes of 'a'.
  EXPECT_EQ(hashOf(std::string(64, 'a')), "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
}

TEST(Sha256, FileHashMatchesMemoryHashAndMissingFileIsAnError) {
  const auto dir = midistems::testing::scratchDir("sha256");
  std::string data(3 << 20, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = char(i * 2654435761u >> 24);
  std::ofstream(dir / "blob", std::ios::binary) << data;
  EXPECT_EQ(midistems::separate::sha256File(dir / "blob"), hashOf(data));
  EXPECT_THROW(midistems::separate::sha256File(dir / "absent"), midistems::Error);
  std::filesystem::remove_all(dir);
}

}  // namespace
