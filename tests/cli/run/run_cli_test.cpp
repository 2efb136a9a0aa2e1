// End-to-end tests of `midistems run` and `midistems demo` on a machine where no separation model
// is installed: online they try the first-use download of htdemucs (here refused by a closed local
// port) and fall back to the DSP separator with one line; with --offline or MIDISTEMS_OFFLINE=1
// they never connect (a local server counts the connections).
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "core/audio_file.h"
#include "separate/models/local_http_server.h"
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

}  // namespace
}  // namespace midistems
