#include "midi/demo_song.h"

#include <gtest/gtest.h>

#include <set>

namespace midistems::midi {
namespace {

TEST(DemoSong, FourStemsInsideTheSongWithSaneRanges) {
  const DemoSong song = composeDemoSong();
  ASSERT_EQ(song.tracks.size(), 4u);
  const std::vector<std::string> names = {"drums", "bass", "other", "vocals"};
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ(song.tracks[i].name, names[i]);
  EXPECT_EQ(song.tracks[0].channel, kDrumChannel);
  EXPECT_NEAR(song.durationSeconds, 12 * 4 * 60.0 / song.bpm, 1e-9);
  const std::vector<std::pair<int, int>> ranges = {{35, 59}, {28, 60}, {48, 84}, {60, 90}};
  for (size_t i = 0; i < 4; ++i) {
    const auto& t = song.tracks[i];
    EXPECT_GT(t.notes.size(), 40u) << t.name;
    for (const auto& n : t.notes) {
      EXPECT_GE(n.startSeconds, 0.0);
      EXPECT_GT(n.endSeconds, n.startSeconds);
      EXPECT_LE(n.endSeconds, song.durationSeconds + 1e-9);
      EXPECT_GE(n.pitch, ranges[i].first) << t.name;
      EXPECT_LE(n.pitch, ranges[i].second) << t.name;
    }
  }
  std::set<int> drumKeys;
  for (const auto& n : song.tracks[0].notes) drumKeys.insert(n.pitch);
  for (int key : {36, 38, 42, 46, 49, 51}) EXPECT_TRUE(drumKeys.count(key)) << key;
}

TEST(DemoSong, IsDeterministic) {
  const auto a = encodeMidiFile(composeDemoSong().tracks, 100.0);
  const auto b = encodeMidiFile(composeDemoSong().tracks, 100.0);
  EXPECT_EQ(a, b);
}

}  // namespace
}  // namespace midistems::midi
