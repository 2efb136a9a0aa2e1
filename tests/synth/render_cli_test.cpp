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
#include "support/run_cli.h"

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
  midistems::testing::expectOneLineError({r.status, "", r.err}, {mention});
  EXPECT_FALSE(fs::exists(output));
}

TEST(RenderCommand, WritesTheSongAtTheRequestedRateAndFormat) {
  const fs::path dir = midistems::testing::scratchDir("render-cli");
  const auto song = midistems::midi::composeDemoSong();
  midistems::midi::writeMidiFile(dir / "demo.mid", song.tracks, song.bpm);
  using midistems::testing::quoted;
  const Result r = runRender(dir, quoted(dir / "demo.mid") + " -o " + quoted(dir / "demo.wav") +
                                      " --sample-rate 44100 --bits 16 --quiet");
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
  using midistems::testing::quoted;
  const std::string toOut = " -o " + quoted(out), okSong = quoted(dir / "ok.mid");
  expectCleanFailure(runRender(dir, quoted(dir / "junk.mid") + toOut), "junk.mid", out);
  expectCleanFailure(runRender(dir, quoted(dir / "missing.mid") + toOut), "missing.mid", out);
  expectCleanFailure(runRender(dir, okSong + toOut + " --preset nope"), "nope", out);
  expectCleanFailure(runRender(dir, okSong + toOut + " --bits 12"), "12", out);
  // Wrong names, types and ranges in a preset are bad input (status 2) naming the key, not an
  // internal error; a format number beyond 32 bits is not truncated into a known one.
  const auto expectPresetRefused = [&](const std::string& text, const std::string& mention) {
    std::ofstream(dir / "bad.json", std::ios::trunc) << text;
    expectCleanFailure(runRender(dir, okSong + toOut + " --preset " + quoted(dir / "bad.json")), mention, out);
  };
  expectPresetRefused(R"({"format": 2, "chain": "delay"})", "bad.json: \"chain\" must be a list of effect names");
  expectPresetRefused(R"({"format": 1, "name": 5})", "bad.json: \"name\" must be a string, not 5");
  expectPresetRefused(R"({"format": 4294967297})", "bad.json: preset format 4294967297 is newer than this version");
  expectPresetRefused(R"({"format": 1, "params": {"osc1_wave": 1.5}})", "\"osc1_wave\": expects a whole number");
  std::string large = R"({"format": 1})";
  large.append(size_t(1) << 20, ' ');
  expectPresetRefused(large, "bad.json: preset file is larger than 1 MiB");
}

}  // namespace
