// A RoFormer model by name: `midistems models fetch NAME` downloads its checkpoint and its YAML
// config from a local HTTP server, checks each against its published size and SHA-256, and
// `split --model NAME` then separates with the pair. The entry comes from a registry file
// ($MIDISTEMS_MODELS_REGISTRY) that describes the random-weight fixture roformer/bs_small under
// installed names whose stems differ (tiny_weights.ckpt, tiny_config.yaml), so only the entry can
// pair them. A wrong hash of either file, or a body cut short, fails with status 2 and one line,
// and leaves nothing that counts as installed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "core/audio_file.h"
#include "core/npy.h"
#include "separate/models/local_http_server.h"
#include "separate/models/sha256.h"
#include "support/fixtures.h"
#include "support/run_cli.h"

namespace midistems {
namespace {

namespace fs = std::filesystem;
using testing::CommandResult;
using testing::quoted;

const std::string kDir = "roformer/bs_small/";

std::vector<std::string> filesIn(const fs::path& dir) {
  std::vector<std::string> names;
  if (!fs::exists(dir)) return names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// The line of `models list` that names `model`.
std::string listLine(const std::string& listing, const std::string& model) {
  std::istringstream in(listing);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(model + " ", 0) == 0) return line;
  return "";
}

std::string hashOf(const std::string& bytes) { return separate::sha256Hex(bytes.data(), bytes.size()); }

// The fixture served as w.ckpt and c.yaml, a registry file naming them "tiny", and an empty
// models folder.
struct ServedRoformer {
  fs::path dir, models;
  std::string checkpoint = testing::slurp(testing::fixturePath(kDir + "model.ckpt"));
  std::string config = testing::slurp(testing::fixturePath(kDir + "config.yaml"));
  testing::LocalHttpServer server{std::map<std::string, std::string>{{"w.ckpt", checkpoint}, {"c.yaml", config}}};

  explicit ServedRoformer(const std::string& name) : dir(testing::scratchDir(name)), models(dir / "models") {
    writeRegistry(hashOf(checkpoint), hashOf(config));
  }
  void writeRegistry(const std::string& checkpointSha, const std::string& configSha) const {
    std::ofstream(dir / "registry.json")
        << R"({"models": [{"name": "tiny", "architecture": "bs_roformer", "sources": ["vocals"], "files": [)"
        << R"({"name": "tiny_weights.ckpt", "url": ")" << server.url() << R"(w.ckpt", "size": )" << checkpoint.size()
        << R"(, "sha256": ")" << checkpointSha << R"("}, {"name": "tiny_config.yaml", "url": ")" << server.url()
        << R"(c.yaml", "size": )" << config.size() << R"(, "sha256": ")" << configSha << R"("}]}]})";
  }
  // Downloads allowed, straight to 127.0.0.1 whatever proxy the machine has.
  std::string env(bool offline = false) const {
    return std::string(offline ? "MIDISTEMS_OFFLINE=1" : "MIDISTEMS_OFFLINE=") + " MIDISTEMS_MODELS_DIR=" +
           quoted(models) + " MIDISTEMS_MODELS_REGISTRY=" + quoted(dir / "registry.json") + " no_proxy='*' NO_PROXY='*'";
  }
  CommandResult midistems(const std::string& args, bool offline = false) const {
    return testing::runMidistems(dir, args, env(offline));
  }
};

