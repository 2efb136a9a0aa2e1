#pragma once
// The monophonic note tracker: one note at a time, for bass lines, lead vocals and any stem
// marked `--kind mono`. basic-pitch's posteriorgrams give, per 11.6 ms frame, how likely each
// pitch sounds (note head) and starts (onset head); a hidden Markov model with an attack and a
// sustain state per pitch plus one silence state is decoded with Viterbi, so that a note starts
// only where an attack (onset head or a pitch change) pays for it and ends where silence wins.
// The stem's own level envelope (level_envelope.h) adds attacks the heads miss (a quick rise in
// level: a note repeated at the same pitch), ends each note where its level falls away, and gives
// each note its velocity. Pitch bends follow the contour head within the note, in thirds of a
// semitone. The timing constants were measured with tools/songquality (BENCHMARKS.md).
//
// The states and costs follow the note-level HMM of pYIN/Tony (Mauch et al., "Computer-aided
// melody note transcription using the Tony software", 2015), with basic-pitch's heads in place of
// the pYIN pitch candidates.
#include <vector>

#include "transcribe/mono/level_envelope.h"
#include "transcribe/notes/note_creation.h"
#include "transcribe/notes/note_export.h"

namespace midistems::transcribe {

struct MonoTrackerOptions {
  double voicingThreshold = 0.3;  // note-head level at which sounding and silence are equally likely
  double startCost = 2.0;         // log-cost of leaving silence for an attack
  double changeCost = 4.0;        // log-cost of a new attack straight after a sustained note
  double endCost = 2.0;           // log-cost of ending a note
  double riseDb = 8;              // a level rise this large within 30 ms is an attack half the time
  double riseSlope = 1;           // dB: how sharply that evidence grows with the rise
  double fallDb = 12;             // a note ends where its level falls this far under its attack peak
  double endLeadMs = 30;          // ... less this (the release fades after the key is up)
  double onsetLeadMs = 25;        // notes start this much before the model's attack frame
  double minNoteMs = 60;          // shorter notes are dropped
  double minHz = 0;               // 0: no lower limit
  double maxHz = 0;               // 0: no upper limit
  double quietNoteDb = 0;         // > 0: notes whose attack peak lies this far under the line's loud
                                  // notes (the 75th percentile of note peaks) are dropped
  bool pitchBends = true;
};

// Throws midistems::Error (one line naming the option) for out-of-range options.
void validateMonoTrackerOptions(const MonoTrackerOptions& options);

// Notes in time order, never overlapping. `posteriorgrams` needs notes and onsets, and contours
// when pitch bends are on; `level` comes from the same audio. Throws midistems::Error on a view
// whose arrays are missing or hold non-finite values.
std::vector<ExportNote> trackMonophonic(const PosteriorgramView& posteriorgrams, const LevelEnvelope& level,
                                        const MonoTrackerOptions& options = {});

}  // namespace midistems::transcribe
