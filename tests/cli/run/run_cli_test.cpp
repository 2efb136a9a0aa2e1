// End-to-end tests of `midistems run` and `midistems demo` on a machine where no separation model
// is installed: online they try the first-use download of htdemucs (here refused by a closed local
// port) and fall back to the DSP separator with one line; with --offline or MIDISTEMS_OFFLINE=1
// they never connect (a local server counts the connections). With a vocals RoFormer (the
// random-weight fixture roformer/bs_small, by name from a registry file or as a file with
// --config) `run` gives the vocals and the rest, and transcribes the vocals alone.
#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <numbers>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "core/audio_file.h"
#include "midi/midi_file.h"
#include "separate/models/local_http_server.h"
#include "separate/models/sha256.h"
#include "support/fixtures.h"
#include "support/run_cli.h"

namespace midistems {
namespace {

namespace fs = std::filesystem;

using testing::CommandResult;
using testing::quoted;

bool haveBasicPitchModel() {
  return fs::exists(testing::sourcePath("third_party/npm/node_modules/@spotify/basic-pitch/model/model.json"));
}

#define REQUIRE_BASIC_PITCH_MODEL()                                                           \
  do {                                                                                        \
    if (!haveBasicPitchModel())                                                               \
      GTEST_SKIP() << "SKIPPED: basic-pitch model not installed (scripts/setup.sh)";           \
  } while (0)

// No model installed in `models`, downloads allowed from `url`, straight to 127.0.0.1 whatever
// proxy the machine has.
std::string onlineEnv(const fs::path& models, const std::string& url) {
  return "MIDISTEMS_OFFLINE= MIDISTEMS_MODELS_DIR=" + quoted(models) + " MIDISTEMS_MODELS_URL=" + testing::quoted(url) +
         " no_proxy='*' NO_PROXY='*'";
}

// A bass tone and a lead tone, one second, stereo.
void writeSong(const fs::path& path) {
  AudioBuffer b(2, 44100, 44100);
  for (size_t c = 0; c < 2; ++c)
    for (size_t i = 0; i < b.channels[c].size(); ++i) {
      const double t = double(i) / 44100;
      b.channels[c][i] =
          float(0.2 * std::sin(2 * std::numbers::pi * 55 * t) + 0.2 * std::sin(2 * std::numbers::pi * 440 * t));
    }
  writeAudio(path, b, {AudioContainer::Wav, SampleFormat::Pcm24});
}

// The lines of `text` that start with `prefix`.
std::vector<std::string> linesStartingWith(const std::string& text, const std::string& prefix) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(prefix, 0) == 0) lines.push_back(line);
  return lines;
}

TEST(RunCliFirstUse, RefusedDownloadFallsBackToDsp) {
  REQUIRE_BASIC_PITCH_MODEL();
  const fs::path dir = testing::scratchDir("run-refused");
  writeSong(dir / "song.wav");
  std::string closed;
  {
    testing::LocalHttpServer server({});
    closed = server.url();
  }
  const CommandResult r = testing::runMidistems(
      dir, "run -q " + quoted(dir / "song.wav") + " -o " + quoted(dir / "out"), onlineEnv(dir / "models", closed));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("stems (dsp):"), std::string::npos) << r.out;
  const auto notes = linesStartingWith(r.err, "split: ");
  ASSERT_EQ(notes.size(), 1u) << r.err;
  EXPECT_EQ(notes[0].rfind("split: using the built-in DSP separator (model htdemucs is not installed and could not "
                           "be downloaded: cannot reach 127.0.0.1: ", 0),
            0u)
      << r.err;
  EXPECT_EQ(r.err.find("error"), std::string::npos) << r.err;
  EXPECT_TRUE(fs::exists(dir / "out" / "song.preview.wav"));
}

TEST(RunCliFirstUse, OfflineNeverConnects) {
  REQUIRE_BASIC_PITCH_MODEL();
  const fs::path dir = testing::scratchDir("run-offline");
  writeSong(dir / "song.wav");
  testing::LocalHttpServer server({{"955717e8-8726e21a.th", std::string(1000, 'm')}});
  const std::string online = onlineEnv(dir / "models", server.url());
  const std::string offlineNote =
      "split: using the built-in DSP separator (no HTDemucs model installed and downloads are off; "
      "run: midistems models fetch htdemucs)";
  for (const auto& [args, env] :
       {std::pair{"run -q " + quoted(dir / "song.wav") + " -o " + quoted(dir / "flag") + " --offline", online},
        std::pair{"run -q " + quoted(dir / "song.wav") + " -o " + quoted(dir / "env"), online + " MIDISTEMS_OFFLINE=1"},
        std::pair{"demo -q -o " + quoted(dir / "demo") + " --offline", online}}) {
    const CommandResult r = testing::runMidistems(dir, args, env);
    ASSERT_EQ(r.status, 0) << args << "\n" << r.err;
    EXPECT_NE(r.out.find("stems (dsp):"), std::string::npos) << r.out;
    EXPECT_EQ(linesStartingWith(r.err, "split: "), std::vector<std::string>{offlineNote}) << r.err;
  }
  EXPECT_EQ(server.requests(), 0);
  EXPECT_FALSE(fs::exists(dir / "models"));
}

std::string fileHash(const fs::path& path) {
  const std::string bytes = testing::slurp(path);
  return separate::sha256Hex(bytes.data(), bytes.size());
}

