// The memory budgets of the checkpoint readers: crafted files of a few bytes to a few megabytes
// that would otherwise ask for gigabytes end in a one-line midistems::Error naming the file,
// quickly, in a child process that may not map more than 4 GiB. Honest large files still load.
#include <gtest/gtest.h>
#include <zip.h>

#include <cstdio>

#include "core/error.h"
#include "hostile_checkpoints.h"
#include "nn/checkpoint.h"
#include "package_builder.h"
#include "support/bounded_run.h"

namespace {

using midistems::testing::BoundedRun;
using midistems::testing::PickleWriter;

// Parses `bytes` as a torch.save package ("test.th") or a safetensors file ("test.safetensors")
// and returns the error message, or "loaded".
std::string outcomeOf(const std::string& bytes, bool safetensors) {
  try {
    const auto* data = reinterpret_cast<const uint8_t*>(bytes.data());
    if (safetensors) midistems::nn::parseSafetensors(data, bytes.size(), "test.safetensors");
    else midistems::nn::parseTorchPackage(data, bytes.size(), "test.th");
  } catch (const midistems::Error& e) {
    return e.what();
  }
  return "loaded";
}

// Parses in a limited child; expects exactly `message`, within 60 s.
void expectBudgetError(const std::string& bytes, const std::string& message, bool safetensors = false) {
  const BoundedRun run = midistems::testing::runBounded([&] { return outcomeOf(bytes, safetensors); });
  EXPECT_EQ(run.exitStatus, 0) << "signal " << run.signal;
  EXPECT_EQ(run.output, message);
  EXPECT_LT(run.seconds, 60.0);
  std::printf("    %s: %zu-byte file, %.2f s, peak %ld MiB\n",
              ::testing::UnitTest::GetInstance()->current_test_info()->name(), bytes.size(), run.seconds,
              run.peakRssMiB);
}

const std::string kUnpicklingBudget =
    "test.th: unpickling needs more than 256 MiB of memory (the file is corrupt or hostile)";

TEST(MemoryBudget, DictMergedIntoItselfByBuild) {
  const std::string pickle = midistems::testing::selfMergingDictPickle(40);
  EXPECT_EQ(pickle.size(), 90u);
  expectBudgetError(midistems::testing::hostilePackage(pickle), kUnpicklingBudget);
}

TEST(MemoryBudget, StackGlobalCopiesOfMemoisedText) {
  const std::string pickle = midistems::testing::stackGlobalCopiesPickle(512 << 10, 80000);
  EXPECT_LT(pickle.size(), size_t(1) << 20);
  expectBudgetError(midistems::testing::hostilePackage(pickle), kUnpicklingBudget);
}

TEST(MemoryBudget, CodecsEncodeCopiesOfMemoisedText) {
  const std::string pickle = midistems::testing::codecsEncodeCopiesPickle(512 << 10, 80000);
  EXPECT_LT(pickle.size(), size_t(1) << 20);
  expectBudgetError(midistems::testing::hostilePackage(pickle), kUnpicklingBudget);
}

TEST(MemoryBudget, NestedListsReusingOneChildAsJson) {
  expectBudgetError(midistems::testing::hostilePackage(midistems::testing::sharedListKwargsPickle(60)),
                    "test.th: the plain values in the pickle expand to more than 64 MiB of JSON (one value "
                    "repeated over and over)");
}

TEST(MemoryBudget, NestedStateDictsReusingOneChild) {
  const std::string file = midistems::testing::hostilePackage(midistems::testing::sharedStateDictPickle(64, 8));
  EXPECT_LT(file.size(), 6000u);
  expectBudgetError(file, "test.th: the state dict holds the same nested dict more than once");
}

TEST(MemoryBudget, OneLongKeyAsEveryTensorName) {
  expectBudgetError(midistems::testing::hostilePackage(midistems::testing::longNameStateDictPickle(64 << 10, 100000)),
                    "test.th: the state dict's tensor names take more than 64 MiB");
}

TEST(MemoryBudget, SafetensorsHeadersNamingTheSameBytes) {
  const std::string file = midistems::testing::overlappingSafetensors(1000, 4 << 20);
  expectBudgetError(file, "test.safetensors: safetensors tensor 't1' overlaps tensor 't0' (bytes 0..4194304)", true);
}

TEST(MemoryBudget, SafetensorsHeaderOfMillionsOfValues) {
  std::string header = R"({"__metadata__":{"x":[0)";
  for (int i = 0; i < 2200000; ++i) header += ",0";
  header += "]}}";
  std::string file;
  for (int i = 0; i < 8; ++i) file += char(uint8_t(uint64_t(header.size()) >> (8 * i)));
  expectBudgetError(file + header, "test.safetensors: safetensors header holds more than 2097152 JSON values", true);
}

TEST(MemoryBudget, DeflatedStorageBomb) {
  // 1.2 GB of zeros from 1.2 MB; as float32, 4.8 GB.
  const std::string file = midistems::testing::deflateBombPackage(4650000);
  EXPECT_LT(file.size(), 1300000u);
  expectBudgetError(file,
                    "test.th: zip entry 'archive/data/0' is compressed; torch.save stores entries uncompressed "
                    "(re-save the checkpoint with torch.save)");
}

TEST(MemoryBudget, TheDeflateBombIsARealDeflateStream) {
  // A small one, read back by libzip: every byte zero, CRC as declared.
  const std::string file = midistems::testing::deflateBombPackage(1000);
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(file.data(), file.size(), 0, &error);
  ASSERT_NE(source, nullptr);
  zip_t* archive = zip_open_from_source(source, ZIP_RDONLY | ZIP_CHECKCONS, &error);
  ASSERT_NE(archive, nullptr) << zip_error_strerror(&error);
  zip_file_t* entry = zip_fopen(archive, "archive/data/0", 0);
  ASSERT_NE(entry, nullptr) << zip_strerror(archive);
  std::string inflated(258001 + 16, '\x01');
  zip_int64_t got = 0;
  for (zip_int64_t n; (n = zip_fread(entry, inflated.data() + got, inflated.size() - size_t(got))) > 0;) got += n;
  EXPECT_EQ(got, 258001) << zip_file_strerror(entry);
  EXPECT_EQ(inflated.substr(0, 258001), std::string(258001, '\0'));
  zip_fclose(entry);
  zip_discard(archive);
  EXPECT_EQ(midistems::testing::crc32OfZeros(258001), midistems::testing::crc32(std::string(258001, '\0')));
  EXPECT_EQ(midistems::testing::crc32OfZeros(0), 0u);
}

TEST(MemoryBudget, PickleStackAndValueCounts) {
  std::string deepStack = "\x80\x02]";
  deepStack += std::string(size_t(1) << 20, '2');  // DUP
  expectBudgetError(midistems::testing::hostilePackage(deepStack + "."),
                    "test.th: the pickle stack grows beyond 1048576 entries");
  std::string manyValues = "\x80\x02";
  for (size_t i = 0; i < (size_t(1) << 21) + 1; ++i) manyValues += "N0";  // NONE, POP
  expectBudgetError(midistems::testing::hostilePackage(manyValues + "}."), "test.th: too many values in the pickle");
}

TEST(MemoryBudget, CallsTakeFewArgumentsAndShortFractions) {
  PickleWriter longFraction;
  longFraction.proto().global("fractions", "Fraction").str(std::string(100, ' ') + "1").tuple1().reduce().stop();
  EXPECT_NE(outcomeOf(midistems::testing::hostilePackage(longFraction.bytes), false).find("is not of the form 'n/d'"),
            std::string::npos);
  PickleWriter manyArguments;
  manyArguments.proto().global("torch._utils", "_rebuild_parameter").mark();
  for (int i = 0; i < 8; ++i) manyArguments.none();
  manyArguments.tuple().reduce().stop();
  EXPECT_EQ(outcomeOf(midistems::testing::hostilePackage(manyArguments.bytes), false),
            "test.th: pickle REDUCE of 'torch._utils._rebuild_parameter' with 8 arguments");
}

TEST(MemoryBudget, SafetensorsTensorsMustBeContiguous) {
  const auto file = [](const std::string& header, size_t dataBytes) {
    std::string out;
    for (int i = 0; i < 8; ++i) out += char(uint8_t(uint64_t(header.size()) >> (8 * i)));
    return out + header + std::string(dataBytes, '\0');
  };
  EXPECT_EQ(outcomeOf(file(R"({"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},)"
                           R"("b":{"dtype":"U8","shape":[4],"data_offsets":[6,10]}})",
                           10),
                      true),
            "test.safetensors: safetensors tensor 'b' starts at byte 6, leaving bytes 4..6 to no tensor (tensors "
            "must be contiguous)");
  EXPECT_EQ(outcomeOf(file(R"({"a":{"dtype":"U8","shape":[4],"data_offsets":[2,6]}})", 6), true),
            "test.safetensors: safetensors tensor 'a' starts at byte 2, leaving bytes 0..2 to no tensor (tensors "
            "must be contiguous)");
  EXPECT_EQ(outcomeOf(file(R"({"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},)"
                           R"("b":{"dtype":"U8","shape":[4],"data_offsets":[2,6]}})",
                           6),
                      true),
            "test.safetensors: safetensors tensor 'b' overlaps tensor 'a' (bytes 2..4)");
  // An empty tensor inside another one overlaps it; at a boundary it does not. Trailing bytes
  // after the last tensor are allowed.
  EXPECT_NE(outcomeOf(file(R"({"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},)"
                           R"("e":{"dtype":"U8","shape":[0],"data_offsets":[2,2]}})",
                           4),
                      true)
                .find("overlaps"),
            std::string::npos);
  EXPECT_EQ(outcomeOf(file(R"({"a":{"dtype":"U8","shape":[4],"data_offsets":[0,4]},)"
                           R"("e":{"dtype":"U8","shape":[0],"data_offsets":[4,4]},)"
                           R"("f":{"dtype":"F32","shape":[0],"data_offsets":[0,0]}})",
                           12),
                      true),
            "loaded");
}

