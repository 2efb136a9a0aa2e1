// A split without --model on a machine where no model is installed downloads the first-use model,
// checks its SHA-256 and separates with it. The model served here by a local HTTP server is the
// small random-weight HTDemucs of the shared fixtures, described by an entry that carries its own
// SHA-256; its reference stems (official demucs.api) show that the downloaded network did the
// separating. The failures (refused, truncated, wrong checksum, offline) are tested end to end in
// tests/cli/split.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <map>
#include <string>
#include <vector>

#include "core/audio_file.h"
#include "core/error.h"
#include "core/npy.h"
#include "separate/models/local_http_server.h"
#include "separate/models/model_registry.h"
#include "separate/models/sha256.h"
#include "separate/split/split_song.h"
#include "support/fixtures.h"
#include "support/reference_stems.h"
#include "support/scoped_env.h"

namespace midistems::separate {
namespace {

namespace fs = std::filesystem;
using testing::ScopedEnv;

std::string readBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::vector<std::string> filesIn(const fs::path& dir) {
  std::vector<std::string> names;
  if (!fs::exists(dir)) return names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// The first `frames` frames of the fixture's stereo input, as a float WAV.
void writeFixtureSong(const fs::path& path, const NpyArray& input, int64_t frames) {
  const int64_t n = input.shape[1];
  AudioBuffer song(2, frames, 44100);
  for (int c = 0; c < 2; ++c)
    for (int64_t i = 0; i < frames; ++i) song.channels[size_t(c)][size_t(i)] = input.data[size_t(c * n + i)];
  writeAudio(path, song, {AudioContainer::Wav, SampleFormat::Float32});
}

TEST(SplitSongFirstUse, DownloadsVerifiesAndUsesTheModel) {
  MIDISTEMS_REQUIRE_FIXTURE("htdemucs/small4/htdemucs_ref.th");
  MIDISTEMS_REQUIRE_FIXTURE("htdemucs/small4/input.npy");
  MIDISTEMS_REQUIRE_FIXTURE("htdemucs/small4/stems.npy");
  const fs::path dir = testing::scratchDir("split-first-use");
  const std::string checkpoint = readBytes(testing::fixturePath("htdemucs/small4/htdemucs_ref.th"));
  const std::string prefix = sha256Hex(checkpoint.data(), checkpoint.size()).substr(0, 8);
  ModelEntry small;
  small.name = "small4";
  small.files = {"small4-" + prefix + ".th"};
  small.sha256Prefixes = {prefix};
  small.sources = {"drums", "bass", "other", "vocals"};

  testing::LocalHttpServer server(std::map<std::string, std::string>{{small.files[0], checkpoint}});
  const fs::path models = dir / "models";
  ScopedEnv modelsDir("MIDISTEMS_MODELS_DIR", models.c_str());
  ScopedEnv url("MIDISTEMS_MODELS_URL", server.url().c_str());
  ScopedEnv online("MIDISTEMS_OFFLINE", nullptr);
  ScopedEnv noProxy("no_proxy", "*");

  const NpyArray input = readNpy(testing::fixturePath("htdemucs/small4/input.npy"));
  const NpyArray reference = readNpy(testing::fixturePath("htdemucs/small4/stems.npy"));
  ASSERT_EQ(input.shape.size(), 2u);
  const int64_t n = input.shape[1];
  writeFixtureSong(dir / "song.wav", input, n);

  SplitSongOptions options;
  options.input = (dir / "song.wav").string();
  options.outDir = (dir / "out").string();
  options.bits = "32f";
  options.quiet = true;
  options.firstUseModel = &small;
  ::testing::internal::CaptureStderr();
  const SplitSongResult result = splitSong(options);
  const std::string err = ::testing::internal::GetCapturedStderr();

  EXPECT_EQ(result.model, "small4");
  EXPECT_EQ(err, "split: using model small4 (downloaded to " + models.string() + ")\n");
  EXPECT_EQ(server.requests(), 1);
  EXPECT_EQ(filesIn(models), small.files);
  EXPECT_TRUE(verifyFile(models / small.files[0], prefix));
  testing::expectStemsMatchReference(dir / "out", reference, n);

  // Installed now: the next split uses it without a connection, even offline.
  writeFixtureSong(dir / "short.wav", input, 44100);
  options.input = (dir / "short.wav").string();
  options.outDir = (dir / "again").string();
  options.offline = true;
  ::testing::internal::CaptureStderr();
  EXPECT_EQ(splitSong(options).model, "small4");
  EXPECT_EQ(::testing::internal::GetCapturedStderr(), "split: using model small4\n");
  EXPECT_EQ(server.requests(), 1);
  fs::remove_all(dir);
}

// A source name the model does not have is an error before anything is downloaded (the default
// model is 84 MB).
TEST(SplitSongFirstUse, UnknownStemFailsBeforeTheDownload) {
  const fs::path dir = testing::scratchDir("split-first-use-bad-stem");
  ModelEntry model;
  model.name = "tiny";
  model.files = {"tiny-00000000.th"};
  model.sha256Prefixes = {"00000000"};
  model.sources = {"drums", "bass", "other", "vocals"};
  testing::LocalHttpServer server(std::map<std::string, std::string>{{model.files[0], std::string(1000, 'x')}});
  const fs::path models = dir / "models";
  ScopedEnv modelsDir("MIDISTEMS_MODELS_DIR", models.c_str());
  ScopedEnv url("MIDISTEMS_MODELS_URL", server.url().c_str());
  ScopedEnv online("MIDISTEMS_OFFLINE", nullptr);
  ScopedEnv noProxy("no_proxy", "*");
  fs::create_directories(dir);
  AudioBuffer song(2, 4410, 44100);
  writeAudio(dir / "song.wav", song, {AudioContainer::Wav, SampleFormat::Float32});

  SplitSongOptions options;
  options.input = (dir / "song.wav").string();
  options.outDir = (dir / "out").string();
  options.quiet = true;
  options.firstUseModel = &model;
  for (const char* stems : {"vocal", "drums,guitar"}) {
    options.stems = stems;
    try {
      splitSong(options);
      ADD_FAILURE() << "--stems " << stems << " was accepted";
    } catch (const midistems::Error& e) {
      EXPECT_NE(std::string(e.what()).find("--stems: unknown source"), std::string::npos) << e.what();
    }
  }
  EXPECT_EQ(server.requests(), 0);
  EXPECT_TRUE(filesIn(models).empty());
  EXPECT_FALSE(fs::exists(dir / "out"));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace midistems::separate
