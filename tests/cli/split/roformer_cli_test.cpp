// `midistems split --model FILE.ckpt` with RoFormer checkpoints (fixtures/roformer/bs_small, mel_small):
// the architecture comes from the file's contents, the config from --config or the .yaml beside
// it; --two-stems vocals writes vocals and the mix less them. Crafted configs fail with exit
// status 2 and one line naming the config, within 4 GiB of address space.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "core/audio_file.h"
#include "core/npy.h"
#include "support/bounded_run.h"
#include "support/fixtures.h"
#include "support/run_cli.h"

namespace midistems {
namespace {

namespace fs = std::filesystem;

const std::string kDir = "roformer/bs_small/";

std::string splitCommand(const fs::path& dir, const std::string& args) {
  return "exec " + testing::quoted(MIDISTEMS_CLI) + " split " + args + " >" + testing::quoted(dir / "stdout.txt") +
         " 2>" + testing::quoted(dir / "stderr.txt");
}

// Splits the first frames of the fixture's input with its checkpoint (config beside it) and
// compares the vocals with `expectedFile`.
void checkTwoStems(const std::string& kDir, const std::string& expectedFile) {
  const fs::path dir = testing::scratchDir("split-roformer");
  // Named so that nothing but the contents can tell the architecture.
  fs::copy_file(testing::fixturePath(kDir + "model.ckpt"), dir / "vocals_model.ckpt");
  fs::copy_file(testing::fixturePath(kDir + "config.yaml"), dir / "vocals_model.yaml");
  const NpyArray input = readNpy(testing::fixturePath(kDir + "input.npy"));
  const NpyArray expected = readNpy(testing::fixturePath(kDir + expectedFile));
  const int64_t total = input.shape[1], frames = expected.shape[2];
  AudioBuffer mix(2, frames, 44100);
  for (int64_t c = 0; c < 2; ++c) std::copy_n(input.data.begin() + c * total, frames, mix.channels[size_t(c)].begin());
  writeAudio(dir / "song.wav", mix, {AudioContainer::Wav, SampleFormat::Float32});

  const testing::BoundedRun run = testing::runCommandBounded(
      splitCommand(dir, "--model " + testing::quoted(dir / "vocals_model.ckpt") + " --two-stems vocals --bits 32f " +
                            testing::quoted(dir / "song.wav") + " -o " + testing::quoted(dir / "out")));
  ASSERT_EQ(run.exitStatus, 0) << testing::slurp(dir / "stderr.txt");
  const AudioBuffer vocals = readAudio(dir / "out" / "vocals.wav");
  const AudioBuffer rest = readAudio(dir / "out" / "no_vocals.wav");
  ASSERT_EQ(vocals.numFrames(), frames);
  ASSERT_EQ(rest.numFrames(), frames);
  double err = 0.0, sumErr = 0.0;
  for (int64_t c = 0; c < 2; ++c)
    for (int64_t i = 0; i < frames; ++i) {
      const float v = vocals.channels[size_t(c)][size_t(i)];
      err = std::max(err, double(std::fabs(v - expected.data[size_t(c * frames + i)])));
      sumErr = std::max(sumErr, double(std::fabs(v + rest.channels[size_t(c)][size_t(i)] - mix.channels[size_t(c)][size_t(i)])));
    }
  std::printf("    vocals: max abs error %.3g; vocals + no_vocals - mix: %.3g; %.1f s, peak %ld MiB\n", err, sumErr,
              run.seconds, run.peakRssMiB);
  EXPECT_LE(err, 2e-6);
  EXPECT_LE(sumErr, 1e-6);
  fs::remove_all(dir);
}

TEST(SplitRoformer, BSRoformerCheckpointWithItsConfigBesideItMatchesReferenceAndTwoStemsAddUpToTheMix) {
  MIDISTEMS_REQUIRE_FIXTURE(kDir + "stems_short.npy");
  checkTwoStems(kDir, "stems_short.npy");
}

TEST(SplitRoformer, MelBandRoformerCheckpointWithItsConfigBesideItMatchesReferenceAndTwoStemsAddUpToTheMix) {
  MIDISTEMS_REQUIRE_FIXTURE("roformer/mel_small/stems.npy");
  checkTwoStems("roformer/mel_small/", "stems.npy");
}

// Splits a short silent song with the fixture's checkpoint and the config `yaml`, and expects the
// error contract with `message` after the config's path (the checkpoint's when `namesCheckpoint`).
void expectConfigRefusal(const std::string& name, const std::string& yaml, const std::string& message,
                         bool namesCheckpoint = false) {
  const fs::path dir = testing::scratchDir("split-roformer-" + name);
  fs::copy_file(testing::fixturePath(kDir + "model.ckpt"), dir / "model.ckpt");
  const fs::path config = dir / (name + ".yaml"), out = dir / "out";
  std::ofstream(config, std::ios::binary) << yaml;
  writeAudio(dir / "song.wav", AudioBuffer(2, 22050, 44100), {AudioContainer::Wav, SampleFormat::Float32});
  const testing::BoundedRun run = testing::runCommandBounded(
      splitCommand(dir, "--model " + testing::quoted(dir / "model.ckpt") + " --config " + testing::quoted(config) + " " +
                            testing::quoted(dir / "song.wav") + " -o " + testing::quoted(out)));
  const std::string err = testing::slurp(dir / "stderr.txt");
  EXPECT_EQ(run.exitStatus, 2) << "signal " << run.signal << "\n" << err;
  EXPECT_EQ(err, "midistems: error: " + (namesCheckpoint ? (dir / "model.ckpt") : config).string() + ": " + message + "\n");
  EXPECT_TRUE(!fs::exists(out) || fs::is_empty(out));
  EXPECT_LT(run.seconds, 60.0);
  std::printf("    %s: %.2f s, peak %ld MiB\n", name.c_str(), run.seconds, run.peakRssMiB);
  fs::remove_all(dir);
}

std::string fixtureConfig() { return testing::slurp(testing::fixturePath(kDir + "config.yaml")); }

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  return at == std::string::npos ? text : text.replace(at, from.size(), to);
}

TEST(SplitRoformer, CraftedConfigsAreRefused) {
  MIDISTEMS_REQUIRE_FIXTURE(kDir + "model.ckpt");
  expectConfigRefusal("huge_dim", replaced(fixtureConfig(), "  dim: 32\n", "  dim: 1000000000\n"),
                      "model.dim = 1000000000 is outside 1..2048");
  expectConfigRefusal("zero_heads", replaced(fixtureConfig(), "  heads: 2\n", "  heads: 0\n"),
                      "model.heads = 0 is outside 1..64");
  expectConfigRefusal("negative_hop", replaced(fixtureConfig(), "  stft_hop_length: 441\n", "  stft_hop_length: -441\n"),
                      "model.stft_hop_length = -441 is outside 1..16384");
  expectConfigRefusal("negative_chunk", replaced(fixtureConfig(), "  chunk_size: 352800\n", "  chunk_size: -1\n"),
                      "audio.chunk_size = -1 is outside 1..11520000");
  // Valid on its own, but not this checkpoint's shapes.
  expectConfigRefusal("wrong_dim", replaced(fixtureConfig(), "  dim: 32\n", "  dim: 64\n"),
                      "tensor 'layers.0.0.layers.0.0.norm.gamma' has shape (32,), expected (64,)", true);
}

TEST(SplitRoformer, CheckpointWithoutConfigIsRefused) {
  MIDISTEMS_REQUIRE_FIXTURE(kDir + "model.ckpt");
  const fs::path dir = testing::scratchDir("split-roformer-noconfig");
  fs::copy_file(testing::fixturePath(kDir + "model.ckpt"), dir / "model.ckpt");
  writeAudio(dir / "song.wav", AudioBuffer(2, 22050, 44100), {AudioContainer::Wav, SampleFormat::Float32});
  const testing::BoundedRun run = testing::runCommandBounded(splitCommand(
      dir, "--model " + testing::quoted(dir / "model.ckpt") + " " + testing::quoted(dir / "song.wav") + " -o " +
               testing::quoted(dir / "out")));
  EXPECT_EQ(run.exitStatus, 2);
  EXPECT_EQ(testing::slurp(dir / "stderr.txt"),
            "midistems: error: " + (dir / "model.ckpt").string() +
                ": a BS-RoFormer checkpoint needs its YAML config (--config FILE.yaml, or model.yaml beside it)\n");
  fs::remove_all(dir);
}

}  // namespace
}  // namespace midistems
