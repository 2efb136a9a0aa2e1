// See transcribe_stems.h.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/atomic_file.h"
#include "core/audio_file.h"
#include "core/error.h"
#include "core/progress.h"
#include "midi/midi_file.h"
#include "transcribe/basic_pitch/basic_pitch.h"
#include "transcribe/drums/drum_transcriber.h"
#include "transcribe/mono/level_envelope.h"
#include "transcribe/mono/mono_tracker.h"
#include "transcribe/notes/note_creation.h"
#include "transcribe/notes/note_export.h"
#include "transcribe/notes/tempo_estimation.h"
#include "transcribe/plot/piano_roll.h"
#include "transcribe/poly/poly_decoder.h"
#include "transcribe/stems/separated_stems.h"
#include "transcribe/stems/transcribe_stems.h"

namespace {

namespace fs = std::filesystem;
using midistems::AudioBuffer;
using midistems::Error;
namespace tr = midistems::transcribe;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return char(std::tolower(c)); });
  return s;
}

bool isAudioFile(const fs::path& p) {
  static const char* kExtensions[] = {".wav", ".flac", ".ogg", ".oga", ".opus", ".mp3", ".aif", ".aiff"};
  const std::string ext = lower(p.extension().string());
  return std::any_of(std::begin(kExtensions), std::end(kExtensions), [&](const char* e) { return ext == e; });
}

// Stems in the order `midistems split` names them, then any other audio file by name.
std::vector<fs::path> stemFiles(const fs::path& folder) {
  static const char* kOrder[] = {"drums", "bass", "vocals", "other", "guitar", "piano"};
  std::vector<fs::path> files;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(folder, ec))
    if (entry.is_regular_file() && isAudioFile(entry.path())) files.push_back(entry.path());
  if (ec) throw Error(folder.string() + ": cannot list the folder (" + ec.message() + ")");
  const auto rank = [](const fs::path& p) {
    const std::string name = lower(p.stem().string());
    for (size_t i = 0; i < std::size(kOrder); ++i)
      if (name == kOrder[i]) return int(i);
    return int(std::size(kOrder));
  };
  std::sort(files.begin(), files.end(), [&](const fs::path& a, const fs::path& b) {
    return rank(a) != rank(b) ? rank(a) < rank(b) : a.filename() < b.filename();
  });
  if (files.empty()) throw Error(folder.string() + ": no audio files (WAV, FLAC, OGG, MP3, AIFF) in this folder");
  return files;
}

// Like readAudio, but an empty file is an empty buffer (it becomes an empty track), not an error.
AudioBuffer readStem(const fs::path& path) {
  midistems::AudioFileReader reader(path);
  AudioBuffer audio(reader.info().channels, 0, reader.info().sampleRate);
  AudioBuffer block;
  while (reader.read(block, 1 << 16) > 0)
    for (int c = 0; c < audio.numChannels(); ++c)
      audio.channels[size_t(c)].insert(audio.channels[size_t(c)].end(), block.channels[size_t(c)].begin(),
                                       block.channels[size_t(c)].end());
  return audio;
}

// The same as one channel, the mean of the file's channels (half the memory of a stereo song).
AudioBuffer readMono(const fs::path& path) {
  midistems::AudioFileReader reader(path);
  AudioBuffer audio(1, 0, reader.info().sampleRate);
  AudioBuffer block;
  while (reader.read(block, 1 << 16) > 0) {
    const std::vector<float> mono = block.mono();
    audio.channels[0].insert(audio.channels[0].end(), mono.begin(), mono.end());
  }
  return audio;
}

enum class StemKind { Drums, Mono, Pitched };

StemKind kindOf(const fs::path& file, const tr::TranscribeStemsOptions& o) {
  if (o.kind == "drums") return StemKind::Drums;
  if (o.kind == "pitched") return StemKind::Pitched;
  if (o.kind == "mono") return StemKind::Mono;
  const std::string name = lower(file.stem().string());
  if (name == "drums") return StemKind::Drums;
  if (o.engine == "stem-aware" && (name == "bass" || name == "vocals")) return StemKind::Mono;
  return StemKind::Pitched;
}

tr::MonoTrackerOptions monoOptions(const tr::TranscribeStemsOptions& o) {
  tr::MonoTrackerOptions m = o.mono;
  m.minNoteMs = std::min(m.minNoteMs, o.notes.minNoteMs);
  m.minHz = o.notes.minHz;
  m.maxHz = o.notes.maxHz;
  m.pitchBends = o.notes.pitchBends;
  return m;
}

tr::PolyDecoderOptions polyOptions(const tr::TranscribeStemsOptions& o) {
  tr::PolyDecoderOptions p = o.poly;
  p.minNoteMs = std::min(p.minNoteMs, o.notes.minNoteMs);
  p.minHz = o.notes.minHz;
  p.maxHz = o.notes.maxHz;
  return p;
}

