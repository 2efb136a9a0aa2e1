// Type-1 Standard MIDI File writer for note lists (transcriptions, the demo song).
#include <algorithm>
#include <cmath>
#include <string>

#include "core/atomic_file.h"
#include "core/error.h"
#include "midi/midi_file.h"

namespace midistems::midi {

namespace {

void putVlq(std::vector<uint8_t>& out, uint32_t v) {
  uint8_t buf[5];
  int n = 0;
  buf[n++] = uint8_t(v & 0x7F);
  while (v >>= 7) buf[n++] = uint8_t(0x80 | (v & 0x7F));
  while (n) out.push_back(buf[--n]);
}

void put32(std::vector<uint8_t>& out, uint32_t v) {
  for (int s = 24; s >= 0; s -= 8) out.push_back(uint8_t(v >> s));
}

struct TimedBytes {
  int64_t tick;
  int order;  // at equal ticks: meta/program first, then note-offs, bends, note-ons
  std::vector<uint8_t> bytes;
};

std::vector<uint8_t> trackChunk(std::vector<TimedBytes> events) {
  std::stable_sort(events.begin(), events.end(), [](const TimedBytes& a, const TimedBytes& b) {
    return a.tick != b.tick ? a.tick < b.tick : a.order < b.order;
  });
  std::vector<uint8_t> body;
  int64_t last = 0;
  for (const auto& e : events) {
    putVlq(body, uint32_t(e.tick - last));
    last = e.tick;
    body.insert(body.end(), e.bytes.begin(), e.bytes.end());
  }
  putVlq(body, 0);
  body.insert(body.end(), {0xFF, 0x2F, 0x00});
  std::vector<uint8_t> chunk = {'M', 'T', 'r', 'k'};
  put32(chunk, uint32_t(body.size()));
  chunk.insert(chunk.end(), body.begin(), body.end());
  return chunk;
}

std::vector<uint8_t> metaText(uint8_t type, const std::string& text) {
  std::vector<uint8_t> b = {0xFF, type};
  putVlq(b, uint32_t(text.size()));
  b.insert(b.end(), text.begin(), text.end());
  return b;
}

}  // namespace

std::vector<uint8_t> encodeMidiFile(const std::vector<NoteTrack>& tracks, double bpm,
                                    int ticksPerQuarter) {
  if (!(bpm >= 1.0 && bpm <= 1000.0)) throw Error("MIDI tempo must be between 1 and 1000 BPM");
  if (ticksPerQuarter < 24 || ticksPerQuarter > 32767)
    throw Error("MIDI resolution must be between 24 and 32767 ticks per quarter note");
  if (tracks.size() > 65534) throw Error("too many MIDI tracks");
  const double ticksPerSecond = bpm / 60.0 * ticksPerQuarter;
  const auto toTick = [&](double seconds) {
    if (!std::isfinite(seconds)) throw Error("MIDI note time is not a finite number");
    return std::max<int64_t>(0, std::llround(seconds * ticksPerSecond));
  };

  std::vector<uint8_t> out = {'M', 'T', 'h', 'd'};
  put32(out, 6);
  out.insert(out.end(), {0x00, 0x01});
  const uint32_t ntracks = uint32_t(tracks.size() + 1);
  out.insert(out.end(), {uint8_t(ntracks >> 8), uint8_t(ntracks), uint8_t(ticksPerQuarter >> 8),
                         uint8_t(ticksPerQuarter)});

  // Track 0: tempo and a 4/4 time signature.
  const uint32_t us = uint32_t(std::llround(60e6 / bpm));
  std::vector<TimedBytes> tempoTrack;
  tempoTrack.push_back({0, 0, metaText(0x03, "midistems")});
  tempoTrack.push_back({0, 1, {0xFF, 0x51, 0x03, uint8_t(us >> 16), uint8_t(us >> 8), uint8_t(us)}});
  tempoTrack.push_back({0, 2, {0xFF, 0x58, 0x04, 0x04, 0x02, 0x18, 0x08}});
  const auto chunk0 = trackChunk(std::move(tempoTrack));
  out.insert(out.end(), chunk0.begin(), chunk0.end());

  for (const auto& t : tracks) {
    if (t.channel < 0 || t.channel > 15) throw Error("MIDI track '" + t.name + "': channel out of range");
    const uint8_t ch = uint8_t(t.channel);
    std::vector<TimedBytes> ev;
    ev.push_back({0, 0, metaText(0x03, t.name)});
    if (t.channel != kDrumChannel)
      ev.push_back({0, 1, {uint8_t(0xC0 | ch), uint8_t(std::clamp(t.program, 0, 127))}});
    for (const auto& n : t.notes) {
      const uint8_t pitch = uint8_t(std::clamp(n.pitch, 0, 127));
      const uint8_t vel = uint8_t(std::clamp(n.velocity, 1, 127));
      const int64_t on = toTick(n.startSeconds);
      const int64_t off = std::max(on + 1, toTick(n.endSeconds));
      ev.push_back({on, 4, {uint8_t(0x90 | ch), pitch, vel}});
      ev.push_back({off, 2, {uint8_t(0x80 | ch), pitch, 0}});
    }
    for (const auto& b : t.pitchBends) {
      const int v = std::clamp(b.value, -8192, 8191) + 8192;
      ev.push_back({toTick(b.seconds), 3, {uint8_t(0xE0 | ch), uint8_t(v & 0x7F), uint8_t(v >> 7)}});
    }
    const auto chunk = trackChunk(std::move(ev));
    out.insert(out.end(), chunk.begin(), chunk.end());
  }
  return out;
}

void writeMidiFile(const std::filesystem::path& path, const std::vector<NoteTrack>& tracks, double bpm,
                   int ticksPerQuarter) {
  const auto bytes = encodeMidiFile(tracks, bpm, ticksPerQuarter);
  writeFileAtomically(path, bytes.data(), bytes.size());
}

MidiFile makeMidiFile(const std::vector<NoteTrack>& tracks, double bpm, int ticksPerQuarter) {
  const auto bytes = encodeMidiFile(tracks, bpm, ticksPerQuarter);
  return parseMidiFile(bytes.data(), bytes.size(), "generated MIDI");
}

}  // namespace midistems::midi
