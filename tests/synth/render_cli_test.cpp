// `midistems render` end to end: a WAV that holds the song, and the error contract (status 2,
// one line naming the file, no output left behind).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>

#include "core/audio_file.h"
#include "midi/demo_song.h"
#include "support/fixtures.h"

namespace {

namespace fs = std::filesystem;

struct Result {
  int status = -1;
  std::string err;
};

Result runRender(const fs::path& scratch, const std::string& args) {
  const fs::path err = scratch / "stderr.txt";
  const std::string command = std::string("'") + MIDISTEMS_CLI + "' render " + args + " >/dev/null 2>'" + err.string() + "'";
  const int raw = std::system(command.c_str());
  std::ifstream in(err);
  return {WIFEXITED(raw) ? WEXITSTATUS(raw) : -1, std::string(std::istreambuf_iterator<char>(in), {})};
}

void expectCleanFailure(const Result& r, const std::string& mention, const fs::path& output) {
  EXPECT_EQ(r.status, 2) << r.err;
  const size_t line = r.err.find("error:");
  ASSERT_NE(line, std::string::npos) << r.err;
  const std::string tail = r.err.substr(line);
  EXPECT_EQ(std::count(tail.begin(), tail.end(), '\n'), 1) << r.err;
  EXPECT_NE(tail.find(mention), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(output));
}

TEST(RenderCommand, WritesTheSongAtTheRequestedRateAndFormat) {
  const fs::path dir = midistems::testing::scratchDir("render-cli");
  const auto song = midistems::midi::composeDemoSong();
  midistems::midi::writeMidiFile(dir / "demo.mid", song.tracks, song.bpm);
  const Result r = runRender(dir, "'" + (dir / "demo.mid").string() + "' -o '" + (dir / "demo.wav").string() +
                                      "' --sample-rate 44100 --bits 16 --quiet");
  ASSERT_EQ(r.status, 0) << r.err;
  const auto info = midistems::probeAudio(dir / "demo.wav");
  EXPECT_EQ(info.sampleRate, 44100);
  EXPECT_EQ(info.channels, 2);
  EXPECT_GE(double(info.frames) / 44100.0, song.durationSeconds - 1.0);
  // Leaves nothing but the output.
  for (const auto& e : fs::directory_iterator(dir))
    EXPECT_TRUE(e.path().extension() == ".mid" || e.path().extension() == ".wav" || e.path().extension() == ".txt") << e.path();
}

TEST(RenderCommand, BadInputExitsTwoWithOneLine) {
  const fs::path dir = midistems::testing::scratchDir("render-cli-bad");
  {
    std::ofstream junk(dir / "junk.mid");
    junk << "this is not a MIDI file";
  }
  const auto song = midistems::midi::composeDemoSong();
  midistems::midi::writeMidiFile(dir / "ok.mid", song.tracks, song.bpm);
  const fs::path out = dir / "out.wav";
  expectCleanFailure(runRender(dir, "'" + (dir / "junk.mid").string() + "' -o '" + out.string() + "'"), "junk.mid", out);
  expectCleanFailure(runRender(dir, "'" + (dir / "missing.mid").string() + "' -o '" + out.string() + "'"), "missing.mid", out);
  expectCleanFailure(runRender(dir, "'" + (dir / "ok.mid").string() + "' -o '" + out.string() + "' --preset nope"), "nope", out);
  expectCleanFailure(runRender(dir, "'" + (dir / "ok.mid").string() + "' -o '" + out.string() + "' --bits 12"), "12", out);
  {
    std::ofstream bad(dir / "bad.json");
    bad << R"({"format": 1, "params": {"cutoff": 5}})";
  }
  expectCleanFailure(runRender(dir, "'" + (dir / "ok.mid").string() + "' -o '" + out.string() + "' --preset '" +
                                        (dir / "bad.json").string() + "'"),
                     "bad.json: unknown parameter \"cutoff\"", out);
}

}  // namespace
