// `midistems split --model <crafted checkpoint>` for each crafted file of
// tests/nn/checkpoint/hostile_checkpoints.h (a few bytes to a few megabytes that would otherwise
// ask for gigabytes) and for model settings that would divide by zero or size buffers from
// unchecked products: exit status 2, exactly one line on standard error naming the file, no
// output, within 60 s, with the command limited to 4 GiB of address space.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>

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

// An HTDemucs package whose kwargs are `sources` = ["drums", "bass"] and then `settings` (the
// pickle opcodes of each key and value pair, written by the function), with one small tensor in
// its state: the settings are refused before any tensor is bound or buffer sized.
std::string settingsPackage(const std::function<void(testing::PickleWriter&)>& settings) {
  testing::PickleWriter w;
  w.proto().emptyDict().mark();
  w.str("klass").global("demucs.htdemucs", "HTDemucs");
  w.str("kwargs").emptyDict().mark();
  w.str("sources").emptyList().mark().str("drums").str("bass").appends();
  settings(w);
  w.setitems();
  w.str("state").emptyDict().str("w");
  testing::smallTensor(w).setitem();
  w.setitems().stop();
  return testing::hostilePackage(w.bytes);
}

std::string integerSetting(const std::string& key, int64_t value) {
  return settingsPackage([&](testing::PickleWriter& w) { w.str(key).integer(value); });
}

// Each of these divided by zero (SIGFPE) or sized buffers from unchecked products before.
TEST(SplitHostileCheckpoint, ZeroStride) {
  expectRefusal("stride.th", integerSetting("stride", 0), "model kwarg 'stride' = 0 is outside 1..16");
}

TEST(SplitHostileCheckpoint, ZeroTransformerHeads) {
  expectRefusal("heads.th", integerSetting("t_heads", 0), "model kwarg 't_heads' = 0 is outside 1..64");
}

TEST(SplitHostileCheckpoint, HeadsThatDoNotDivideTheTransformerWidth) {
  expectRefusal("heads7.th", integerSetting("t_heads", 7),
                "model kwarg 't_heads' = 7 does not divide the transformer width 384 (or the width is not a "
                "multiple of 4)");
}

TEST(SplitHostileCheckpoint, IntegerSettingsAreNeverTruncated) {
  // 2^32 + 1 would read as 1 through a 32-bit int.
  expectRefusal("wide.th", integerSetting("channels", (int64_t(1) << 32) + 1),
                "model kwarg 'channels' = 4294967297 is outside 1..512");
  expectRefusal("float.th", settingsPackage([](testing::PickleWriter& w) { w.str("depth").binfloat(3.5); }),
                "model kwarg 'depth' = 3.5 is not an integer");
  expectRefusal("text.th", settingsPackage([](testing::PickleWriter& w) { w.str("stride").str("4"); }),
                "model kwarg 'stride' = \"4\" is not an integer");
}

TEST(SplitHostileCheckpoint, NfftNotAPowerOfTwo) {
  expectRefusal("nfft.th", integerSetting("nfft", 4100), "model kwarg 'nfft' = 4100 is not a power of two");
}

TEST(SplitHostileCheckpoint, ChannelProductsBeyondAnyRelease) {
  // 512 * 4^7 = 8,388,608 channels at the innermost layer; each factor is in range on its own.
  expectRefusal("width.th", settingsPackage([](testing::PickleWriter& w) {
                  w.str("channels").integer(512).str("growth").integer(4).str("depth").integer(8);
                  w.str("norm_starts").integer(8);
                }),
                "model kwargs 'channels' x 'growth'^('depth' - 1) exceeds 8192 channels");
}

TEST(SplitHostileCheckpoint, SegmentOfAThousandYears) {
  // Fraction(31536000000000, 1) seconds: int(segment * samplerate) sizes every chunk buffer.
  expectRefusal("segment.th", settingsPackage([](testing::PickleWriter& w) {
                  w.str("segment").global("fractions", "Fraction").str("31536000000000/1").tuple1().reduce();
                }),
                "model kwarg 'segment' = 31536000000000 is outside 1..1000000");
}

TEST(SplitHostileCheckpoint, SourceNamesThatArePaths) {
  // A source name becomes a stem's file name in the output folder.
  expectRefusal("escape.th", settingsPackage([](testing::PickleWriter& w) {
                  w.str("sources").emptyList().mark().str("drums").str("../../escape").appends();
                }),
                "model kwarg 'sources' holds \"../../escape\", not a name of letters, digits, '_' or '-'");
}

}  // namespace
}  // namespace midistems
