// End-to-end tests of `midistems transcribe`: exit status and one-line errors for bad input, no
// output files after a failure, the JSON schema, and multi-stem folders read back with the MIDI
// reader (one named track per stem, drums on channel 10).
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <numbers>
#include <set>
#include <sys/wait.h>

#include "core/audio_file.h"
#include "midi/midi_file.h"
#include "support/corrupt_audio.h"
#include "support/fixtures.h"
#include "support/run_cli.h"

namespace midistems {
namespace {

namespace fs = std::filesystem;

using testing::CommandResult;
using testing::quoted;
using testing::slurp;

CommandResult runTranscribe(const fs::path& scratch, const std::string& args, const std::string& env = "") {
  return testing::runMidistems(scratch, "transcribe -q " + args, env);
}

// The build tree's copy of the model, which the built command finds relative to itself.
bool haveModel() { return fs::exists(fs::path(MIDISTEMS_BUILD_DATA_DIR) / "basic-pitch" / "model.json"); }

#define REQUIRE_MODEL()                                                                          \
  do {                                                                                           \
    if (!haveModel()) GTEST_SKIP() << "SKIPPED: basic-pitch model not installed (scripts/setup.sh)"; \
  } while (0)

// Files left in a folder, ignoring the inputs named in `keep`.
std::vector<std::string> outputsIn(const fs::path& dir, const std::set<std::string>& keep) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir))
    if (!keep.count(e.path().filename().string())) names.push_back(e.path().filename().string());
  return names;
}

// Status 2, one error line that names the problem, nothing written.
void expectCleanFailure(const CommandResult& r, const fs::path& dir, const std::set<std::string>& inputs,
                        const std::string& mention) {
  testing::expectOneLineError(r, {mention});
  EXPECT_TRUE(outputsIn(dir, inputs).empty());
}

// Sine notes with a short attack: (start s, length s, MIDI pitch).
AudioBuffer melody(const std::vector<std::tuple<double, double, int>>& notes, double seconds, int rate = 44100) {
  AudioBuffer b(1, int64_t(seconds * rate), rate);
  for (const auto& [start, length, pitch] : notes) {
    const double hz = 440.0 * std::pow(2.0, (pitch - 69) / 12.0);
    for (int64_t i = 0; i < int64_t(length * rate); ++i) {
      const double t = double(i) / rate;
      const double envelope = std::min(1.0, t / 0.005) * std::min(1.0, (length - t) / 0.02);
      b.channels[0][size_t(int64_t(start * rate) + i)] +=
          float(0.3 * envelope * (std::sin(2 * std::numbers::pi * hz * t) + 0.3 * std::sin(4 * std::numbers::pi * hz * t)));
    }
  }
  return b;
}

// Kick (decaying 55 Hz) on every beat and a noise snare on 2 and 4, at 100 BPM.
AudioBuffer drumLoop(double seconds, int rate = 44100) {
  AudioBuffer b(1, int64_t(seconds * rate), rate);
  uint32_t state = 7;
  for (int beat = 0; beat * 0.6 < seconds - 0.3; ++beat) {
    const auto start = size_t(beat * 0.6 * rate);
    for (size_t i = 0; i < size_t(0.25 * rate); ++i) {
      const double t = double(i) / rate;
      float v = float(0.8 * std::exp(-t * 20) * std::sin(2 * std::numbers::pi * 55 * t));
      if (beat % 2 == 1) {
        state = state * 1664525u + 1013904223u;
        v += float(0.5 * std::exp(-t * 30) * ((state >> 8) / double(1 << 24) - 0.5));
      }
      b.channels[0][start + i] += v;
    }
  }
  return b;
}

void writeWav(const fs::path& path, const AudioBuffer& b) {
  writeAudio(path, b, {AudioContainer::Wav, SampleFormat::Float32});
}

TEST(TranscribeCli, HelpListsTheOptions) {
  const fs::path dir = testing::scratchDir("transcribe-help");
  const auto r = runTranscribe(dir, "--help");
  EXPECT_EQ(r.status, 0);
  for (const char* option : {"--kind", "--onset-threshold", "--frame-threshold", "--min-note-ms", "--min-hz",
                             "--max-hz", "--no-pitch-bends", "--no-melodia", "--mixture", "--tempo", "--json", "--csv"})
    EXPECT_NE(r.out.find(option), std::string::npos) << option;
}

TEST(TranscribeCli, MissingInput) {
  const fs::path dir = testing::scratchDir("transcribe-missing");
  const auto r = runTranscribe(dir, quoted(dir / "nope.wav") + " -o " + quoted(dir / "out.mid"));
  expectCleanFailure(r, dir, {}, "nope.wav");
}

