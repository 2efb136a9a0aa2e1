// Offline MIDI rendering: parts per channel with GM-chosen presets, timing that follows the
// notes, independence from block size and thread count, and (with the songgen fixture) a
// rendered song whose loudness contour follows the reference recording of the same MIDI.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>

#include "core/audio_file.h"
#include "core/error.h"
#include "midi/demo_song.h"
#include "synth/preset.h"
#include "synth/render.h"

namespace midistems::synth {
namespace {

// The first eight seconds of the demo song (all four parts), to keep the tests quick.
midi::MidiFile demoFile() {
  auto song = midi::composeDemoSong();
  for (auto& track : song.tracks)
    track.notes.erase(std::remove_if(track.notes.begin(), track.notes.end(),
                                     [](const midi::Note& n) { return n.startSeconds >= 8.0; }),
                      track.notes.end());
  return midi::makeMidiFile(song.tracks, song.bpm);
}

// RMS per 50 ms frame of the mono mix.
std::vector<double> loudnessContour(const AudioBuffer& audio) {
  const std::vector<float> mono = audio.mono();
  const size_t frame = size_t(audio.sampleRate / 20);
  std::vector<double> contour;
  for (size_t start = 0; start + frame <= mono.size(); start += frame) {
    double sum = 0;
    for (size_t i = start; i < start + frame; ++i) sum += double(mono[i]) * mono[i];
    contour.push_back(std::sqrt(sum / double(frame)));
  }
  return contour;
}

double correlation(const std::vector<double>& a, const std::vector<double>& b) {
  const size_t n = std::min(a.size(), b.size());
  double ma = 0, mb = 0;
  for (size_t i = 0; i < n; ++i) ma += a[i], mb += b[i];
  ma /= double(n), mb /= double(n);
  double ab = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < n; ++i) ab += (a[i] - ma) * (b[i] - mb), aa += (a[i] - ma) * (a[i] - ma), bb += (b[i] - mb) * (b[i] - mb);
  return ab / std::sqrt(aa * bb);
}

TEST(Render, PlansOnePartPerChannelWithGeneralMidiPresets) {
  std::vector<midi::NoteTrack> tracks(3);
  tracks[0] = {"bass", 0, 33, {{0.0, 0.5, 40, 100}}, {}};
  tracks[1] = {"piano", 1, 0, {{0.0, 0.5, 60, 100}}, {}};
  tracks[2] = {"drums", midi::kDrumChannel, 0, {{0.0, 0.1, 36, 100}}, {}};
  const auto parts = planRender(midi::makeMidiFile(tracks), RenderOptions{});
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[0].preset, "sub_bass");
  EXPECT_EQ(parts[1].preset, "piano");
  EXPECT_EQ(parts[2].preset, kDrumKitPreset);
  RenderOptions forced;
  forced.preset = "warm_pad";
  EXPECT_EQ(planRender(midi::makeMidiFile(tracks), forced)[0].preset, "Warm Pad");
  forced.preset = "no_such";
  EXPECT_THROW(planRender(midi::makeMidiFile(tracks), forced), Error);
}

TEST(Render, SoundFollowsTheNotes) {
  std::vector<midi::NoteTrack> tracks(1);
  tracks[0] = {"lead", 0, 80, {{0.5, 1.0, 69, 100}, {2.0, 2.5, 72, 100}}, {}};
  RenderOptions options;
  options.preset = "square_lead";
  const AudioBuffer audio = renderMidi(midi::makeMidiFile(tracks), options);
  const auto contour = loudnessContour(audio);  // 50 ms frames
  EXPECT_LT(contour[5], 1e-4);                  // before the first note
  EXPECT_GT(contour[14], 0.02);                 // during it
  EXPECT_GT(contour[44], 0.02);                 // during the second
  EXPECT_LT(audio.durationSeconds(), 2.5 + options.maxTailSeconds + 0.3);
  EXPECT_GT(audio.durationSeconds(), 2.5);
}

TEST(Render, OutputDoesNotDependOnBlockSizeOrThreads) {
  const auto file = demoFile();
  RenderOptions a, b;
  a.blockSize = 64, a.threads = 1;
  b.blockSize = 4096, b.threads = 2;
  std::vector<double> progress;
  b.progress = [&](double f) { progress.push_back(f); };
  const AudioBuffer x = renderMidi(file, a), y = renderMidi(file, b);
  ASSERT_EQ(x.numFrames(), y.numFrames());
  EXPECT_EQ(x.channels, y.channels);
  ASSERT_FALSE(progress.empty());
  EXPECT_TRUE(std::is_sorted(progress.begin(), progress.end()));
  EXPECT_DOUBLE_EQ(progress.back(), 1.0);
  // A healthy mix (the ceiling is tested on a mix loud enough to reach it, below).
  const auto contour = loudnessContour(x);
  double mean = 0;
  for (double v : contour) mean += v;
  EXPECT_GT(mean / double(contour.size()), 0.03);
}

// Eight channels of loud six-note chords sum far above full scale; the whole mix is scaled so that
// its peak lands exactly on the -0.2 dBFS ceiling (the demo song alone never reaches it).
TEST(Render, LoudMixIsScaledOntoThePeakCeiling) {
  std::vector<midi::NoteTrack> tracks;
  for (int channel = 0; channel < 8; ++channel) {
    midi::NoteTrack track{"part" + std::to_string(channel), channel, 80, {}, {}};
    for (int pitch : {36, 43, 48, 52, 55, 60}) track.notes.push_back({0.1, 1.0, pitch, 127});
    tracks.push_back(track);
  }
  RenderOptions options;
  options.preset = "brass";
  const AudioBuffer audio = renderMidi(midi::makeMidiFile(tracks), options);
  float peak = 0;
  for (const auto& ch : audio.channels)
    for (float v : ch) peak = std::max(peak, std::fabs(v));
  EXPECT_NEAR(20 * std::log10(peak), -0.2, 0.001);
}

TEST(Render, BadOptionsAreErrors) {
  RenderOptions options;
  options.sampleRate = 1000;
  EXPECT_THROW(renderMidi(demoFile(), options), Error);
  options.sampleRate = 48000;
  options.blockSize = 5000;
  EXPECT_THROW(renderMidi(demoFile(), options), Error);
}

TEST(Render, SongFollowsTheReferenceRecordingOfTheSameMidi) {
  const char* songs = std::getenv("MIDISTEMS_SONGS_DIR");
  if (!songs || !std::filesystem::exists(std::filesystem::path(songs) / "song_00" / "midi" / "full.mid"))
    GTEST_SKIP() << "SKIPPED: MIDISTEMS_SONGS_DIR (the songgen fixture) is not available";
  const auto dir = std::filesystem::path(songs) / "song_00";
  const AudioBuffer reference = readAudio(dir / "mixture.wav");
  RenderOptions options;
  options.sampleRate = reference.sampleRate;
  const AudioBuffer rendered = renderMidi(midi::readMidiFile(dir / "midi" / "full.mid"), options);
  EXPECT_NEAR(rendered.durationSeconds(), reference.durationSeconds(), options.maxTailSeconds);
  // The same notes at the same times give loudness contours that move together.
  const double r = correlation(loudnessContour(rendered), loudnessContour(reference));
  std::printf("loudness-contour correlation with the FluidSynth rendering: %.3f\n", r);
  EXPECT_GT(r, 0.5);
}

}  // namespace
}  // namespace midistems::synth
