// Standard MIDI File reader. Format facts: the MIDI 1.0 Detailed Specification, "Standard MIDI
// Files 1.0" (chunk layout, variable-length quantities of at most 4 bytes, running status being
// cancelled by sysex and meta events, tempo meta 0x51 in microseconds per quarter note).
#include <algorithm>
#include <fstream>
#include <iterator>

#include "core/error.h"
#include "midi/midi_file.h"

namespace midistems::midi {

namespace {

// Guards against hostile files that would make us allocate without bound.
constexpr size_t kMaxFileBytes = size_t(256) << 20;
constexpr size_t kMaxEvents = size_t(50) << 20;

class ByteReader {
 public:
  ByteReader(const uint8_t* data, size_t size, const std::string& name)
      : data_(data), size_(size), name_(name) {}

  size_t pos() const { return pos_; }
  size_t remaining() const { return size_ - pos_; }
  bool atEnd() const { return pos_ >= size_; }

  [[noreturn]] void fail(const std::string& what) const {
    throw Error(name_ + ": " + what + " at byte " + std::to_string(pos_));
  }
  void need(size_t n, const char* what) const {
    if (n > remaining()) fail(std::string("truncated ") + what);
  }
  uint8_t u8(const char* what) {
    need(1, what);
    return data_[pos_++];
  }
  uint8_t peek(const char* what) const {
    need(1, what);
    return data_[pos_];
  }
  uint32_t u16(const char* what) {
    need(2, what);
    const uint32_t v = uint32_t(data_[pos_]) << 8 | data_[pos_ + 1];
    pos_ += 2;
    return v;
  }
  uint32_t u32(const char* what) {
    need(4, what);
    const uint32_t v = uint32_t(data_[pos_]) << 24 | uint32_t(data_[pos_ + 1]) << 16 |
                       uint32_t(data_[pos_ + 2]) << 8 | data_[pos_ + 3];
    pos_ += 4;
    return v;
  }
  uint32_t vlq(const char* what) {
    uint32_t v = 0;
    for (int i = 0; i < 4; ++i) {
      const uint8_t b = u8(what);
      v = (v << 7) | (b & 0x7F);
      if (!(b & 0x80)) return v;
    }
    fail(std::string("variable-length number longer than 4 bytes in ") + what);
  }
  const uint8_t* take(size_t n, const char* what) {
    need(n, what);
    const uint8_t* p = data_ + pos_;
    pos_ += n;
    return p;
  }
  void skip(size_t n, const char* what) { take(n, what); }

 private:
  const uint8_t* data_;
  size_t size_;
  std::string name_;
  size_t pos_ = 0;
};

int dataBytesFor(uint8_t status) {
  const int type = status & 0xF0;
  return (type == 0xC0 || type == 0xD0) ? 1 : 2;
}

struct RawTempo {
  int64_t tick;
  double microsPerQuarter;
};

MidiTrack readTrack(ByteReader& r, size_t end, std::vector<RawTempo>& tempos, size_t& eventCount) {
  MidiTrack track;
  int64_t tick = 0;
  uint8_t runningStatus = 0;
  while (r.pos() < end) {
    tick += r.vlq("event time");
    uint8_t status = r.peek("event");
    if (status & 0x80) {
      r.u8("status");
    } else {
      if (!runningStatus) r.fail("data byte without a status byte (broken running status)");
      status = runningStatus;
    }
    if (status == 0xFF) {
      runningStatus = 0;
      const uint8_t type = r.u8("meta event");
      const uint32_t len = r.vlq("meta length");
      const uint8_t* body = r.take(len, "meta event");
      if (type == 0x51) {
        if (len != 3) r.fail("tempo event with length " + std::to_string(len));
        const uint32_t us = uint32_t(body[0]) << 16 | uint32_t(body[1]) << 8 | body[2];
        if (us == 0) r.fail("tempo of zero microseconds per quarter note");
        tempos.push_back({tick, double(us)});
      } else if (type == 0x03 && track.name.empty()) {
        track.name.assign(reinterpret_cast<const char*>(body), len);
      } else if (type == 0x2F) {
        break;
      }
    } else if (status == 0xF0 || status == 0xF7) {
      runningStatus = 0;
      r.skip(r.vlq("sysex length"), "sysex event");
    } else if (status >= 0xF1) {
      r.fail("system real-time/common status byte " + std::to_string(status) +
             " is not allowed in a MIDI file");
    } else {
      runningStatus = status;
      MidiEvent e;
      e.tick = tick;
      e.status = status;
      e.data1 = r.u8("channel event");
      if (e.data1 & 0x80) r.fail("data byte out of range");
      if (dataBytesFor(status) == 2) {
        e.data2 = r.u8("channel event");
        if (e.data2 & 0x80) r.fail("data byte out of range");
      }
      if (e.type() == 0x90 && e.data2 == 0) e.status = uint8_t(0x80 | e.channel());
      if (++eventCount > kMaxEvents) r.fail("too many events");
      track.events.push_back(e);
    }
  }
  return track;
}

// Converts ticks to seconds with the tempo map (metrical time) or a fixed rate (SMPTE).
class TickClock {
 public:
  TickClock(std::vector<TempoChange> map, double smpteTicksPerSecond, int ticksPerQuarter)
      : map_(std::move(map)), smpte_(smpteTicksPerSecond), tpq_(ticksPerQuarter) {}
  double seconds(int64_t tick) const {
    if (smpte_ > 0) return double(tick) / smpte_;
    auto it = std::upper_bound(map_.begin(), map_.end(), tick,
                               [](int64_t t, const TempoChange& c) { return t < c.tick; });
    const TempoChange& c = *std::prev(it);
    return c.seconds + double(tick - c.tick) * c.microsPerQuarter * 1e-6 / tpq_;
  }