void addInto(AudioBuffer& sum, const AudioBuffer& stem) {
  if (stem.numFrames() == 0) return;
  const std::vector<float> mono = stem.mono();
  if (sum.numFrames() == 0) {
    sum = AudioBuffer(1, int64_t(mono.size()), stem.sampleRate);
  } else if (sum.sampleRate != stem.sampleRate) {
    return;  // stems of another rate do not join the tempo estimate
  }
  auto& out = sum.channels[0];
  if (out.size() < mono.size()) out.resize(mono.size(), 0.0f);
  for (size_t i = 0; i < mono.size(); ++i) out[i] += mono[i];
}

void checkOptions(const tr::TranscribeStemsOptions& o) {
  if (o.kind != "auto" && o.kind != "pitched" && o.kind != "mono" && o.kind != "drums")
    throw Error("--kind: '" + o.kind + "' is not pitched, mono, drums or auto");
  if (o.engine != "stem-aware" && o.engine != "basic-pitch")
    throw Error("--engine: '" + o.engine + "' is not stem-aware or basic-pitch");
  if (o.kind == "mono" && o.engine == "basic-pitch")
    throw Error("--kind mono: the basic-pitch engine has no monophonic tracker (use --engine stem-aware)");
  if (!o.mixture.empty() && o.engine == "basic-pitch")
    throw Error("--mixture: only the stem-aware engine uses the song (the basic-pitch engine reads the stems alone)");
  tr::validateMonoTrackerOptions(monoOptions(o));
  tr::validatePolyDecoderOptions(polyOptions(o));
  if (o.tempo != 0 && !(o.tempo >= 20 && o.tempo <= 400))
    throw Error(fmt::format("--tempo: {} is outside 20..400 BPM", o.tempo));
  if (o.threads < 0) throw Error("--threads: must be 0 (one per core) or more");
  tr::validateNoteCreationOptions(o.notes);
  // Fail before the long work when an output cannot be written.
  for (const std::string& name : {o.output, o.json, o.csv, o.plot}) {
    if (name.empty()) continue;
    const fs::path path(name);
    if (fs::is_directory(path)) throw Error(name + ": is a folder, not a file name");
    const fs::path parent = path.parent_path().empty() ? fs::path(".") : path.parent_path();
    if (!fs::is_directory(parent)) throw Error(name + ": the folder " + parent.string() + " does not exist");
  }
}

struct PendingOutput {
  fs::path path;
  std::string bytes;
};

// Every output goes to a temporary file first; only when all are written are they renamed into
// place, and should a rename fail the ones already renamed are removed: a whole set or nothing.
void writeAllOrNothing(const std::vector<PendingOutput>& outputs) {
  std::vector<std::unique_ptr<midistems::AtomicFile>> files;
  for (const auto& out : outputs) {
    files.push_back(std::make_unique<midistems::AtomicFile>(out.path));
    std::ofstream stream(files.back()->tempPath(), std::ios::binary | std::ios::trunc);
    stream.write(out.bytes.data(), std::streamsize(out.bytes.size()));
    stream.flush();
    if (!stream) throw Error(out.path.string() + ": write failed (disk full or no permission?)");
  }
  size_t committed = 0;
  try {
    for (; committed < files.size(); ++committed) files[committed]->commit();
  } catch (...) {
    std::error_code ec;
    for (size_t i = 0; i < committed; ++i) fs::remove(outputs[i].path, ec);
    throw;
  }
}

}  // namespace

