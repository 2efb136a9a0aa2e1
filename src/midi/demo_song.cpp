#include "midi/demo_song.h"

#include <algorithm>
#include <array>
#include <cstdint>

namespace midistems::midi {

namespace {

// General MIDI drum keys.
constexpr int kKick = 36, kSnare = 38, kClosedHat = 42, kOpenHat = 46, kCrash = 49, kRide = 51;
constexpr int kHighTom = 50, kMidTom = 47, kLowTom = 45, kFloorTom = 43;

struct Chord {
  int root;                  // MIDI note of the root in the bass octave
  std::array<int, 3> tones;  // voicing around middle C
};

// A minor: i - VI - III - VII, twice, then iv - i - VI - VII.
const std::array<Chord, 12> kProgression = {{
    {45, {57, 60, 64}}, {41, {57, 60, 65}}, {48, {55, 60, 64}}, {43, {55, 59, 62}},
    {45, {57, 60, 64}}, {41, {57, 60, 65}}, {48, {55, 60, 64}}, {43, {55, 59, 62}},
    {38, {57, 62, 65}}, {45, {57, 60, 64}}, {41, {57, 60, 65}}, {43, {55, 59, 62}},
}};

// A small deterministic generator (64-bit LCG) so the melody never changes between builds.
class Dice {
 public:
  int roll(int n) {
    state_ = state_ * 6364136223846793005ULL + 1442695040888963407ULL;
    return int((state_ >> 33) % uint64_t(n));
  }

 private:
  uint64_t state_ = 2024;
};

void add(NoteTrack& t, double beat, double lengthBeats, int pitch, int velocity, double spb) {
  t.notes.push_back({beat * spb, (beat + lengthBeats) * spb, pitch, velocity});
}

}  // namespace

DemoSong composeDemoSong() {
  DemoSong song;
  const double spb = 60.0 / song.bpm;  // seconds per beat
  NoteTrack drums{"drums", kDrumChannel, 0, {}, {}};
  NoteTrack bass{"bass", 0, 33, {}, {}};     // GM 34: electric bass (finger)
  NoteTrack other{"other", 1, 4, {}, {}};    // GM 5: electric piano
  NoteTrack vocals{"vocals", 2, 53, {}, {}}; // GM 54: voice oohs
  Dice dice;
  const std::array<int, 7> scale = {57, 59, 60, 62, 64, 65, 67};  // A minor from A3

  for (int bar = 0; bar < int(kProgression.size()); ++bar) {
    const double b0 = bar * 4.0;
    const Chord& chord = kProgression[size_t(bar)];
    const bool ride = bar >= 8 && bar < 11;

    // Drums: kick on 1 and 3 (and the "and" of 3 in odd bars), snare on 2 and 4, eighth hats.
    if (bar == 0 || bar == 8) add(drums, b0, 0.5, kCrash, 110, spb);
    add(drums, b0, 0.25, kKick, 118, spb);
    add(drums, b0 + 2, 0.25, kKick, 110, spb);
    if (bar % 2) add(drums, b0 + 2.5, 0.25, kKick, 96, spb);
    add(drums, b0 + 1, 0.25, kSnare, 112, spb);
    const bool fill = bar == 7 || bar == 11;
    if (!fill) add(drums, b0 + 3, 0.25, kSnare, 115, spb);
    for (int e = 0; e < 8; ++e) {
      if (fill && e >= 6) break;
      const bool open = !ride && bar % 2 == 1 && e == 7;
      const int key = ride ? kRide : (open ? kOpenHat : kClosedHat);
      add(drums, b0 + e * 0.5, 0.25, key, e % 2 ? 70 : 92, spb);
    }
    if (fill) {
      const std::array<int, 4> toms = {kHighTom, kMidTom, kLowTom, kFloorTom};
      for (int i = 0; i < 4; ++i) add(drums, b0 + 3 + i * 0.25, 0.25, toms[size_t(i)], 100 + i * 5, spb);
    }

    // Bass: driving eighths on the root with an octave jump and a passing fifth.
    for (int e = 0; e < 8; ++e) {
      int pitch = chord.root;
      if (e == 3) pitch += 12;
      if (e == 6) pitch += 7;
      add(bass, b0 + e * 0.5, 0.45, pitch, e % 2 ? 88 : 104, spb);
    }

    // Other: a sustained chord on beat 1, then a sixteenth arpeggio in the second half.
    for (int tone : chord.tones) add(other, b0, 1.9, tone, 76, spb);
    for (int s = 0; s < 8; ++s) {
      const int tone = chord.tones[size_t(s % 3)] + (s >= 3 && s < 6 ? 12 : 0);
      add(other, b0 + 2 + s * 0.25, 0.22, tone, 64 + (s % 2) * 8, spb);
    }

    // Vocals: a lead line that rests in the first two bars, then phrases in quarters and eighths
    // that start on a chord tone an octave up and walk the A minor scale.
    if (bar < 2) continue;
    double beat = 0;
    int degree = 0;
    for (int i = 0; i < 7; ++i)
      if (scale[size_t(i)] % 12 == chord.tones[size_t(dice.roll(3))] % 12) degree = i;
    while (beat < 4.0) {
      const double len = (dice.roll(3) == 0) ? 0.5 : 1.0;
      if (beat + len > 4.0) break;
      if (!(bar % 4 == 3 && beat >= 3.0)) {  // breathe at the end of each phrase
        add(vocals, b0 + beat, len * 0.92, scale[size_t(degree)] + 12, 90 + dice.roll(20), spb);
      }
      degree = std::clamp(degree + dice.roll(5) - 2, 0, 6);
      beat += len;
    }
  }
  song.tracks = {drums, bass, other, vocals};
  song.durationSeconds = kProgression.size() * 4.0 * spb;
  return song;
}

}  // namespace midistems::midi
