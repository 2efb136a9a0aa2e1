// Song-level check of the posteriorgrams on the songgen songs ($MIDISTEMS_SONGS_DIR/song_00 ...,
// rendered by the `songgen` CTest fixture): in the middle of every lead-vocal note of the ground
// truth, the strongest note of the note posteriorgram is the written pitch. Prints the fraction
// per song. Skips visibly when the songs are absent.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <regex>
#include <sstream>

#include "core/audio_file.h"
#include "test_model.h"

namespace midistems::testing {
namespace {

namespace fs = std::filesystem;

TEST(BasicPitchSongs, VocalNotesPeakAtTheirPitch) {
  const char* songsEnv = std::getenv("MIDISTEMS_SONGS_DIR");
  if (!songsEnv || !fs::exists(fs::path(songsEnv) / "song_00" / "manifest.json"))
    GTEST_SKIP() << "SKIPPED: songgen songs not found (run through ctest, which renders them)";
  MIDISTEMS_REQUIRE_BASIC_PITCH_MODEL(model);
  const fs::path songs(songsEnv);
  int songsChecked = 0;
  for (int i = 0; i < 4; ++i) {
    char name[16];
    std::snprintf(name, sizeof name, "song_%02d", i);
    const fs::path dir = songs / name;
    if (!fs::exists(dir / "manifest.json")) continue;
    std::ifstream in(dir / "manifest.json");
    std::stringstream text;
    text << in.rdbuf();
    // Python's json writes -Infinity for silent levels; those fields are not read here.
    const auto manifest = nlohmann::json::parse(std::regex_replace(text.str(), std::regex("-?Infinity|NaN"), "null"));
    const auto p = model->run(readAudio(dir / "vocals.wav"));
    int notes = 0, hits = 0;
    for (const auto& note : manifest.at("notes").at("vocals")) {
      const double onset = note.at("onset").get<double>(), offset = note.at("offset").get<double>();
      if (offset - onset < 0.2) continue;  // shorter notes blur into their neighbours
      const auto frame = int64_t((onset + offset) / 2 * transcribe::kBasicPitchSampleRate / transcribe::kBasicPitchHop);
      if (frame >= p.frames) continue;
      const float* row = p.notes.data() + frame * transcribe::kBasicPitchNotes;
      const int strongest = int(std::max_element(row, row + transcribe::kBasicPitchNotes) - row);
      ++notes;
      hits += strongest + 21 == note.at("pitch").get<int>();
      if (strongest + 21 != note.at("pitch").get<int>())
        std::printf("  miss %.2f-%.2f pitch %d strongest %d (%.2f vs %.2f)\n", onset, offset, note.at("pitch").get<int>(),
                    strongest + 21, row[strongest], row[note.at("pitch").get<int>() - 21]);
    }
    ASSERT_GT(notes, 10) << name;
    const double fraction = double(hits) / notes;
    std::printf("%s vocals: strongest posteriorgram note = written pitch in %d of %d notes (%.3f)\n", name, hits,
                notes, fraction);
    EXPECT_GE(fraction, 0.9) << name;
    ++songsChecked;
  }
  EXPECT_GT(songsChecked, 0);
}

}  // namespace
}  // namespace midistems::testing
