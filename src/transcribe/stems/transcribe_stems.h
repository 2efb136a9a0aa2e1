#pragma once
// Stems -> MIDI, the work behind `midistems transcribe` and the pipeline: a single stem gives a
// one-track MIDI file; a folder of stems (the output of `midistems split`) gives one type-1 file
// with a named track per stem. Pitched stems go through native basic-pitch and the Python
// package's note creation; drums through the drum transcriber. The tempo written into the file is
// the given one, else estimated from the sum of the stems, else 120 BPM. All outputs (MIDI, JSON,
// CSV, the piano-roll picture) are written together or not at all.
#include <string>

#include "transcribe/notes/note_creation.h"

namespace midistems::transcribe {

struct TranscribeStemsOptions {
  std::string input;   // a stem file or a folder of stems
  std::string output;  // .mid
  std::string kind = "auto";  // pitched, drums, or auto (drums for files named drums.*)
  NoteCreationOptions notes;
  double tempo = 0;  // 0: estimate
  std::string json;  // optional note list outputs
  std::string csv;
  std::string plot;  // optional piano-roll PNG, one panel per stem (transcribe/plot)
  std::string model;  // basic-pitch model folder; empty: the default
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