namespace midistems::transcribe {

TranscribeStemsResult transcribeStems(const TranscribeStemsOptions& o) {
  checkOptions(o);
  const fs::path input(o.input);
  std::error_code ec;
  if (!fs::exists(input, ec)) throw Error(o.input + ": file not found");
  const bool folder = fs::is_directory(input, ec);
  const std::vector<fs::path> files = folder ? stemFiles(input) : std::vector<fs::path>{input};

  // Open every stem before the long work, so that a missing or corrupt one fails at once; the
  // samples are read one stem at a time to keep memory at one stem (NaN is found then).
  for (const auto& f : files) midistems::AudioFileReader check(f);
  if (!o.mixture.empty()) midistems::AudioFileReader check(o.mixture);
  const auto otherStem = std::find_if(files.begin(), files.end(), [](const fs::path& f) { return lower(f.stem().string()) == "other"; });

  std::unique_ptr<tr::BasicPitchModel> ownModel;
  tr::BasicPitchModel* model = o.loadedModel;
  const bool needModel = std::any_of(files.begin(), files.end(), [&](const fs::path& f) { return kindOf(f, o) != StemKind::Drums; });
  if (needModel) {
    if (!model) {
      const fs::path dir = o.model.empty() ? tr::BasicPitchModel::defaultModelDir() : fs::path(o.model);
      ownModel = std::make_unique<tr::BasicPitchModel>(tr::BasicPitchModel::load(dir));
      model = ownModel.get();
    }
    model->setThreads(o.threads > 0 ? o.threads : int(std::max(1u, std::thread::hardware_concurrency())));
  }

  std::optional<tr::plot::PianoRoll> pianoRoll;
  if (!o.plot.empty()) pianoRoll.emplace(files.size());

  std::vector<tr::StemTranscription> stems;
  AudioBuffer sum;
  {
    midistems::ProgressBar bar("transcribe " + input.filename().string(), !o.quiet);
    for (size_t i = 0; i < files.size(); ++i) {
      const auto progress = [&](double f) { bar.update((double(i) + f) / double(files.size())); };
      const AudioBuffer audio = readStem(files[i]);
      tr::StemTranscription stem;
      stem.name = files.size() == 1 && !folder ? files[i].stem().string() : lower(files[i].stem().string());
      const StemKind kind = kindOf(files[i], o);
      stem.drums = kind == StemKind::Drums;
      if (stem.drums) {
        const tr::DrumTranscriptionOptions drums =
            o.mixture.empty() ? tr::DrumTranscriptionOptions{} : tr::separatedDrumsTranscription({});
        stem.notes = tr::exportDrumNotes(tr::transcribeDrums(audio, drums));
      } else if (kind == StemKind::Mono && !o.mixture.empty() && lower(files[i].stem().string()) == "bass") {
        const AudioBuffer band = tr::bassBand(readMono(o.mixture),
                                              otherStem != files.end() ? readMono(*otherStem) : AudioBuffer());
        const tr::Posteriorgrams grams = model->run(band, progress);
        stem.notes = tr::trackMonophonic(tr::viewOf(grams), tr::levelEnvelope(band), tr::bassBandTracking(monoOptions(o)));
      } else if (kind == StemKind::Mono) {
        const bool separatedLead = !o.mixture.empty() && lower(files[i].stem().string()) == "vocals";
        const AudioBuffer lead =
            separatedLead ? tr::leadSignal(audio, otherStem != files.end() ? readStem(*otherStem) : AudioBuffer()) : AudioBuffer();
        const AudioBuffer& tracked = separatedLead ? lead : audio;
        const tr::Posteriorgrams grams = model->run(tracked, progress);
        stem.notes = tr::trackMonophonic(tr::viewOf(grams), tr::levelEnvelope(tracked),
                                         separatedLead ? tr::separatedLeadTracking(monoOptions(o)) : monoOptions(o));
      } else if (o.engine == "stem-aware" && o.mixture.empty()) {
        const tr::Posteriorgrams grams = model->run(audio, progress);
        stem.notes = tr::decodePolyphonic(tr::viewOf(grams), polyOptions(o));
      } else if (o.engine == "stem-aware") {
        // A separated polyphonic stem (the song at hand): see separated_stems.h.
        const tr::Posteriorgrams grams = model->run(audio, progress);
        stem.notes = tr::separatedPolyphonicNotes(tr::createNotes(tr::viewOf(grams), o.notes));
      } else {
        const tr::Posteriorgrams grams = model->run(audio, progress);
        stem.notes = tr::exportNotes(tr::createNotes(tr::viewOf(grams), o.notes));
      }
      progress(1.0);
      if (stem.notes.empty())
        fmt::print(stderr, "transcribe: {}: no notes found ({})\n", files[i].string(),
                   audio.numFrames() == 0 ? "empty audio" : "silent or below the thresholds");
      if (pianoRoll) pianoRoll->addStem(stem, audio);
      addInto(sum, audio);
      stems.push_back(std::move(stem));
    }
    bar.finish();
  }

  double bpm = o.tempo;
  if (bpm == 0) {
    const auto estimate = tr::estimateTempo(sum);
    bpm = estimate.value_or(120.0);
    fmt::print(stderr, "transcribe: tempo {:.1f} BPM ({})\n", bpm,
               estimate ? "estimated" : "none detected, using the default");
  }

  const auto midiBytes = midistems::midi::encodeMidiFile(tr::toNoteTracks(stems, o.notes.pitchBends), bpm);
  std::vector<PendingOutput> outputs;
  outputs.push_back({o.output, std::string(midiBytes.begin(), midiBytes.end())});
  if (!o.json.empty()) outputs.push_back({o.json, tr::notesJson(stems, bpm)});
  if (!o.csv.empty()) outputs.push_back({o.csv, tr::notesCsv(stems)});
  if (pianoRoll) outputs.push_back({o.plot, pianoRoll->png()});
  writeAllOrNothing(outputs);

  TranscribeStemsResult result;
  result.tracks = stems.size();
  result.bpm = bpm;
  for (const auto& s : stems) result.notes += s.notes.size();
  return result;
}

}  // namespace midistems::transcribe

