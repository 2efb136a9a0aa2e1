// `midistems transcribe --plot`: the picture is written beside the MIDI file, one panel per stem,
// and a picture that cannot be written fails the whole command with one line and leaves no file
// at all (nor the MIDI file). Drum stems need no basic-pitch model, so these always run.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numbers>

#include "core/audio_file.h"
#include "support/fixtures.h"
#include "support/run_cli.h"

namespace midistems {
namespace {

namespace fs = std::filesystem;

using testing::CommandResult;
using testing::quoted;

// Kick (decaying 55 Hz) every 0.5 s.
void writeDrums(const fs::path& path, double seconds) {
  const int rate = 44100;
  AudioBuffer b(1, int64_t(seconds * rate), rate);
  for (double start = 0.1; start + 0.3 < seconds; start += 0.5)
    for (int64_t i = 0; i < int64_t(0.3 * rate); ++i) {
      const double t = double(i) / rate;
      b.channels[0][size_t(int64_t(start * rate) + i)] += float(0.8 * std::exp(-t * 20) * std::sin(2 * std::numbers::pi * 55 * t));
    }
  writeAudio(path, b, {AudioContainer::Wav, SampleFormat::Float32});
}

struct PngSize {
  uint32_t width = 0, height = 0;
};

// The PNG signature and the IHDR chunk's width and height (big-endian, bytes 16..23).
PngSize pngSize(const std::string& bytes) {
  if (bytes.size() < 24 || bytes.compare(0, 8, std::string("\x89PNG\r\n\x1a\n", 8)) != 0 ||
      bytes.compare(12, 4, "IHDR") != 0)
    return {};
  const auto be32 = [&](size_t at) {
    return uint32_t(uint8_t(bytes[at])) << 24 | uint32_t(uint8_t(bytes[at + 1])) << 16 |
           uint32_t(uint8_t(bytes[at + 2])) << 8 | uint32_t(uint8_t(bytes[at + 3]));
  };
  return {be32(16), be32(20)};
}

std::vector<std::string> filesIn(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::recursive_directory_iterator(dir)) names.push_back(e.path().lexically_relative(dir).string());
  std::sort(names.begin(), names.end());
  return names;
}

TEST(TranscribePlotCli, WritesOnePanelPerStem) {
  const fs::path dir = testing::scratchDir("transcribe-plot");
  writeDrums(dir / "drums.wav", 3.0);
  auto r = testing::runMidistems(dir, "transcribe -q " + quoted(dir / "drums.wav") + " -o " + quoted(dir / "one.mid") +
                                          " --plot " + quoted(dir / "one.png"));
  ASSERT_EQ(r.status, 0) << r.err;
  ASSERT_TRUE(fs::exists(dir / "one.mid"));
  const PngSize one = pngSize(testing::slurp(dir / "one.png"));
  // 3 s at 100 px per second plus the margins; one panel of 240 px plus the margins.
  EXPECT_GE(one.width, 300u);
  EXPECT_LE(one.width, 600u);
  EXPECT_GE(one.height, 240u);
  EXPECT_LE(one.height, 300u);

  // A folder of two stems: a second panel below the first, the same width.
  fs::create_directories(dir / "stems");
  writeDrums(dir / "stems" / "drums.wav", 3.0);
  writeDrums(dir / "stems" / "kit.wav", 3.0);
  r = testing::runMidistems(dir, "transcribe -q --kind drums " + quoted(dir / "stems") + " -o " +
                                     quoted(dir / "two.mid") + " --plot " + quoted(dir / "two.png"));
  ASSERT_EQ(r.status, 0) << r.err;
  const PngSize two = pngSize(testing::slurp(dir / "two.png"));
  EXPECT_EQ(two.width, one.width);
  EXPECT_GE(two.height, one.height + 240);
  EXPECT_LE(two.height, one.height + 260);
}

TEST(TranscribePlotCli, UnwritablePictureLeavesNothing) {
  const fs::path dir = testing::scratchDir("transcribe-plot-unwritable");
  writeDrums(dir / "drums.wav", 2.0);
  const std::string base = "transcribe -q " + quoted(dir / "drums.wav") + " -o " + quoted(dir / "out" / "x.mid");
  fs::create_directories(dir / "out");
  const std::vector<std::string> inputs = {"drums.wav", "out"};
  // A folder that does not exist: refused before any work.
  testing::expectOneLineError(testing::runMidistems(dir, base + " --plot " + quoted(dir / "missing" / "x.png")),
                              {"missing"});
  EXPECT_EQ(filesIn(dir), inputs);
  // A folder given as the file.
  testing::expectOneLineError(testing::runMidistems(dir, base + " --plot " + quoted(dir / "out")), {"is a folder"});
  EXPECT_EQ(filesIn(dir), inputs);
  // A folder no one may create files in, not even root: fails when the outputs are written, after
  // the MIDI file's temporary copy was made, and that goes too.
  testing::expectOneLineError(testing::runMidistems(dir, base + " --plot /proc/self/x.png"), {"x.png"});
  EXPECT_EQ(filesIn(dir), inputs);
}

}  // namespace
}  // namespace midistems
