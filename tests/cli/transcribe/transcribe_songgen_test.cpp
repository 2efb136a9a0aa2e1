// Note F1 of `midistems transcribe` on the songgen songs, with the clean ground-truth stems as
// input: each stem is transcribed on its own and scored by ../shared/tools/songgen/evaluate.py
// (mir_eval, 50 ms onset tolerance). Prints the table and checks the mean F1 per stem against a
// floor a little below what was measured (see the constants). Needs $MIDISTEMS_SONGS_DIR.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "support/fixtures.h"
#include "support/songgen_scores.h"

namespace midistems {
namespace {

namespace fs = std::filesystem;

struct Floor {
  const char* stem;
  double onsetF1;        // mean over the four songs, onset + pitch
  double onsetOffsetF1;  // also requiring the offset
};
// Measured means (songgen --n 4 --seed 1234), bass and vocals through the monophonic tracker
// (transcribe/mono): bass 0.953 / 0.940, vocals 0.985 / 0.931; other through the polyphonic
// decoder (transcribe/poly): 0.669 / 0.352. The floors are above what basic-pitch's note creation
// reaches on the same stems (`--engine basic-pitch`: bass 0.639 / 0.055, vocals 0.504 / 0.148,
// other onset F1 0.575), so a fall back to it fails here. The other stem's onset+offset F1 is
// about the same either way on these four songs (0.354 with note creation): two of them are pads
// and strings held across chord changes, whose repeated notes neither decoding separates.
constexpr Floor kFloors[] = {{"bass", 0.88, 0.85}, {"vocals", 0.90, 0.82}, {"other", 0.63, 0.31}};

TEST(TranscribeSonggen, NoteF1PerStemAboveTheMeasuredFloor) {
  std::string missing;
  const auto songsDir = testing::songgenSongs(missing);
  if (!songsDir) GTEST_SKIP() << "SKIPPED: " << missing;
  const fs::path songs = *songsDir;
  const fs::path scratch = testing::scratchDir("transcribe-songgen");

  std::map<std::string, double> onsetSum, offsetSum;
  std::printf("%-8s %-7s %5s %5s  %-22s %-22s\n", "song", "stem", "n_ref", "n_est", "onset P/R/F1",
              "onset+offset P/R/F1");
  for (int i = 0; i < 4; ++i) {
    const std::string song = "song_0" + std::to_string(i);
    const fs::path est = scratch / song;
    fs::create_directories(est);
    for (const Floor& f : kFloors) {
      const std::string command = std::string("'") + MIDISTEMS_CLI + "' transcribe -q " +
                                  testing::quoted(songs / song / (std::string(f.stem) + ".wav")) + " -o " +
                                  testing::quoted(est / (std::string(f.stem) + ".mid")) + " >/dev/null 2>&1";
      ASSERT_EQ(testing::runShell(command), 0) << command;
    }
    const fs::path scores = scratch / (song + ".json");
    const auto midi = testing::songgenMidiScores(songs / song, est, scores);
    for (const Floor& f : kFloors) {
      ASSERT_TRUE(midi.contains(f.stem)) << song << ": no " << f.stem << " score";
      const auto& m = midi[f.stem];
      const auto& on = m["onset"];
      const auto& off = m["onset_offset"];
      std::printf("%-8s %-7s %5d %5d  %.3f/%.3f/%.3f      %.3f/%.3f/%.3f\n", song.c_str(), f.stem,
                  m["n_ref"].get<int>(), m["n_est"].get<int>(), on["P"].get<double>(), on["R"].get<double>(),
                  on["F1"].get<double>(), off["P"].get<double>(), off["R"].get<double>(), off["F1"].get<double>());
      onsetSum[f.stem] += on["F1"].get<double>();
      offsetSum[f.stem] += off["F1"].get<double>();
    }
  }
  for (const Floor& f : kFloors) {
    const double onset = onsetSum[f.stem] / 4, offset = offsetSum[f.stem] / 4;
    std::printf("mean     %-7s onset F1 %.3f (floor %.2f), onset+offset F1 %.3f (floor %.2f)\n", f.stem, onset,
                f.onsetF1, offset, f.onsetOffsetF1);
    EXPECT_GE(onset, f.onsetF1) << f.stem;
    EXPECT_GE(offset, f.onsetOffsetF1) << f.stem;
  }
  fs::remove_all(scratch);
}

}  // namespace
}  // namespace midistems