// The first 5 s of the fixture's input as a float WAV, and the reference vocals of that input.
struct ShortSong {
  AudioBuffer mix;
  NpyArray expected;
  explicit ShortSong(const fs::path& path) : expected(readNpy(testing::fixturePath(kDir + "stems_short.npy"))) {
    const NpyArray input = readNpy(testing::fixturePath(kDir + "input.npy"));
    const int64_t total = input.shape[1], frames = expected.shape[2];
    mix = AudioBuffer(2, frames, 44100);
    for (int64_t c = 0; c < 2; ++c) std::copy_n(input.data.begin() + c * total, frames, mix.channels[size_t(c)].begin());
    writeAudio(path, mix, {AudioContainer::Wav, SampleFormat::Float32});
  }
  // The vocals in `out` match the reference, and vocals + no_vocals give the mix back.
  void expectStems(const fs::path& out) const {
    const AudioBuffer vocals = readAudio(out / "vocals.wav"), rest = readAudio(out / "no_vocals.wav");
    ASSERT_EQ(vocals.numFrames(), mix.numFrames());
    ASSERT_EQ(rest.numFrames(), mix.numFrames());
    double err = 0, sumErr = 0, peak = 0;
    for (size_t c = 0; c < 2; ++c)
      for (size_t i = 0; i < size_t(mix.numFrames()); ++i) {
        const float v = vocals.channels[c][i];
        err = std::max(err, double(std::fabs(v - expected.data[c * size_t(mix.numFrames()) + i])));
        sumErr = std::max(sumErr, double(std::fabs(v + rest.channels[c][i] - mix.channels[c][i])));
        peak = std::max(peak, double(std::fabs(v)));
      }
    EXPECT_GT(peak, 0.01);  // the network ran: random weights still give a clearly audible stem
    EXPECT_LE(err, 2e-6);
    EXPECT_LE(sumErr, 1e-6);
  }
};

#define REQUIRE_ROFORMER_FIXTURE()                          \
  do {                                                     \
    MIDISTEMS_REQUIRE_FIXTURE(kDir + "model.ckpt");        \
    MIDISTEMS_REQUIRE_FIXTURE(kDir + "config.yaml");       \
    MIDISTEMS_REQUIRE_FIXTURE(kDir + "stems_short.npy");   \
  } while (0)

TEST(RoformerRegistryCli, FetchInstallsCheckpointAndConfigAndSplitUsesThePair) {
  REQUIRE_ROFORMER_FIXTURE();
  const ServedRoformer t("roformer-registry-fetch");
  const CommandResult before = t.midistems("models list");
  ASSERT_EQ(before.status, 0) << before.err;
  const std::string line = listLine(before.out, "tiny");
  EXPECT_NE(line.find("BS-RoFormer"), std::string::npos) << before.out;
  EXPECT_NE(line.find("not installed"), std::string::npos) << line;
  EXPECT_NE(line.find("3.6 MB download"), std::string::npos) << line;

  const CommandResult fetch = t.midistems("models fetch tiny");
  ASSERT_EQ(fetch.status, 0) << fetch.err;
  EXPECT_EQ(fetch.out, (t.models / "tiny_weights.ckpt").string() + "\n" + (t.models / "tiny_config.yaml").string() +
                           "\nmodel 'tiny' is installed (2 files)\n");
  EXPECT_EQ(t.server.requests(), 2);
  EXPECT_EQ(filesIn(t.models), (std::vector<std::string>{"tiny_config.yaml", "tiny_weights.ckpt"}));
  const CommandResult after = t.midistems("models list");
  EXPECT_NE(listLine(after.out, "tiny").find(" installed "), std::string::npos) << after.out;
  EXPECT_EQ(t.midistems("models verify tiny").status, 0);

  // Installed: split finds the pair by name, offline, without a connection.
  const ShortSong song(t.dir / "song.wav");
  const CommandResult split = t.midistems("split --model tiny --two-stems vocals --bits 32f " +
                                              quoted(t.dir / "song.wav") + " -o " + quoted(t.dir / "out"),
                                          true);
  ASSERT_EQ(split.status, 0) << split.err;
  EXPECT_EQ(split.err, "split: using model tiny\n");
  song.expectStems(t.dir / "out");
  EXPECT_EQ(t.server.requests(), 2);

  // The pair comes with its config: another one is refused.
  const CommandResult config = t.midistems("split --model tiny --config " + quoted(t.dir / "x.yaml") + " " +
                                               quoted(t.dir / "song.wav") + " -o " + quoted(t.dir / "out2"),
                                           true);
  testing::expectOneLineError(config, {"--config: only for a RoFormer checkpoint file given with --model, not for model tiny"});
  EXPECT_FALSE(fs::exists(t.dir / "out2"));
  fs::remove_all(t.dir);
}

