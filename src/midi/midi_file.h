#pragma once
// Standard MIDI Files.
//
// Reading: types 0, 1 and 2 (type 2 tracks are read as if they shared one timeline), metrical
// (ticks per quarter) and SMPTE time division, tempo maps from any track, running status, sysex
// and meta events skipped (track names kept). Every channel event gets its time in seconds.
// Note-on with velocity 0 is reported as note-off. Corrupt or truncated files raise
// midistems::Error naming the file and the byte offset.
//
// Writing: type 1 with a tempo track first, then one named track per NoteTrack with its program
// and notes (and optional pitch bends); written atomically.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace midistems::midi {

// A channel voice message (status 0x80..0xEF, channel in the low nibble).
struct MidiEvent {
  double seconds = 0;
  int64_t tick = 0;
  uint8_t status = 0;
  uint8_t data1 = 0;
  uint8_t data2 = 0;

  int channel() const { return status & 0x0F; }
  int type() const { return status & 0xF0; }  // 0x80 note off, 0x90 note on, 0xB0 CC, ...
};

struct MidiTrack {
  std::string name;
  std::vector<MidiEvent> events;  // in time order
};

struct TempoChange {
  int64_t tick = 0;
  double seconds = 0;
  double microsPerQuarter = 500000;  // 120 BPM
};

struct MidiFile {
  int format = 1;
  int ticksPerQuarter = 480;   // for SMPTE files: ticks per second
  std::vector<MidiTrack> tracks;
  std::vector<TempoChange> tempoMap;  // starts at tick 0
  double durationSeconds() const;     // time of the last event of any track
  double initialBpm() const { return tempoMap.empty() ? 120.0 : 60e6 / tempoMap.front().microsPerQuarter; }
};

MidiFile readMidiFile(const std::filesystem::path& path);
// `name` is used in error messages.
MidiFile parseMidiFile(const uint8_t* data, size_t size, const std::string& name);
// All channel events of all tracks in time order; ties keep track order, note-offs first.
std::vector<MidiEvent> mergeTracks(const MidiFile& file);

struct Note {
  double startSeconds = 0;
  double endSeconds = 0;
  int pitch = 60;
  int velocity = 100;
};

struct PitchBendPoint {
  double seconds = 0;
  int value = 0;  // -8192 .. 8191, 0 = centre
};

struct NoteTrack {
  std::string name;
  int channel = 0;    // 0..15; 9 is the General MIDI drum channel
  int program = 0;    // General MIDI program 0..127 (not sent on the drum channel)
  std::vector<Note> notes;
  std::vector<PitchBendPoint> pitchBends;
};

constexpr int kDrumChannel = 9;

std::vector<uint8_t> encodeMidiFile(const std::vector<NoteTrack>& tracks, double bpm = 120.0,
                                    int ticksPerQuarter = 480);
void writeMidiFile(const std::filesystem::path& path, const std::vector<NoteTrack>& tracks,
                   double bpm = 120.0, int ticksPerQuarter = 480);
// The MidiFile that reading the written file would give.
MidiFile makeMidiFile(const std::vector<NoteTrack>& tracks, double bpm = 120.0,
                      int ticksPerQuarter = 480);

}  // namespace midistems::midi
