#pragma once
// The song Midistems demonstrates itself with when no input is given: a short four-stem arrangement
// (drums, bass, other = chords and arpeggios, vocals = lead melody) composed here in code, so the
// whole pipeline runs with nothing downloaded. Deterministic: the same notes every time.
#include <vector>

#include "midi/midi_file.h"

namespace midistems::midi {

struct DemoSong {
  double bpm = 100.0;
  std::vector<NoteTrack> tracks;  // names: drums, bass, other, vocals
  double durationSeconds = 0;     // to the end of the last bar
};

DemoSong composeDemoSong();

}  // namespace midistems::midi
