#include "midi/midi_file.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>

#include "core/error.h"
#include "support/fixtures.h"

namespace midistems::midi {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes header(int format, int tracks, int division) {
  return {'M', 'T', 'h', 'd', 0, 0, 0, 6, 0, uint8_t(format), 0, uint8_t(tracks),
          uint8_t(division >> 8), uint8_t(division)};
}

Bytes track(const Bytes& body) {
  Bytes t = {'M', 'T', 'r', 'k', uint8_t(body.size() >> 24), uint8_t(body.size() >> 16),
             uint8_t(body.size() >> 8), uint8_t(body.size())};
  for (uint8_t b : body) t.push_back(b);
  return t;
}

Bytes concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const auto& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

MidiFile parse(const Bytes& b) { return parseMidiFile(b.data(), b.size(), "test.mid"); }

TEST(MidiFileReader, TempoMapRunningStatusSysexAndMeta) {
  // 480 ticks per quarter; 120 BPM, then 60 BPM from tick 480.
  const Bytes body = {
      0x00, 0xFF, 0x03, 0x04, 'L', 'e', 'a', 'd',  // track name
      0x00, 0xFF, 0x51, 0x03, 0x07, 0xA1, 0x20,    // 500000 us/quarter
      0x00, 0xF0, 0x03, 0x7E, 0x09, 0xF7,          // sysex, skipped
      0x00, 0x91, 60, 100,                         // note on, channel 2
      0x83, 0x60, 60, 0,                           // +480, running status note-on vel 0 = off
      0x00, 0xFF, 0x51, 0x03, 0x0F, 0x42, 0x40,    // 1000000 us/quarter
      0x00, 0x91, 64, 90,                          // running status cancelled by meta: explicit
      0x83, 0x60, 0xE1, 0x00, 0x50,                // +480 pitch bend
      0x00, 0xC1, 5,                               // program change: one data byte
      0x00, 0xFF, 0x2F, 0x00};
  const MidiFile f = parse(concat({header(0, 1, 480), track(body)}));
  EXPECT_EQ(f.format, 0);
  ASSERT_EQ(f.tracks.size(), 1u);
  EXPECT_EQ(f.tracks[0].name, "Lead");
  const auto& ev = f.tracks[0].events;
  ASSERT_EQ(ev.size(), 5u);
  EXPECT_EQ(ev[0].type(), 0x90);
  EXPECT_EQ(ev[0].channel(), 1);
  EXPECT_EQ(ev[1].type(), 0x80);  // velocity-0 note-on reported as note-off
  EXPECT_DOUBLE_EQ(ev[1].seconds, 0.5);
  EXPECT_DOUBLE_EQ(ev[2].seconds, 0.5);
  EXPECT_EQ(ev[3].type(), 0xE0);
  EXPECT_DOUBLE_EQ(ev[3].seconds, 1.5);  // 480 ticks at 60 BPM = 1 s more
  EXPECT_EQ(ev[4].type(), 0xC0);
  EXPECT_EQ(ev[4].data1, 5);
  EXPECT_NEAR(f.initialBpm(), 120.0, 1e-9);
  EXPECT_DOUBLE_EQ(f.durationSeconds(), 1.5);
}

TEST(MidiFileReader, TempoInAnotherTrackAppliesToAll) {
  const Bytes tempo = {0x00, 0xFF, 0x51, 0x03, 0x0F, 0x42, 0x40, 0x00, 0xFF, 0x2F, 0x00};  // 60 BPM
  const Bytes notes = {0x00, 0x90, 60, 100, 0x60, 0x80, 60, 0, 0x00, 0xFF, 0x2F, 0x00};   // 96 ticks
  const MidiFile f = parse(concat({header(1, 2, 96), track(tempo), track(notes)}));
  ASSERT_EQ(f.tracks.size(), 2u);
  EXPECT_DOUBLE_EQ(f.tracks[1].events[1].seconds, 1.0);
  const auto merged = mergeTracks(f);
  EXPECT_EQ(merged.size(), 2u);
}

TEST(MidiFileReader, SmpteDivisionAndUnknownChunks) {
  // -25 fps x 40 ticks per frame = 1000 ticks per second.
  const Bytes junk = {'X', 'F', 'I', 'H', 0, 0, 0, 3, 1, 2, 3};
  const Bytes notes = {0x00, 0x90, 60, 100, 0x87, 0x68, 0x80, 60, 0, 0x00, 0xFF, 0x2F, 0x00};  // +1000
  const MidiFile f = parse(concat({header(0, 1, 0xE728), junk, track(notes)}));
  EXPECT_DOUBLE_EQ(f.tracks[0].events[1].seconds, 1.0);
}

TEST(MidiFileReader, CorruptInputGivesOneLineErrors) {
  const Bytes good = concat({header(0, 1, 480), track({0x00, 0x90, 60, 100, 0x10, 0x80, 60, 0, 0x00,
                                                       0xFF, 0x2F, 0x00})});
  const std::vector<Bytes> bad = {
      {},
      {'R', 'I', 'F', 'F', 0, 0, 0, 0, 0, 0, 0, 0, 0, 0},
      concat({header(0, 1, 480), track({0x00, 60, 100})}),                          // no status
      concat({header(0, 1, 480), track({0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0x90, 1, 1})}), // 5-byte VLQ
      concat({header(0, 1, 480), track({0x00, 0xFF, 0x51, 0x03, 0, 0, 0})}),        // zero tempo
      concat({header(0, 1, 0), track({0x00, 0xFF, 0x2F, 0x00})}),                   // zero division
      concat({header(7, 1, 480), track({0x00, 0xFF, 0x2F, 0x00})}),                 // bad format
      header(0, 1, 480),                                                            // no tracks
  };
  for (const auto& b : bad) {
    try {
      parse(b);
      ADD_FAILURE() << "accepted a corrupt file of " << b.size() << " bytes";
    } catch (const Error& e) {
      const std::string msg = e.what();
      EXPECT_EQ(msg.rfind("test.mid: ", 0), 0u) << msg;
      EXPECT_EQ(msg.find('\n'), std::string::npos);
    }
  }
  // Every truncation of a good file is either an error or a clean parse, never a crash.
  for (size_t n = 0; n < good.size(); ++n) {
    try {
      parse(Bytes(good.begin(), good.begin() + long(n)));
    } catch (const Error&) {
    }
  }
  EXPECT_THROW(readMidiFile(::midistems::testing::scratchDir("midi") / "missing.mid"), Error);
}

TEST(MidiFileWriter, RoundTripKeepsNotesWithinOneTick) {
  std::vector<NoteTrack> tracks(2);
  tracks[0] = {"bass", 0, 33, {{0.0, 0.5, 40, 100}, {0.5, 1.25, 43, 80}}, {}};
  tracks[1] = {"drums", kDrumChannel, 0, {{0.25, 0.35, 36, 127}, {0.75, 0.85, 38, 64}}, {}};
  tracks[0].pitchBends = {{0.6, 4096}, {0.9, -8192}, {1.0, 0}};
  const double bpm = 97.0;
  const MidiFile f = makeMidiFile(tracks, bpm, 480);
  EXPECT_EQ(f.format, 1);
  ASSERT_EQ(f.tracks.size(), 3u);
  EXPECT_EQ(f.tracks[1].name, "bass");
  EXPECT_EQ(f.tracks[2].name, "drums");
  EXPECT_NEAR(f.initialBpm(), bpm, 1e-3);
  const double tick = 60.0 / bpm / 480;
  const auto& bassEvents = f.tracks[1].events;
  ASSERT_EQ(bassEvents.front().type(), 0xC0);
  EXPECT_EQ(bassEvents.front().data1, 33);
  int noteOns = 0, bends = 0;
  for (const auto& e : bassEvents) {
    if (e.type() == 0x90) {
      const auto& n = tracks[0].notes[size_t(noteOns++)];
      EXPECT_NEAR(e.seconds, n.startSeconds, tick);
      EXPECT_EQ(e.data1, n.pitch);
      EXPECT_EQ(e.data2, n.velocity);
    }
    if (e.type() == 0xE0) {
      const int value = (e.data1 | (e.data2 << 7)) - 8192;
      EXPECT_EQ(value, tracks[0].pitchBends[size_t(bends)].value);
      EXPECT_NEAR(e.seconds, tracks[0].pitchBends[size_t(bends)].seconds, tick);
      ++bends;
    }
  }
  EXPECT_EQ(noteOns, 2);
  EXPECT_EQ(bends, 3);
  for (const auto& e : f.tracks[2].events) {
    EXPECT_EQ(e.channel(), kDrumChannel);
    EXPECT_NE(e.type(), 0xC0);  // no program change on the drum channel
  }
  // A note ending where the next starts: its note-off comes first after merging.
  const auto merged = mergeTracks(f);
  for (size_t i = 1; i < merged.size(); ++i) EXPECT_LE(merged[i - 1].tick, merged[i].tick);
}

TEST(MidiFileWriter, WritesAtomicallyAndRejectsBadTracks) {
  const auto dir = ::midistems::testing::scratchDir("midiw");
  std::vector<NoteTrack> tracks = {{"x", 0, 0, {{0, 1, 60, 100}}, {}}};
  writeMidiFile(dir / "a.mid", tracks);
  EXPECT_EQ(readMidiFile(dir / "a.mid").tracks.size(), 2u);
  tracks[0].channel = 16;
  EXPECT_THROW(writeMidiFile(dir / "b.mid", tracks), Error);
  tracks[0].channel = 0;
  tracks[0].notes[0].startSeconds = std::nan("");
  EXPECT_THROW(writeMidiFile(dir / "c.mid", tracks), Error);
  EXPECT_FALSE(std::filesystem::exists(dir / "b.mid"));
  EXPECT_FALSE(std::filesystem::exists(dir / "c.mid"));
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir), std::filesystem::directory_iterator()), 1);
}

}  // namespace
}  // namespace midistems::midi