// The song named by --mixture is input like the stems: missing, corrupt or NaN, a clean failure.
TEST(TranscribeCli, BadMixtureIsRefused) {
  REQUIRE_MODEL();
  const fs::path dir = testing::scratchDir("transcribe-mixture");
  writeWav(dir / "bass.wav", melody({{0.1, 0.5, 40}}, 1.0));
  const std::string common = quoted(dir / "bass.wav") + " -o " + quoted(dir / "out.mid") + " --mixture ";
  auto r = runTranscribe(dir, common + quoted(dir / "nope.wav"));
  expectCleanFailure(r, dir, {"bass.wav"}, "nope.wav");
  std::ofstream(dir / "bad.wav", std::ios::binary) << testing::truncatedWav();
  r = runTranscribe(dir, common + quoted(dir / "bad.wav"));
  expectCleanFailure(r, dir, {"bass.wav", "bad.wav"}, "bad.wav: not a readable audio file");
  AudioBuffer nan = melody({{0.1, 0.5, 40}}, 1.0);
  nan.channels[0][1000] = std::nanf("");
  writeWav(dir / "nan.wav", nan);
  r = runTranscribe(dir, common + quoted(dir / "nan.wav"));
  expectCleanFailure(r, dir, {"bass.wav", "bad.wav", "nan.wav"}, "NaN");
}

TEST(TranscribeCli, NanAudioIsRefused) {
  const fs::path dir = testing::scratchDir("transcribe-nan");
  AudioBuffer audio = melody({{0.1, 0.5, 60}}, 1.0);
  audio.channels[0][1000] = std::nanf("");
  writeWav(dir / "nan.wav", audio);
  const auto r = runTranscribe(dir, quoted(dir / "nan.wav") + " -o " + quoted(dir / "out.mid") + " --json " +
                                        quoted(dir / "out.json"));
  expectCleanFailure(r, dir, {"nan.wav"}, "NaN");
}

TEST(TranscribeCli, CorruptAudioIsRefused) {
  const fs::path dir = testing::scratchDir("transcribe-corrupt");
  std::ofstream(dir / "bad.wav", std::ios::binary) << testing::wavWithZeroChannels();
  auto r = runTranscribe(dir, quoted(dir / "bad.wav") + " -o " + quoted(dir / "out.mid"));
  expectCleanFailure(r, dir, {"bad.wav"}, "bad.wav: not a readable audio file (Channel count is zero.)");
  fs::remove(dir / "bad.wav");
  std::ofstream(dir / "cut.wav", std::ios::binary) << testing::truncatedWav();
  r = runTranscribe(dir, quoted(dir / "cut.wav") + " -o " + quoted(dir / "out.mid"));
  expectCleanFailure(r, dir, {"cut.wav"}, "cut.wav: not a readable audio file");
}

TEST(TranscribeCli, BadOptionsAreRefused) {
  const fs::path dir = testing::scratchDir("transcribe-options");
  writeWav(dir / "a.wav", melody({{0.1, 0.5, 60}}, 1.0));
  const std::string base = quoted(dir / "a.wav") + " -o " + quoted(dir / "out.mid");
  expectCleanFailure(runTranscribe(dir, base + " --kind banjo"), dir, {"a.wav"}, "--kind");
  expectCleanFailure(runTranscribe(dir, base + " --engine banjo"), dir, {"a.wav"}, "--engine");
  expectCleanFailure(runTranscribe(dir, base + " --kind mono --engine basic-pitch"), dir, {"a.wav"}, "--kind mono");
  expectCleanFailure(runTranscribe(dir, base + " --engine basic-pitch --mixture " + quoted(dir / "a.wav")), dir,
                     {"a.wav"}, "--mixture: only the stem-aware engine");
  expectCleanFailure(runTranscribe(dir, base + " --tempo 5"), dir, {"a.wav"}, "--tempo");
  expectCleanFailure(runTranscribe(dir, base + " --frame-threshold 2"), dir, {"a.wav"}, "frame threshold");
  fs::create_directories(dir / "sub");
  expectCleanFailure(runTranscribe(dir, base + " --json " + quoted(dir / "sub")), dir, {"a.wav", "sub"},
                     "is a folder");
}

TEST(TranscribeCli, MissingModelIsAnErrorNamingTheFolder) {
  const fs::path dir = testing::scratchDir("transcribe-nomodel");
  writeWav(dir / "a.wav", melody({{0.1, 0.5, 60}}, 1.0));
  const auto r = runTranscribe(dir, quoted(dir / "a.wav") + " -o " + quoted(dir / "out.mid") + " --model " +
                                        quoted(dir / "no-model"));
  expectCleanFailure(r, dir, {"a.wav"}, "no-model");
}

