// MIDI, JSON and CSV export of transcribed stems: channels, programs, pitch-bend values and the
// Python writer's rule for overlapping notes, checked by reading the encoded file back.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "transcribe/notes/note_export.h"

namespace midistems::transcribe {
namespace {

StemTranscription stem(std::string name, bool drums, std::vector<ExportNote> notes) {
  return {std::move(name), drums, std::move(notes)};
}

TEST(NoteExport, GeneralMidiProgramsPerStem) {
  EXPECT_EQ(generalMidiProgramForStem("bass"), 33);
  EXPECT_EQ(generalMidiProgramForStem("vocals"), 53);
  EXPECT_EQ(generalMidiProgramForStem("guitar"), 25);
  EXPECT_EQ(generalMidiProgramForStem("piano"), 0);
  EXPECT_EQ(generalMidiProgramForStem("other"), 0);
}

TEST(NoteExport, PitchBendValuesAndTimesFollowThePythonWriter) {
  ExportNote n{1.0, 2.0, 60, 100, 0.8, {0, 1, -3, 30}};
  const auto points = pitchBendPoints(n);
  ASSERT_EQ(points.size(), 4u);
  EXPECT_EQ(points[0].value, 0);
  EXPECT_EQ(points[1].value, 1365);   // round(4096 / 3)
  EXPECT_EQ(points[2].value, -4096);  // one semitone down
  EXPECT_EQ(points[3].value, 8191);   // ten semitones clipped to the +2 semitone wheel
  EXPECT_DOUBLE_EQ(points[0].seconds, 1.0);
  EXPECT_DOUBLE_EQ(points[1].seconds, 1.0 + 1.0 / 3);
  EXPECT_DOUBLE_EQ(points[3].seconds, 2.0);
}

TEST(NoteExport, VelocityFromAmplitude) {
  NoteEvent e;
  e.pitch = 60;
  e.amplitude = 0.5f;
  EXPECT_EQ(exportNotes({e})[0].velocity, 64);  // round(63.5), half to even
  e.amplitude = 0.001f;
  EXPECT_EQ(exportNotes({e})[0].velocity, 1);   // never 0 (a note-off)
}

TEST(NoteExport, OneNamedTrackPerStemWithDrumsOnChannelTen) {
  const std::vector<StemTranscription> stems = {
      stem("drums", true, {{0.0, 0.1, 36, 100, 100 / 127.0, {}}}),
      stem("bass", false, {{0.5, 1.0, 40, 90, 0.7, {0, 0}}}),
      stem("vocals", false, {{0.5, 1.5, 64, 80, 0.6, {}}}),
      stem("other", false, {{1.0, 2.0, 60, 70, 0.55, {}}}),
  };
  const auto tracks = toNoteTracks(stems, true);
  const midi::MidiFile file = midi::makeMidiFile(tracks, 107.0);
  EXPECT_EQ(file.format, 1);
  ASSERT_EQ(file.tracks.size(), 5u);  // tempo track + 4 stems
  EXPECT_NEAR(file.initialBpm(), 107.0, 0.01);
  const std::vector<std::pair<std::string, int>> expected = {
      {"drums", 9}, {"bass", 0}, {"vocals", 1}, {"other", 2}};
  for (size_t i = 0; i < expected.size(); ++i) {
    const auto& t = file.tracks[i + 1];
    EXPECT_EQ(t.name, expected[i].first);
    ASSERT_FALSE(t.events.empty());
    for (const auto& e : t.events) EXPECT_EQ(e.channel(), expected[i].second) << t.name;
  }
  // Programs: bass 33, vocals 53, other 0; none on the drum channel.
  const auto programOf = [&](size_t track) {
    for (const auto& e : file.tracks[track].events)
      if (e.type() == 0xC0) return int(e.data1);
    return -1;
  };
  EXPECT_EQ(programOf(1), -1);
  EXPECT_EQ(programOf(2), 33);
  EXPECT_EQ(programOf(3), 53);
  EXPECT_EQ(programOf(4), 0);
}

TEST(NoteExport, OverlappingNotesLoseTheirBends) {
  const auto one = stem("vocals", false,
                        {{0.0, 1.0, 60, 90, 0.7, {1, 1}},    // overlaps the next: no bends
                         {0.5, 1.5, 64, 90, 0.7, {2, 2}},    // overlaps the previous: no bends
                         {1.5, 2.0, 67, 90, 0.7, {-1, -2}}}); // starts as the previous ends: kept
  const auto tracks = toNoteTracks({one}, true);
  ASSERT_EQ(tracks.size(), 1u);
  // The kept note's two points, then the return to the centre at its end.
  ASSERT_EQ(tracks[0].pitchBends.size(), 3u);
  EXPECT_EQ(tracks[0].pitchBends[0].value, -1365);
  EXPECT_EQ(tracks[0].pitchBends[1].value, -2731);
  EXPECT_EQ(tracks[0].pitchBends[2].value, 0);
  EXPECT_DOUBLE_EQ(tracks[0].pitchBends[2].seconds, 2.0);
  EXPECT_TRUE(toNoteTracks({one}, false)[0].pitchBends.empty());
}

TEST(NoteExport, JsonAndCsvListEveryNoteInTimeOrder) {
  const std::vector<StemTranscription> stems = {
      stem("bass, low", false, {{1.0, 2.0, 40, 90, 0.7, {}}, {0.25, 0.75, 43, 80, 0.62, {1}}})};
  const auto doc = nlohmann::json::parse(notesJson(stems, 99.5));
  EXPECT_DOUBLE_EQ(doc["tempo_bpm"].get<double>(), 99.5);
  ASSERT_EQ(doc["notes"].size(), 2u);
  const auto& first = doc["notes"][0];
  EXPECT_DOUBLE_EQ(first["start_s"].get<double>(), 0.25);
  EXPECT_DOUBLE_EQ(first["end_s"].get<double>(), 0.75);
  EXPECT_EQ(first["pitch"].get<int>(), 43);
  EXPECT_EQ(first["velocity"].get<int>(), 80);
  EXPECT_DOUBLE_EQ(first["amplitude"].get<double>(), 0.62);
  EXPECT_EQ(first["track"].get<std::string>(), "bass, low");
  EXPECT_EQ(first["pitch_bends"], nlohmann::json::array({1}));
  EXPECT_FALSE(doc["notes"][1].contains("pitch_bends"));

  std::istringstream csv(notesCsv(stems));
  std::string line;
  std::getline(csv, line);
  EXPECT_EQ(line, "track,start_s,end_s,pitch,velocity,amplitude");
  std::getline(csv, line);
  EXPECT_EQ(line, "\"bass, low\",0.250000,0.750000,43,80,0.620000");
  std::getline(csv, line);
  EXPECT_EQ(line, "\"bass, low\",1.000000,2.000000,40,90,0.700000");
  EXPECT_FALSE(std::getline(csv, line));
}

}  // namespace
}  // namespace midistems::transcribe
