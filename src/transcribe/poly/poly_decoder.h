#pragma once
// Note decoding for polyphonic stems (chords, arpeggios, pads: the `other` stem and any pitched
// stem that is not a single line). Each pitch is decoded on its own from basic-pitch's note and
// onset heads:
//  - a note starts where the note head rises over `startThreshold`, at the onset head's peak when
//    one lies within `onsetWindowMs`, else where the note head began its rise (slow attacks:
//    strings, pads, choirs, whose onset head stays low);
//  - it goes on while the note head stays over `sustainThreshold` (hysteresis), and ends
//    `endLeadMs` before the head falls under it for longer than `gapMs` (the head lags the
//    release of the key by the decay of the sound);
//  - a held stretch is split where the onset head peaks over `splitThreshold` after rising by
//    `splitRise` (a note repeated at the same pitch);
//  - a strong onset peak (`lonelyOnsetThreshold`) outside any held stretch is a short struck note
//    (marimba, music box) whose note head never reaches the start threshold;
//  - a note a 12th, octave or two octaves above or below a simultaneous note with more than
//    1 / `ghostRatio` times its level is dropped (a harmonic or sub-harmonic of that note);
//  - velocity comes from the note's mean note-head level.
// The constants were tuned on the mean over songgen songs of two SoundFonts with
// tools/songquality (BENCHMARKS.md).
#include <vector>

#include "transcribe/notes/note_creation.h"
#include "transcribe/notes/note_export.h"

namespace midistems::transcribe {

struct PolyDecoderOptions {
  double onsetThreshold = 0.6;        // onset-head peaks under this are ignored
  double startThreshold = 0.6;        // note head level that starts a held stretch
  double sustainThreshold = 0.4;      // ... and keeps it going
  double riseFloor = 0.2;             // a slow attack is traced back while the head is over this
  double gapMs = 12;                  // dips under the sustain threshold this short are bridged
  double onsetWindowMs = 25;          // an onset peak this close to a start gives the start
  double splitThreshold = 0.7;        // onset peak that splits a held stretch ...
  double splitRise = 0.3;             // ... after rising this much within 46 ms
  double lonelyOnsetThreshold = 0.7;  // onset peak that makes a note without a held stretch
  double lonelyNoteMs = 232;          // ... at least this long
  double endLeadMs = 70;              // notes end this much before the head falls away
  double minNoteMs = 93;              // shorter held notes are dropped
  double ghostRatio = 0.5;            // see above; 0 keeps every note
  double minHz = 0;                   // 0: no lower limit
  double maxHz = 0;                   // 0: no upper limit
};

// Throws midistems::Error (one line naming the option) for out-of-range options.
void validatePolyDecoderOptions(const PolyDecoderOptions& options);

// Notes in time order (then by pitch); notes of different pitches may overlap, notes of one pitch
// never do. `posteriorgrams` needs notes and onsets. Throws midistems::Error on a view whose
// arrays are missing or hold non-finite values.
std::vector<ExportNote> decodePolyphonic(const PosteriorgramView& posteriorgrams,
                                         const PolyDecoderOptions& options = {});

// The decoder's harmonic-ghost rule, also used on notes from note creation (separated stems): a
// note is a ghost when it lies a 12th, an octave or two octaves above or below another note that
// overlaps more than half of it with a level over 1 / `ratio` times its own (a harmonic or
// sub-harmonic of that note). `ratio` within 0..1; 0 finds none. Spans may be in any unit.
struct GhostCandidate {
  double start = 0, end = 0;
  int pitch = 0;
  double level = 0;
};
std::vector<bool> harmonicGhosts(const std::vector<GhostCandidate>& notes, double ratio);
// The same on exported notes (seconds, amplitude); the rest keep their order.
std::vector<ExportNote> withoutHarmonicGhosts(std::vector<ExportNote> notes, double ratio);

}  // namespace midistems::transcribe
