// safetensors files written by hand: a round trip of values, and hostile headers.
#include <gtest/gtest.h>

#include <fstream>

#include "core/error.h"
#include "nn/checkpoint.h"
#include "package_builder.h"
#include "support/fixtures.h"

namespace {

midistems::nn::Checkpoint parse(const std::string& bytes) {
  return midistems::nn::parseSafetensors(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size(),
                                         "test.safetensors");
}

std::string errorOf(const std::string& bytes) {
  try {
    parse(bytes);
  } catch (const midistems::Error& e) {
    return e.what();
  }
  return "";
}

// A file with `header` (padded) followed by `data`.
std::string fileWith(std::string header, const std::string& data) {
  std::string out;
  for (int i = 0; i < 8; ++i) out += char(uint8_t(uint64_t(header.size()) >> (8 * i)));
  return out + header + data;
}

TEST(Safetensors, RoundTripOfAHandWrittenFile) {
  const auto dir = midistems::testing::scratchDir("safetensors");
  const auto path = dir / "weights.bin";  // chosen by content, not by name
  std::ofstream(path, std::ios::binary) << midistems::testing::tinySafetensors();
  const auto ckpt = midistems::nn::loadCheckpoint(path);
  EXPECT_TRUE(ckpt.klass.empty());
  ASSERT_EQ(ckpt.state.size(), 2u);
  EXPECT_EQ(ckpt.state.at("w").shape, (std::vector<int64_t>{2, 4}));
  EXPECT_EQ(ckpt.state.at("w").data, midistems::testing::halfTestValues());
  EXPECT_EQ(ckpt.state.at("b").data, (std::vector<float>{1.5f, -4.0f}));
  EXPECT_EQ(ckpt.extra["metadata"]["format"], "pt");
  EXPECT_EQ(midistems::nn::loadSafetensors(path).state.size(), 2u);
  std::filesystem::remove_all(dir);
}

TEST(Safetensors, Bfloat16AndEmptyTensors) {
  const std::string data = midistems::testing::leBytes16({0x3f80, 0xc040});  // 1.0, -3.0
  const auto ckpt = parse(fileWith(
      R"({"x":{"dtype":"BF16","shape":[2],"data_offsets":[0,4]},"e":{"dtype":"F32","shape":[0,3],"data_offsets":[4,4]}})",
      data));
  EXPECT_EQ(ckpt.state.at("x").data, (std::vector<float>{1.0f, -3.0f}));
  EXPECT_EQ(ckpt.state.at("e").shape, (std::vector<int64_t>{0, 3}));
  EXPECT_TRUE(ckpt.state.at("e").data.empty());
}

TEST(Safetensors, HostileHeadersAreErrors) {
  const std::string eight(8, '\0');
  EXPECT_NE(errorOf("abc").find("no header length"), std::string::npos);
  EXPECT_NE(errorOf(std::string("\xff\xff\xff\xff\xff\xff\xff\x7f{}", 10)).find("impossible size"),
            std::string::npos);
  EXPECT_NE(errorOf(std::string("\x40\x00\x00\x00\x00\x00\x00\x00{}", 10)).find("truncated"), std::string::npos);
  EXPECT_NE(errorOf(fileWith("{not json", "")).find("not a JSON object"), std::string::npos);
  EXPECT_NE(errorOf(fileWith("[1,2]", "")).find("not a JSON object"), std::string::npos);
  const auto tensorError = [&](const std::string& info) {
    return errorOf(fileWith(R"({"t":)" + info + "}", eight));
  };
  EXPECT_NE(tensorError(R"({"dtype":"F32","shape":[2],"data_offsets":[0,16]})").find("outside the data"),
            std::string::npos);
  EXPECT_NE(tensorError(R"({"dtype":"F32","shape":[3],"data_offsets":[0,8]})").find("does not match its shape"),
            std::string::npos);
  EXPECT_NE(tensorError(R"({"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]})")
                .find("larger than the file"),
            std::string::npos);
  EXPECT_NE(tensorError(R"({"dtype":"F32","shape":[8,8,8,8,8,8,8,8,8,8,8,8,8,8,8,8],"data_offsets":[0,8]})")
                .find("does not match"),
            std::string::npos);
  EXPECT_NE(tensorError(R"({"dtype":"F32","shape":[-2],"data_offsets":[0,8]})").find("not a list of sizes"),
            std::string::npos);
  EXPECT_NE(tensorError(R"({"dtype":"C64","shape":[1],"data_offsets":[0,8]})").find("unsupported dtype"),
            std::string::npos);
  EXPECT_NE(tensorError(R"({"dtype":"F32","shape":[1],"data_offsets":[8,4]})").find("outside"), std::string::npos);
  EXPECT_NE(tensorError(R"({"dtype":"F32","shape":[1]})").find("needs dtype"), std::string::npos);
  EXPECT_NE(tensorError(R"(7)").find("needs dtype"), std::string::npos);
  EXPECT_NE(errorOf(fileWith("{}", "")).find("no tensors"), std::string::npos);
  // Deeply nested JSON in the header is rejected or skipped, never a stack overflow.
  EXPECT_THROW(parse(fileWith(R"({"__metadata__":)" + std::string(100000, '[') + std::string(100000, ']') + "}", "")),
               midistems::Error);
}

TEST(Safetensors, EveryTruncationIsAnError) {
  const std::string whole = midistems::testing::tinySafetensors();
  for (size_t cut = 0; cut < whole.size(); ++cut)
    EXPECT_THROW(parse(whole.substr(0, cut)), midistems::Error) << cut;
}

}  // namespace