TEST(TranscribeCli, UnwritableOutputLeavesNothing) {
  REQUIRE_MODEL();
  const fs::path dir = testing::scratchDir("transcribe-unwritable");
  writeWav(dir / "a.wav", melody({{0.1, 0.5, 60}}, 1.0));
  const auto r = runTranscribe(dir, quoted(dir / "a.wav") + " -o " + quoted(dir / "missing" / "out.mid"));
  expectCleanFailure(r, dir, {"a.wav"}, "missing");
}

// With `--engine basic-pitch` the notes are the Python package's, frame for frame (the default
// engine decodes this polyphonic clip with transcribe/poly).
TEST(TranscribeCli, SynthClipGivesThePythonNotesAndTheJsonSchema) {
  REQUIRE_MODEL();
  MIDISTEMS_REQUIRE_FIXTURE("basic_pitch/synth10/notes_python_semantics.json");
  const fs::path dir = testing::scratchDir("transcribe-synth10");
  const auto r = runTranscribe(dir, quoted(testing::fixturePath("basic_pitch/synth10/test10.wav")) + " -o " +
                                        quoted(dir / "notes.mid") + " --json " + quoted(dir / "notes.json") +
                                        " --csv " + quoted(dir / "notes.csv") + " --tempo 120 --engine basic-pitch");
  ASSERT_EQ(r.status, 0) << r.err;

  std::ifstream expectedIn(testing::fixturePath("basic_pitch/synth10/notes_python_semantics.json"));
  const auto expected = nlohmann::json::parse(expectedIn)["notes"];
  std::ifstream jsonIn(dir / "notes.json");
  const auto doc = nlohmann::json::parse(jsonIn);
  ASSERT_TRUE(doc["notes"].is_array());
  ASSERT_EQ(doc["notes"].size(), expected.size());
  std::multiset<std::tuple<int, int>> ours, theirs;  // (pitch, start in microseconds)
  for (const auto& n : doc["notes"]) {
    for (const char* key : {"start_s", "end_s", "amplitude"}) ASSERT_TRUE(n[key].is_number_float()) << key;
    for (const char* key : {"pitch", "velocity"}) ASSERT_TRUE(n[key].is_number_integer()) << key;
    EXPECT_LT(n["start_s"].get<double>(), n["end_s"].get<double>());
    EXPECT_EQ(n["velocity"].get<int>(), std::clamp(int(std::nearbyint(127 * n["amplitude"].get<double>())), 1, 127));
    ours.insert({n["pitch"].get<int>(), int(std::lround(n["start_s"].get<double>() * 1e6))});
  }
  for (const auto& n : expected)
    theirs.insert({n["pitchMidi"].get<int>(), int(std::lround(n["startTimeSeconds"].get<double>() * 1e6))});
  EXPECT_EQ(ours, theirs);

  const midi::MidiFile file = midi::readMidiFile(dir / "notes.mid");
  EXPECT_EQ(file.format, 1);
  ASSERT_EQ(file.tracks.size(), 2u);
  EXPECT_EQ(file.tracks[1].name, "test10");
  size_t noteOns = 0;
  for (const auto& e : file.tracks[1].events) noteOns += e.type() == 0x90;
  EXPECT_EQ(noteOns, expected.size());
  // CSV: a header and one line per note.
  const std::string csv = slurp(dir / "notes.csv");
  EXPECT_EQ(size_t(std::count(csv.begin(), csv.end(), '\n')), expected.size() + 1);
}

TEST(TranscribeCli, FolderOfStemsGivesOneNamedTrackPerStem) {
  REQUIRE_MODEL();
  const fs::path dir = testing::scratchDir("transcribe-folder");
  const fs::path stems = dir / "stems";
  fs::create_directories(stems);
  writeWav(stems / "drums.wav", drumLoop(6.0));
  writeWav(stems / "bass.wav", melody({{0.5, 1.0, 40}, {2.0, 1.0, 43}, {3.5, 1.0, 45}}, 6.0));
  writeWav(stems / "vocals.wav", melody({{0.5, 0.8, 67}, {1.5, 0.8, 69}, {2.5, 0.8, 71}, {3.5, 1.2, 72}}, 6.0));
  writeWav(stems / "other.wav", AudioBuffer(2, 6 * 44100, 44100));  // silent
  std::ofstream(stems / "notes.txt") << "not audio: ignored";
  const auto r = runTranscribe(dir, quoted(stems) + " -o " + quoted(dir / "song.mid") + " --json " +
                                        quoted(dir / "song.json") + " --tempo 100");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("other.wav: no notes found"), std::string::npos) << r.err;

  const midi::MidiFile file = midi::readMidiFile(dir / "song.mid");
  EXPECT_EQ(file.format, 1);
  EXPECT_NEAR(file.initialBpm(), 100.0, 0.01);
  ASSERT_EQ(file.tracks.size(), 5u);  // tempo track + 4 stems
  const std::vector<std::string> names = {"drums", "bass", "vocals", "other"};
  for (size_t i = 0; i < names.size(); ++i) EXPECT_EQ(file.tracks[i + 1].name, names[i]);
  const auto notesOf = [&](size_t track) {
    std::vector<midi::MidiEvent> ons;
    for (const auto& e : file.tracks[track].events)
      if (e.type() == 0x90) ons.push_back(e);
    return ons;
  };
  const auto drums = notesOf(1), bass = notesOf(2), vocals = notesOf(3), other = notesOf(4);
  ASSERT_FALSE(drums.empty());
  for (const auto& e : drums) EXPECT_EQ(e.channel(), 9);
  for (const auto& e : file.tracks[2].events) EXPECT_NE(e.channel(), 9);
  EXPECT_TRUE(other.empty());
  // The pitched stems come back with their pitches.
  std::set<int> bassPitches, vocalPitches;
  for (const auto& e : bass) bassPitches.insert(e.data1);
  for (const auto& e : vocals) vocalPitches.insert(e.data1);
  for (int p : {40, 43, 45}) EXPECT_TRUE(bassPitches.count(p)) << p;
  for (int p : {67, 69, 71, 72}) EXPECT_TRUE(vocalPitches.count(p)) << p;

  std::ifstream jsonIn(dir / "song.json");
  const auto doc = nlohmann::json::parse(jsonIn);
  std::set<std::string> tracks;
  for (const auto& n : doc["notes"]) tracks.insert(n["track"].get<std::string>());
  EXPECT_EQ(tracks, (std::set<std::string>{"drums", "bass", "vocals"}));
}