TEST(MemoryBudget, HonestLargePackagesFitTheBudgets) {
  // 20,000 tensors with 60-character names, each one element of a shared storage, and keyword
  // arguments with a 50,000-element list: far more than any real HTDemucs package.
  constexpr int kTensors = 20000;
  PickleWriter w;
  w.proto().emptyDict().mark().str("kwargs").emptyDict().str("sources").emptyList().mark();
  for (int i = 0; i < 50000; ++i) w.integer(i);
  w.appends().setitem();
  w.str("state").emptyDict().mark();
  for (int i = 0; i < kTensors; ++i) {
    std::string name = "encoder." + std::to_string(i) + ".";
    name += std::string(60 - name.size(), 'w');
    w.str(name).tensor("HalfStorage", "0", kTensors, i, {1}, {1});
  }
  w.setitems().setitems().stop();
  const std::string file = midistems::testing::zipStored(
      {{"archive/data.pkl", w.bytes}, {"archive/data/0", std::string(2 * kTensors, '\0')}});
  const auto ckpt =
      midistems::nn::parseTorchPackage(reinterpret_cast<const uint8_t*>(file.data()), file.size(), "big.th");
  EXPECT_EQ(ckpt.state.size(), size_t(kTensors));
  EXPECT_EQ(ckpt.kwargs["sources"].size(), 50000u);
}

}  // namespace
