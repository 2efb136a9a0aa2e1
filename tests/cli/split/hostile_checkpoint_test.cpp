// `midistems split --model <crafted checkpoint>` for each crafted file of
// tests/nn/checkpoint/hostile_checkpoints.h (a few bytes to a few megabytes that would otherwise
// ask for gigabytes): exit status 2, exactly one line on standard error naming the file, no
// output, within 60 s, with the command limited to 4 GiB of address space.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "core/audio_file.h"
#include "nn/checkpoint/hostile_checkpoints.h"
#include "support/bounded_run.h"
#include "support/fixtures.h"
#include "support/run_cli.h"

namespace midistems {
namespace {

namespace fs = std::filesystem;

// Splits a short silent song with the crafted model `fileName` (holding `bytes`) and expects the
// error contract with exactly `message` after the file's path.
void expectRefusal(const std::string& fileName, const std::string& bytes, const std::string& message) {
  const fs::path dir = testing::scratchDir("split-hostile-" + fs::path(fileName).stem().string());
  const fs::path model = dir / fileName, song = dir / "song.wav", out = dir / "out";
  std::ofstream(model, std::ios::binary) << bytes;
  writeAudio(song, AudioBuffer(2, 22050, 44100), {AudioContainer::Wav, SampleFormat::Float32});
  const std::string command = "exec " + testing::quoted(MIDISTEMS_CLI) + " split --model " + testing::quoted(model) +
                              " " + testing::quoted(song) + " -o " + testing::quoted(out) + " >" +
                              testing::quoted(dir / "stdout.txt") + " 2>" + testing::quoted(dir / "stderr.txt");
  const testing::BoundedRun run = testing::runCommandBounded(command);
  const std::string err = testing::slurp(dir / "stderr.txt");
  EXPECT_EQ(run.exitStatus, 2) << "signal " << run.signal << "\n" << err;
  EXPECT_EQ(err, "midistems: error: " + model.string() + ": " + message + "\n");
  EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1);
  EXPECT_TRUE(!fs::exists(out) || fs::is_empty(out));
  EXPECT_LT(run.seconds, 60.0);
  std::printf("    %s: %zu-byte file, %.2f s, peak %ld MiB\n", fileName.c_str(), bytes.size(), run.seconds,
              run.peakRssMiB);
  fs::remove_all(dir);
}

const std::string kUnpicklingBudget = "unpickling needs more than 256 MiB of memory (the file is corrupt or hostile)";

TEST(SplitHostileCheckpoint, DictMergedIntoItselfByBuild) {
  expectRefusal("build.th", testing::hostilePackage(testing::selfMergingDictPickle(40)), kUnpicklingBudget);
}

TEST(SplitHostileCheckpoint, StackGlobalCopiesOfMemoisedText) {
  expectRefusal("stack_global.th", testing::hostilePackage(testing::stackGlobalCopiesPickle(512 << 10, 80000)),
                kUnpicklingBudget);
}

TEST(SplitHostileCheckpoint, CodecsEncodeCopiesOfMemoisedText) {
  expectRefusal("codecs.th", testing::hostilePackage(testing::codecsEncodeCopiesPickle(512 << 10, 80000)),
                kUnpicklingBudget);
}

TEST(SplitHostileCheckpoint, NestedListsReusingOneChild) {
  expectRefusal("lists.th", testing::hostilePackage(testing::sharedListKwargsPickle(60)),
                "the plain values in the pickle expand to more than 64 MiB of JSON (one value repeated over and "
                "over)");
}

TEST(SplitHostileCheckpoint, NestedStateDictsReusingOneChild) {
  expectRefusal("dicts.th", testing::hostilePackage(testing::sharedStateDictPickle(64, 8)),
                "the state dict holds the same nested dict more than once");
}

TEST(SplitHostileCheckpoint, OneLongKeyAsEveryTensorName) {
  expectRefusal("names.th", testing::hostilePackage(testing::longNameStateDictPickle(64 << 10, 100000)),
                "the state dict's tensor names take more than 64 MiB");
}

TEST(SplitHostileCheckpoint, SafetensorsHeadersNamingTheSameBytes) {
  expectRefusal("overlap.safetensors", testing::overlappingSafetensors(1000, 4 << 20),
                "safetensors tensor 't1' overlaps tensor 't0' (bytes 0..4194304)");
}

TEST(SplitHostileCheckpoint, DeflatedStorageBomb) {
  expectRefusal("bomb.th", testing::deflateBombPackage(4650000),
                "zip entry 'archive/data/0' is compressed; torch.save stores entries uncompressed (re-save the "
                "checkpoint with torch.save)");
}

}  // namespace
}  // namespace midistems
