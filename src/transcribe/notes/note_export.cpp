// Note lists -> MIDI tracks, JSON and CSV.
#include "transcribe/notes/note_export.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <tuple>

#include "core/atomic_file.h"
#include "core/error.h"

namespace midistems::transcribe {
namespace {

constexpr double kBendUnitsPerThird = 4096.0 / 3.0;  // PITCH_BEND_SCALE / CONTOURS_BINS_PER_SEMITONE

std::vector<const ExportNote*> sortedNotes(const StemTranscription& stem) {
  std::vector<const ExportNote*> out;
  for (const auto& n : stem.notes) out.push_back(&n);
  std::stable_sort(out.begin(), out.end(), [](const ExportNote* a, const ExportNote* b) {
    return std::tie(a->startSeconds, a->pitch, a->endSeconds) <
           std::tie(b->startSeconds, b->pitch, b->endSeconds);
  });
  return out;
}

// drop_overlapping_pitch_bends: in start order, every pair with start_j < end_i loses its bends.
std::vector<bool> overlapping(const std::vector<const ExportNote*>& notes) {
  std::vector<bool> out(notes.size(), false);
  for (size_t i = 0; i + 1 < notes.size(); ++i)
    for (size_t j = i + 1; j < notes.size(); ++j) {
      if (notes[j]->startSeconds >= notes[i]->endSeconds) break;
      out[i] = out[j] = true;
    }
  return out;
}

std::string csvField(const std::string& text) {
  if (text.find_first_of(",\"\n") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

}  // namespace

std::vector<ExportNote> exportNotes(const std::vector<NoteEvent>& notes) {
  std::vector<ExportNote> out;
  out.reserve(notes.size());
  for (const auto& n : notes)
    out.push_back({n.startSeconds, n.endSeconds, n.pitch, amplitudeToVelocity(n.amplitude),
                   double(n.amplitude), n.pitchBends});
  return out;
}

std::vector<ExportNote> exportDrumNotes(const std::vector<midi::Note>& hits) {
  std::vector<ExportNote> out;
  out.reserve(hits.size());
  for (const auto& h : hits) {
    const int velocity = std::clamp(h.velocity, 1, 127);
    out.push_back({h.startSeconds, h.endSeconds, h.pitch, velocity, velocity / 127.0, {}});
  }
  return out;
}

int generalMidiProgramForStem(std::string_view stem) {
  if (stem == "bass") return 33;
  if (stem == "vocals" || stem == "vocal" || stem == "voice") return 53;
  if (stem == "guitar") return 25;
  return 0;
}

std::vector<midi::PitchBendPoint> pitchBendPoints(const ExportNote& note) {
  const size_t n = note.pitchBends.size();
  std::vector<midi::PitchBendPoint> out;
  out.reserve(n);
  const double step = n > 1 ? (note.endSeconds - note.startSeconds) / double(n - 1) : 0.0;
  for (size_t i = 0; i < n; ++i) {
    const double seconds = i + 1 == n && n > 1 ? note.endSeconds : note.startSeconds + double(i) * step;
    const double units = std::nearbyint(note.pitchBends[i] * kBendUnitsPerThird);
    out.push_back({seconds, int(std::clamp(units, -8192.0, 8191.0))});
  }
  return out;
}

std::vector<midi::NoteTrack> toNoteTracks(const std::vector<StemTranscription>& stems, bool pitchBends) {
  std::vector<midi::NoteTrack> tracks;
  int nextChannel = 0;
  for (const auto& stem : stems) {
    midi::NoteTrack track;
    track.name = stem.name;
    if (stem.drums) {
      track.channel = midi::kDrumChannel;
    } else {
      if (nextChannel == midi::kDrumChannel) ++nextChannel;
      track.channel = nextChannel % 16;
      nextChannel = nextChannel % 16 + 1;
      track.program = generalMidiProgramForStem(stem.name);
    }
    const auto notes = sortedNotes(stem);
    const auto overlaps = overlapping(notes);
    for (size_t i = 0; i < notes.size(); ++i) {
      const ExportNote& n = *notes[i];
      track.notes.push_back({n.startSeconds, n.endSeconds, n.pitch, n.velocity});
      if (!pitchBends || stem.drums || overlaps[i] || n.pitchBends.empty()) continue;
      const auto points = pitchBendPoints(n);
      track.pitchBends.insert(track.pitchBends.end(), points.begin(), points.end());
      if (points.back().value != 0) track.pitchBends.push_back({n.endSeconds, 0});
    }
    tracks.push_back(std::move(track));
  }
  return tracks;
}

std::string notesJson(const std::vector<StemTranscription>& stems, double bpm) {
  nlohmann::json notes = nlohmann::json::array();
  for (const auto& stem : stems)
    for (const ExportNote* n : sortedNotes(stem)) {
      nlohmann::json note = {{"track", stem.name},          {"start_s", n->startSeconds},
                             {"end_s", n->endSeconds},      {"pitch", n->pitch},
                             {"velocity", n->velocity},     {"amplitude", n->amplitude}};
      if (!n->pitchBends.empty()) note["pitch_bends"] = n->pitchBends;
      notes.push_back(std::move(note));
    }
  nlohmann::json doc = {{"tempo_bpm", bpm}, {"notes", std::move(notes)}};
  return doc.dump(1) + "\n";
}

std::string notesCsv(const std::vector<StemTranscription>& stems) {
  std::string out = "track,start_s,end_s,pitch,velocity,amplitude\n";
  for (const auto& stem : stems)
    for (const ExportNote* n : sortedNotes(stem))
      out += fmt::format("{},{:.6f},{:.6f},{},{},{:.6f}\n", csvField(stem.name), n->startSeconds,
                         n->endSeconds, n->pitch, n->velocity, n->amplitude);
  return out;
}

void writeNotesJson(const std::filesystem::path& path, const std::vector<StemTranscription>& stems,
                    double bpm) {
  const std::string text = notesJson(stems, bpm);
  writeFileAtomically(path, text.data(), text.size());
}

void writeNotesCsv(const std::filesystem::path& path, const std::vector<StemTranscription>& stems) {
  const std::string text = notesCsv(stems);
  writeFileAtomically(path, text.data(), text.size());
}

}  // namespace midistems::transcribe