 private:
  std::vector<TempoChange> map_;
  double smpte_;
  int tpq_;
};

}  // namespace

double MidiFile::durationSeconds() const {
  double d = 0;
  for (const auto& t : tracks)
    if (!t.events.empty()) d = std::max(d, t.events.back().seconds);
  return d;
}

MidiFile parseMidiFile(const uint8_t* data, size_t size, const std::string& name) {
  if (size > kMaxFileBytes) throw Error(name + ": too large for a MIDI file");
  ByteReader r(data, size, name);
  if (size < 14 || std::string(reinterpret_cast<const char*>(data), 4) != "MThd")
    throw Error(name + ": not a Standard MIDI File (no MThd header)");
  r.skip(4, "header");
  const uint32_t headerLen = r.u32("header");
  if (headerLen < 6) r.fail("header chunk shorter than 6 bytes");
  MidiFile file;
  file.format = int(r.u16("header"));
  const uint32_t declaredTracks = r.u16("header");
  const uint32_t division = r.u16("header");
  r.skip(headerLen - 6, "header");
  if (file.format > 2) throw Error(name + ": unknown MIDI file format " + std::to_string(file.format));
  double smpteTicksPerSecond = 0;
  if (division & 0x8000) {
    const int fps = -int(int8_t(division >> 8));
    const int ticksPerFrame = int(division & 0xFF);
    if (fps <= 0 || ticksPerFrame == 0) throw Error(name + ": invalid SMPTE time division");
    smpteTicksPerSecond = (fps == 29 ? 29.97 : double(fps)) * ticksPerFrame;
    file.ticksPerQuarter = int(smpteTicksPerSecond);
  } else {
    if (division == 0) throw Error(name + ": time division of zero ticks per quarter note");
    file.ticksPerQuarter = int(division);
  }

  std::vector<RawTempo> tempos;
  size_t eventCount = 0;
  while (r.remaining() >= 8 && file.tracks.size() < 65535) {
    const uint8_t* id = r.take(4, "chunk header");
    const uint32_t len = r.u32("chunk header");
    if (len > r.remaining()) r.fail("truncated chunk (declares " + std::to_string(len) + " bytes)");
    if (std::string(reinterpret_cast<const char*>(id), 4) != "MTrk") {
      r.skip(len, "chunk");  // unknown chunks are skipped, as the specification asks
      continue;
    }
    file.tracks.push_back(readTrack(r, r.pos() + len, tempos, eventCount));
    // A track that ends (End of Track) before its declared length: skip the rest.
    // A track whose events ran past its declared length is corrupt.
    const size_t end = size_t(id - data) + 8 + len;
    if (r.pos() > end) r.fail("track events run past the end of their chunk");
    r.skip(end - r.pos(), "track");
  }
  if (file.tracks.empty()) throw Error(name + ": no MTrk track chunks");
  (void)declaredTracks;  // the chunks found are what counts; some writers miscount

  // The tempo map: sorted by tick, later entries at the same tick win, starting at tick 0.
  std::stable_sort(tempos.begin(), tempos.end(),
                   [](const RawTempo& a, const RawTempo& b) { return a.tick < b.tick; });
  file.tempoMap.push_back({0, 0.0, 500000.0});
  for (const auto& t : tempos) {
    TempoChange& last = file.tempoMap.back();
    if (t.tick == last.tick) {
      last.microsPerQuarter = t.microsPerQuarter;
      continue;
    }
    const double seconds = last.seconds + double(t.tick - last.tick) * last.microsPerQuarter * 1e-6 /
                                              file.ticksPerQuarter;
    file.tempoMap.push_back({t.tick, seconds, t.microsPerQuarter});
  }
  const TickClock clock(file.tempoMap, smpteTicksPerSecond, file.ticksPerQuarter);
  for (auto& track : file.tracks)
    for (auto& e : track.events) e.seconds = clock.seconds(e.tick);
  return file;
}

MidiFile readMidiFile(const std::filesystem::path& path) {
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw Error(path.string() + ": file not found");
  const auto size = std::filesystem::file_size(path, ec);
  if (ec || size > kMaxFileBytes) throw Error(path.string() + ": too large for a MIDI file");
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(path.string() + ": cannot be opened");
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  return parseMidiFile(bytes.data(), bytes.size(), path.string());
}

std::vector<MidiEvent> mergeTracks(const MidiFile& file) {
  std::vector<MidiEvent> all;
  size_t total = 0;
  for (const auto& t : file.tracks) total += t.events.size();
  all.reserve(total);
  for (const auto& t : file.tracks) all.insert(all.end(), t.events.begin(), t.events.end());
  // Note-offs before other events at the same tick, so a re-struck note is not cut off.
  std::stable_sort(all.begin(), all.end(), [](const MidiEvent& a, const MidiEvent& b) {
    if (a.tick != b.tick) return a.tick < b.tick;
    return (a.type() == 0x80) > (b.type() == 0x80);
  });
  return all;
}

}  // namespace midistems::midi
