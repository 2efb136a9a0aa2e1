// Tempo estimation on the songgen songs: prints the estimate and the error for each song and
// checks every song against its true tempo (manifest.json). Needs $MIDISTEMS_SONGS_DIR.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>

#include "core/audio_file.h"
#include "transcribe/notes/tempo_estimation.h"

namespace midistems::transcribe {
namespace {

// The manifest is Python's JSON (it may hold -Infinity, which strict parsers refuse): read the
// top-level "bpm" field by hand.
double manifestBpm(const std::filesystem::path& path) {
  std::ifstream in(path);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto at = text.find("\"bpm\":");
  if (at == std::string::npos) throw std::runtime_error(path.string() + ": no bpm");
  return std::stod(text.substr(at + 6, 20));
}

TEST(TempoSonggen, MixtureTempoWithinTwoPercent) {
  const char* songs = std::getenv("MIDISTEMS_SONGS_DIR");
  if (!songs || !std::filesystem::exists(std::filesystem::path(songs) / "song_00"))
    GTEST_SKIP() << "SKIPPED: MIDISTEMS_SONGS_DIR does not hold the songgen songs";
  std::printf("%-8s %8s %9s %8s\n", "song", "true", "estimate", "error%");
  for (int i = 0; i < 4; ++i) {
    const auto dir = std::filesystem::path(songs) / ("song_0" + std::to_string(i));
    const double truth = manifestBpm(dir / "manifest.json");
    const auto bpm = estimateTempo(readAudio(dir / "mixture.wav"));
    ASSERT_TRUE(bpm.has_value());
    const double errorPercent = 100.0 * (*bpm - truth) / truth;
    std::printf("%-8s %8.1f %9.1f %+8.2f\n", dir.filename().c_str(), truth, *bpm, errorPercent);
    EXPECT_LT(std::fabs(errorPercent), 2.0) << dir;
  }
}

}  // namespace
}  // namespace midistems::transcribe
