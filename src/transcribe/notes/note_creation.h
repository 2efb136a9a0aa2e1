#pragma once
// Note creation: basic-pitch posteriorgrams (note, onset, contour) -> note events, with the
// semantics of the Python package (spotify/basic-pitch, basic_pitch/note_creation.py,
// output_to_notes_polyphonic + get_pitch_bends + model_frames_to_time), so that the same
// posteriorgrams give the same notes, frame for frame. The TypeScript package differs (minimum
// length 5 frames, `>` onset test, edge peaks) and is deliberately not followed.
//
// Library midistems_note_creation (src/transcribe/notes): note creation, tempo estimation and
// export of note lists (MIDI tracks, JSON, CSV). Depends on core and midi; takes basic-pitch's
// Posteriorgrams struct by header only.
#include <cstdint>
#include <vector>

#include "transcribe/basic_pitch/basic_pitch.h"

namespace midistems::transcribe {

struct NoteCreationOptions {
  double onsetThreshold = 0.5;  // onset peak must be >= this
  double frameThreshold = 0.3;  // a note stays on while the note posteriorgram is >= this
  double minNoteMs = 127.70;    // -> 11 frames; a note needs more than that many frames
  double minHz = 0;             // 0 = no lower limit
  double maxHz = 0;             // 0 = no upper limit
  bool inferOnsets = true;      // add onsets where the note posteriorgram jumps
  bool melodiaTrick = true;     // also track notes from energy maxima without an onset
  bool pitchBends = true;       // per-frame bends from the contour posteriorgram
  int energyTolerance = 11;     // frames below threshold before a note ends
};

// Read-only, frame-major posteriorgrams: notes and onsets frames x 88, contours frames x 264
// (contours may be null when pitch bends are off).
struct PosteriorgramView {
  int64_t frames = 0;
  const float* notes = nullptr;
  const float* onsets = nullptr;
  const float* contours = nullptr;
};

inline PosteriorgramView viewOf(const Posteriorgrams& p) {
  return {p.frames, p.notes.data(), p.onsets.data(), p.contours.empty() ? nullptr : p.contours.data()};
}

struct NoteEvent {
  int64_t startFrame = 0;  // first frame of the note
  int64_t endFrame = 0;    // one past the last frame
  int pitch = 0;           // MIDI note number (21..108)
  float amplitude = 0;     // mean of the note posteriorgram over the note (float32, as NumPy)
  double startSeconds = 0;
  double endSeconds = 0;
  // One value per frame in thirds of a semitone relative to `pitch` (empty when disabled).
  std::vector<int> pitchBends;
};

// Throws midistems::Error (one line naming the option) for out-of-range options.
void validateNoteCreationOptions(const NoteCreationOptions& options);

// Notes in the order the Python package creates them: onset-tracked notes backwards in time,
// then the notes found by the melodia trick. Throws midistems::Error on non-finite values or a
// view whose arrays are missing.
std::vector<NoteEvent> createNotes(const PosteriorgramView& posteriorgrams,
                                   const NoteCreationOptions& options = {});


// Minimum note length in frames: round(ms / 1000 * 22050 / 256), 127.70 ms -> 11.
int minNoteFrames(double minNoteMs);

// MIDI velocity of an amplitude: round(127 * amplitude), kept in 1..127.
int amplitudeToVelocity(double amplitude);

// The columns [low, high) of basic-pitch's 88 pitches that the stem-aware decoders keep for a
// frequency limit (0: none): the nearest pitch of each limit, both included. (Note creation keeps
// the Python package's own slice of them.)
void includedPitchColumns(double minHz, double maxHz, int& low, int& high);

}  // namespace midistems::transcribe