// The fixture installed as the registry model "tiny" (vocals), and also as a checkpoint with its
// config elsewhere; a song of 5 s from the fixture's input.
struct InstalledRoformer {
  fs::path dir, models;
  explicit InstalledRoformer(const std::string& name) : dir(testing::scratchDir(name)), models(dir / "models") {
    const fs::path ckpt = testing::fixturePath("roformer/bs_small/model.ckpt");
    const fs::path yaml = testing::fixturePath("roformer/bs_small/config.yaml");
    fs::create_directories(models);
    fs::copy_file(ckpt, models / "tiny_weights.ckpt");
    fs::copy_file(yaml, models / "tiny_config.yaml");
    fs::copy_file(ckpt, dir / "weights.ckpt");
    fs::copy_file(yaml, dir / "settings.yaml");
    std::ofstream(dir / "registry.json")
        << R"({"models": [{"name": "tiny", "architecture": "bs_roformer", "sources": ["vocals"], "files": [)"
        << R"({"name": "tiny_weights.ckpt", "url": "http://127.0.0.1:1/w", "size": )" << fs::file_size(ckpt)
        << R"(, "sha256": ")" << fileHash(ckpt) << R"("}, {"name": "tiny_config.yaml", "url": "http://127.0.0.1:1/c", )"
        << R"("size": )" << fs::file_size(yaml) << R"(, "sha256": ")" << fileHash(yaml) << R"("}]}]})";
    AudioBuffer song(2, 5 * 44100, 44100);
    for (size_t c = 0; c < 2; ++c)
      for (size_t i = 0; i < song.channels[c].size(); ++i) {
        const double t = double(i) / 44100;
        song.channels[c][i] = float(0.3 * std::sin(2 * std::numbers::pi * (t < 2.5 ? 440 : 330) * t) +
                                    0.2 * std::sin(2 * std::numbers::pi * 110 * t));
      }
    writeAudio(dir / "song.wav", song, {AudioContainer::Wav, SampleFormat::Pcm24});
  }
  CommandResult run(const std::string& args) const {
    return testing::runMidistems(dir, "run -q " + quoted(dir / "song.wav") + " " + args,
                                 "MIDISTEMS_OFFLINE=1 MIDISTEMS_MODELS_DIR=" + quoted(models) +
                                     " MIDISTEMS_MODELS_REGISTRY=" + quoted(dir / "registry.json"));
  }
};

std::vector<std::string> trackNames(const fs::path& midi) {
  std::vector<std::string> names;
  for (const auto& track : midi::readMidiFile(midi).tracks)
    if (!track.name.empty()) names.push_back(track.name);
  return names;
}

// A one-source model gives its source and the rest of the song; only the source is transcribed.
TEST(RunCliRoformer, VocalsModelGivesVocalsMidiAndTheInstrumental) {
  REQUIRE_BASIC_PITCH_MODEL();
  MIDISTEMS_REQUIRE_FIXTURE("roformer/bs_small/model.ckpt");
  const InstalledRoformer t("run-roformer");
  for (const auto& [args, separator] :
       {std::pair{"-o " + quoted(t.dir / "named") + " --model tiny", std::string("tiny")},
        std::pair{"-o " + quoted(t.dir / "file") + " --model " + quoted(t.dir / "weights.ckpt") + " --config " +
                      quoted(t.dir / "settings.yaml"),
                  (t.dir / "weights.ckpt").string()}}) {
    const CommandResult r = t.run(args);
    ASSERT_EQ(r.status, 0) << args << "\n" << r.err;
    const fs::path out = t.dir / (separator == "tiny" ? "named" : "file");
    EXPECT_NE(r.out.find("stems (" + separator + "):\n  " + (out / "stems" / "vocals.wav").string() + "\n  " +
                         (out / "stems" / "no_vocals.wav").string() + "\n"),
              std::string::npos)
        << r.out;
    const AudioBuffer vocals = readAudio(out / "stems" / "vocals.wav");
    const AudioBuffer rest = readAudio(out / "stems" / "no_vocals.wav");
    EXPECT_EQ(vocals.numFrames(), 5 * 44100);
    EXPECT_EQ(rest.numFrames(), 5 * 44100);
    // The tempo track, then one track: the vocals (no_vocals is audio only).
    EXPECT_EQ(trackNames(out / "song.transcribed.mid"), (std::vector<std::string>{"midistems", "vocals"}));
    EXPECT_TRUE(fs::exists(out / "song.preview.wav"));
  }
}

TEST(RunCliRoformer, TwoStemsAndConfigAreChecked) {
  MIDISTEMS_REQUIRE_FIXTURE("roformer/bs_small/model.ckpt");
  const InstalledRoformer t("run-roformer-refused");
  testing::expectOneLineError(t.run("-o " + quoted(t.dir / "a") + " --model tiny --two-stems drums"),
                              {"--two-stems: unknown source 'drums' (this model has vocals)"});
  testing::expectOneLineError(t.run("-o " + quoted(t.dir / "b") + " --model tiny --config " + quoted(t.dir / "settings.yaml")),
                              {"--config: only for a RoFormer checkpoint file given with --model, not for model tiny"});
  testing::expectOneLineError(t.run("-o " + quoted(t.dir / "c") + " --model " + quoted(t.dir / "weights.ckpt")),
                              {"a BS-RoFormer checkpoint needs its YAML config (--config FILE.yaml, or weights.yaml beside it)"});
  for (const char* out : {"a", "b", "c"}) EXPECT_FALSE(fs::exists(t.dir / out / "stems" / "vocals.wav")) << out;
}

}  // namespace
}  // namespace midistems