TEST(TranscribeCli, EmptyAudioGivesAValidEmptyFile) {
  REQUIRE_MODEL();
  const fs::path dir = testing::scratchDir("transcribe-empty");
  writeWav(dir / "empty.wav", AudioBuffer(1, 0, 44100));
  const auto r = runTranscribe(dir, quoted(dir / "empty.wav") + " -o " + quoted(dir / "out.mid"));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("no notes found"), std::string::npos) << r.err;
  const midi::MidiFile file = midi::readMidiFile(dir / "out.mid");
  ASSERT_EQ(file.tracks.size(), 2u);
  EXPECT_NEAR(file.initialBpm(), 120.0, 0.01);  // nothing to estimate a tempo from
  for (const auto& e : file.tracks[1].events) EXPECT_NE(e.type(), 0x90);
}

TEST(TranscribeCli, KindChoosesTheTranscriber) {
  REQUIRE_MODEL();
  const fs::path dir = testing::scratchDir("transcribe-kind");
  writeWav(dir / "loop.wav", drumLoop(4.0));
  ASSERT_EQ(runTranscribe(dir, quoted(dir / "loop.wav") + " -o " + quoted(dir / "drums.mid") + " --kind drums").status, 0);
  const midi::MidiFile drums = midi::readMidiFile(dir / "drums.mid");
  ASSERT_EQ(drums.tracks.size(), 2u);
  size_t hits = 0;
  for (const auto& e : drums.tracks[1].events) {
    EXPECT_EQ(e.channel(), 9);
    hits += e.type() == 0x90;
  }
  EXPECT_GE(hits, 6u);  // 7 kicks and 3 snares in 4 s at 100 BPM

  writeWav(dir / "drums.wav", melody({{0.5, 1.0, 60}}, 2.0));  // named drums, but pitched
  ASSERT_EQ(runTranscribe(dir, quoted(dir / "drums.wav") + " -o " + quoted(dir / "p.mid") + " --kind pitched").status, 0);
  const midi::MidiFile pitched = midi::readMidiFile(dir / "p.mid");
  ASSERT_EQ(pitched.tracks.size(), 2u);
  bool sawMiddleC = false;
  for (const auto& e : pitched.tracks[1].events) {
    EXPECT_NE(e.channel(), 9);
    sawMiddleC |= e.type() == 0x90 && e.data1 == 60;
  }
  EXPECT_TRUE(sawMiddleC);
}

TEST(TranscribeCli, NanInOneStemOfAFolderLeavesNothing) {
  REQUIRE_MODEL();
  const fs::path dir = testing::scratchDir("transcribe-folder-nan");
  const fs::path stems = dir / "stems";
  fs::create_directories(stems);
  writeWav(stems / "bass.wav", melody({{0.5, 1.0, 40}}, 2.0));
  AudioBuffer vocals = melody({{0.5, 1.0, 67}}, 2.0);
  vocals.channels[0][5000] = std::nanf("");
  writeWav(stems / "vocals.wav", vocals);
  const auto r = runTranscribe(dir, quoted(stems) + " -o " + quoted(dir / "song.mid") + " --csv " +
                                        quoted(dir / "song.csv"));
  expectCleanFailure(r, dir, {"stems"}, "vocals.wav");
}

}  // namespace
}  // namespace midistems
