#pragma once
// Stems -> MIDI, the work behind `midistems transcribe` and the pipeline: a single stem gives a
// one-track MIDI file; a folder of stems (the output of `midistems split`) gives one type-1 file
// with a named track per stem. Every pitched stem goes through native basic-pitch; monophonic
// lines (bass.*, vocals.*, or any stem with --kind mono) are then decoded by the monophonic note
// tracker (transcribe/mono), other pitched stems by the polyphonic decoder (transcribe/poly);
// drums go through the drum transcriber. The engine "basic-pitch" keeps the Python package's note creation
// for every pitched stem (the output of `basic-pitch` itself). The tempo written into the file is
// the given one, else estimated from the sum of the stems, else 120 BPM. All outputs (MIDI, JSON,
// CSV, the piano-roll picture) are written together or not at all.
#include <string>

#include "transcribe/mono/mono_tracker.h"
#include "transcribe/notes/note_creation.h"
#include "transcribe/poly/poly_decoder.h"

namespace midistems::transcribe {

class BasicPitchModel;  // transcribe/basic_pitch/basic_pitch.h

struct TranscribeStemsOptions {
  std::string input;   // a stem file or a folder of stems
  std::string output;  // .mid
  std::string kind = "auto";  // pitched, mono, drums, or auto (by file name: drums.* drums,
                              // bass.* and vocals.* mono, the rest pitched)
  std::string engine = "stem-aware";  // stem-aware, or basic-pitch (note creation for every stem)
  // The song the stems were split from (empty: none). With it, the stem-aware engine transcribes
  // the bass from the song's low band less the other stem (transcribe/stems/separated_stems.h), not
  // from the bass stem, the vocals from the vocals stem plus the other stem's level-centred part,
  // the other pitched stems through note creation less its harmonic ghosts,
  // and the drums with thresholds set for a separated drums stem.
  std::string mixture;
  NoteCreationOptions notes;
  MonoTrackerOptions mono;  // minNoteMs, minHz, maxHz and pitchBends are taken from `notes`
  PolyDecoderOptions poly;  // minNoteMs, minHz and maxHz are taken from `notes`
  double tempo = 0;  // 0: estimate
  std::string json;  // optional note list outputs
  std::string csv;
  std::string plot;  // optional piano-roll PNG, one panel per stem (transcribe/plot)
  std::string model;  // basic-pitch model folder; empty: the default
  // A basic-pitch model loaded before (a batch keeps one for every song); null: `model` is loaded
  // here. Used by one transcription at a time.
  BasicPitchModel* loadedModel = nullptr;
  int threads = 0;
  bool quiet = false;  // no progress bar
};

struct TranscribeStemsResult {
  size_t tracks = 0;
  size_t notes = 0;
  double bpm = 0;
};

// Throws midistems::Error (one line) for bad options or input.
TranscribeStemsResult transcribeStems(const TranscribeStemsOptions& options);

}  // namespace midistems::transcribe
