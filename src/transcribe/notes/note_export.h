#pragma once
// Export of transcribed stems: one named MIDI track per stem (General MIDI program per stem name,
// drums on channel 10), velocities from amplitudes, pitch bends as the Python package writes them
// (basic_pitch/note_creation.py note_events_to_midi with multiple_pitch_bends=False), and note
// lists as JSON and CSV.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "midi/midi_file.h"
#include "transcribe/notes/note_creation.h"

namespace midistems::transcribe {

struct ExportNote {
  double startSeconds = 0;
  double endSeconds = 0;
  int pitch = 0;
  int velocity = 0;
  double amplitude = 0;         // 0..1; velocity / 127 for drum hits
  std::vector<int> pitchBends;  // thirds of a semitone, evenly spaced from start to end
};

struct StemTranscription {
  std::string name;    // the stem ("bass", "vocals", ...): the MIDI track name
  bool drums = false;  // General MIDI drum keys on channel 10
  std::vector<ExportNote> notes;
};

std::vector<ExportNote> exportNotes(const std::vector<NoteEvent>& notes);
std::vector<ExportNote> exportDrumNotes(const std::vector<midi::Note>& hits);

// General MIDI program (0-based) for a stem name: bass 33 (Electric Bass, finger), vocals 53
// (Voice Oohs), guitar 25 (Acoustic Guitar, steel), piano and other 0 (Acoustic Grand Piano).
int generalMidiProgramForStem(std::string_view stemName);

// MIDI pitch-bend values for one note as the Python writer makes them: round(b * 4096 / 3)
// clipped to -8192..8191, at times evenly spaced from start to end (np.linspace).
std::vector<midi::PitchBendPoint> pitchBendPoints(const ExportNote& note);

// One track per stem: drums on channel index 9, pitched stems on 0, 1, 2, ... (skipping 9).
// With pitchBends, notes that overlap another note of the same stem lose their bends (a channel
// has one bend wheel), as in the Python writer; after each bent note the wheel returns to the
// centre so that later unbent notes are not detuned (the Python writer leaves it where it was).
std::vector<midi::NoteTrack> toNoteTracks(const std::vector<StemTranscription>& stems,
                                          bool pitchBends);

// {"tempo_bpm": .., "notes": [{"track", "start_s", "end_s", "pitch", "velocity", "amplitude"
// [, "pitch_bends"]}, ...]}, notes in time order within each stem.
std::string notesJson(const std::vector<StemTranscription>& stems, double bpm);
// track,start_s,end_s,pitch,velocity,amplitude
std::string notesCsv(const std::vector<StemTranscription>& stems);

// Atomic writers (no partial file on failure).
void writeNotesJson(const std::filesystem::path& path, const std::vector<StemTranscription>& stems,
                    double bpm);
void writeNotesCsv(const std::filesystem::path& path, const std::vector<StemTranscription>& stems);

}  // namespace midistems::transcribe