// `split --model NAME` downloads a missing registry RoFormer (both files) before it separates.
TEST(RoformerRegistryCli, SplitDownloadsANamedModelWhenMissing) {
  REQUIRE_ROFORMER_FIXTURE();
  const ServedRoformer t("roformer-registry-split");
  const ShortSong song(t.dir / "song.wav");
  const CommandResult split = t.midistems("split -o " + quoted(t.dir / "out") + " --model tiny --two-stems vocals " +
                                          "--bits 32f " + quoted(t.dir / "song.wav"));
  ASSERT_EQ(split.status, 0) << split.err;
  EXPECT_EQ(split.err, "split: using model tiny (downloaded to " + t.models.string() + ")\n");
  EXPECT_EQ(t.server.requests(), 2);
  EXPECT_EQ(filesIn(t.models), (std::vector<std::string>{"tiny_config.yaml", "tiny_weights.ckpt"}));
  song.expectStems(t.dir / "out");
  fs::remove_all(t.dir);
}

// A fetch that fails leaves the model not installed: `models list` does not say installed, and
// split refuses the name.
void expectNotInstalled(const ServedRoformer& t, const std::string& status) {
  const CommandResult list = t.midistems("models list");
  EXPECT_NE(listLine(list.out, "tiny").find(status), std::string::npos) << list.out;
  writeAudio(t.dir / "silence.wav", AudioBuffer(2, 4410, 44100), {AudioContainer::Wav, SampleFormat::Float32});
  const CommandResult split =
      t.midistems("split --model tiny " + quoted(t.dir / "silence.wav") + " -o " + quoted(t.dir / "out"), true);
  testing::expectOneLineError(split, {"model 'tiny' is not installed; run: midistems models fetch tiny"});
  EXPECT_FALSE(fs::exists(t.dir / "out") && !fs::is_empty(t.dir / "out"));
}

TEST(RoformerRegistryCli, WrongHashOfTheCheckpointInstallsNothing) {
  REQUIRE_ROFORMER_FIXTURE();
  const ServedRoformer t("roformer-registry-badckpt");
  t.writeRegistry(hashOf("another checkpoint"), hashOf(t.config));
  const CommandResult fetch = t.midistems("models fetch tiny");
  testing::expectOneLineError(fetch, {t.server.url() + "w.ckpt: checksum mismatch (expected sha256 " +
                                      hashOf("another checkpoint") + "..., got " + hashOf(t.checkpoint) +
                                      "); download discarded"});
  EXPECT_EQ(t.server.requests(), 1);  // the config is not fetched after a failed checkpoint
  EXPECT_EQ(filesIn(t.models), std::vector<std::string>{});  // not even a temporary file
  expectNotInstalled(t, "not installed");
  fs::remove_all(t.dir);
}

// The checkpoint arrived intact and stays (a retry need not fetch it again), but without its
// config the pair is not installed.
TEST(RoformerRegistryCli, WrongHashOfTheConfigInstallsNothing) {
  REQUIRE_ROFORMER_FIXTURE();
  const ServedRoformer t("roformer-registry-badconfig");
  t.writeRegistry(hashOf(t.checkpoint), hashOf("another config"));
  const CommandResult fetch = t.midistems("models fetch tiny");
  testing::expectOneLineError(fetch, {t.server.url() + "c.yaml: checksum mismatch (expected sha256 " +
                                      hashOf("another config") + "..., got " + hashOf(t.config) +
                                      "); download discarded"});
  EXPECT_EQ(filesIn(t.models), std::vector<std::string>{"tiny_weights.ckpt"});
  expectNotInstalled(t, "partial 1/2");
  const CommandResult verify = t.midistems("models verify tiny");
  EXPECT_EQ(verify.status, 2);
  EXPECT_NE(verify.out.find("tiny tiny_config.yaml  missing"), std::string::npos) << verify.out;
  fs::remove_all(t.dir);
}

TEST(RoformerRegistryCli, TruncatedBodyInstallsNothing) {
  REQUIRE_ROFORMER_FIXTURE();
  ServedRoformer t("roformer-registry-truncated");
  t.server.truncateBodiesTo(t.checkpoint.size() / 2);
  const CommandResult fetch = t.midistems("models fetch tiny");
  testing::expectOneLineError(fetch, {t.server.url() + "w.ckpt: download failed ("});
  EXPECT_EQ(filesIn(t.models), std::vector<std::string>{});
  expectNotInstalled(t, "not installed");
  fs::remove_all(t.dir);
}

}  // namespace
}  // namespace midistems
