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

namespace {

using midistems::testing::PickleWriter;

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
  const auto ckpt = midistems::nn::parseTorchPackage(reinterpret_cast<const uint8_t*>(file.data()), file.size(), "big.th");
  EXPECT_EQ(ckpt.state.size(), size_t(kTensors));
  EXPECT_EQ(ckpt.kwargs["sources"].size(), 50000u);
}

}  // namespace
