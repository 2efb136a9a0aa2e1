// Parity of the native basic-pitch runner with the TF.js reference (../shared/fixtures/basic_pitch/
// synth10: window-0 intermediates, every window, stitched output) and with Spotify's own Python
// golden output (vocadito_10, resampled from 44.1 kHz with soxr HQ).
#include <gtest/gtest.h>

#include <cstdio>

#include "core/audio_file.h"
#include "core/npy.h"
#include "support/fixtures.h"
#include "test_model.h"

namespace midistems::testing {
namespace {

using transcribe::BasicPitchModel;
using transcribe::kBasicPitchContourBins;
using transcribe::kBasicPitchNotes;
using transcribe::kBasicPitchWindowSamples;

std::vector<float> synth10(const std::string& name) {
  return readRawFloat32(fixturePath("basic_pitch/synth10/" + name));
}

TEST(BasicPitchParity, WindowZeroFrontEndMatchesTfjs) {
  MIDISTEMS_REQUIRE_FIXTURE("basic_pitch/synth10/tfjs_im_hstack.f32");
  MIDISTEMS_REQUIRE_BASIC_PITCH_MODEL(model);
  const auto input = synth10("tfjs_win_input.f32");
  ASSERT_GE(input.size(), size_t(kBasicPitchWindowSamples));
  const auto fe = model->runFrontEnd(input.data());

  const struct {
    const char* file;
    const std::vector<float>& ours;
    double tolerance;
  } checks[] = {
      {"tfjs_im_cqt.f32", fe.cqt, 1e-4},
      {"tfjs_im_logcqt.f32", fe.logCqt, 1e-4},
      {"tfjs_im_bn.f32", fe.batchNorm, 1e-4},
      {"tfjs_im_hstack.f32", fe.harmonicStack, 1e-4},
  };
  for (const auto& c : checks) {
    const auto ref = synth10(c.file);
    ASSERT_EQ(c.ours.size(), ref.size()) << c.file;
    const double err = maxAbsError(c.ours.data(), ref.data(), ref.size());
    std::printf("window 0 %-20s max abs error %.3g\n", c.file, err);
    EXPECT_LE(err, c.tolerance) << c.file;
  }
}

TEST(BasicPitchParity, EveryWindowMatchesTfjs) {
  MIDISTEMS_REQUIRE_FIXTURE("basic_pitch/synth10/tfjs_win_note.f32");
  MIDISTEMS_REQUIRE_BASIC_PITCH_MODEL(model);
  const auto input = synth10("tfjs_win_input.f32");
  const auto notes = synth10("tfjs_win_note.f32");
  const auto onsets = synth10("tfjs_win_onset.f32");
  const auto contours = synth10("tfjs_win_contour.f32");
  const size_t windows = input.size() / kBasicPitchWindowSamples;
  ASSERT_EQ(windows, 7u);
  ASSERT_EQ(notes.size(), windows * 172 * kBasicPitchNotes);
  double worst[3] = {0, 0, 0};
  for (size_t w = 0; w < windows; ++w) {
    const auto p = model->runWindow(input.data() + w * kBasicPitchWindowSamples);
    ASSERT_EQ(p.frames, 172);
    worst[0] = std::max(worst[0], maxAbsError(p.notes.data(), notes.data() + w * 172 * 88, 172 * 88));
    worst[1] = std::max(worst[1], maxAbsError(p.onsets.data(), onsets.data() + w * 172 * 88, 172 * 88));
    worst[2] = std::max(worst[2], maxAbsError(p.contours.data(), contours.data() + w * 172 * 264, 172 * 264));
  }
  std::printf("per window: note %.3g, onset %.3g, contour %.3g max abs error\n", worst[0], worst[1], worst[2]);
  EXPECT_LE(worst[0], 1e-4);
  EXPECT_LE(worst[1], 1e-4);
  EXPECT_LE(worst[2], 1e-4);
}

TEST(BasicPitchParity, StitchedPosteriorgramsMatchTfjs) {
  MIDISTEMS_REQUIRE_FIXTURE("basic_pitch/synth10/tfjs_frames.f32");
  MIDISTEMS_REQUIRE_BASIC_PITCH_MODEL(model);
  const AudioBuffer audio = readAudio(fixturePath("basic_pitch/synth10/test10.wav"));
  ASSERT_EQ(audio.sampleRate, 22050);
  const auto p = model->run(audio);
  // Python counts int(220500 / 36164 * 142) = 865 frames; the TF.js reference stops at
  // floor(220500 * 86 / 22050) = 860. The frames both have must agree.
  EXPECT_EQ(p.frames, 865);
  const auto notes = synth10("tfjs_frames.f32");
  const auto onsets = synth10("tfjs_onsets.f32");
  const auto contours = synth10("tfjs_contours.f32");
  ASSERT_EQ(notes.size(), 860u * kBasicPitchNotes);
  ASSERT_GE(p.frames, 860);
  const double errNote = maxAbsError(p.notes.data(), notes.data(), notes.size());
  const double errOnset = maxAbsError(p.onsets.data(), onsets.data(), onsets.size());
  const double errContour = maxAbsError(p.contours.data(), contours.data(), contours.size());
  std::printf("stitched (860 frames): note %.3g, onset %.3g, contour %.3g max abs error\n", errNote, errOnset,
              errContour);
  EXPECT_LE(errNote, 1e-4);
  EXPECT_LE(errOnset, 1e-4);
  EXPECT_LE(errContour, 1e-4);
}

TEST(BasicPitchParity, VocaditoMatchesPythonGolden) {
  MIDISTEMS_REQUIRE_FIXTURE("basic_pitch/vocadito_10/golden_note.npy");
  MIDISTEMS_REQUIRE_BASIC_PITCH_MODEL(model);
  const AudioBuffer audio = readAudio(fixturePath("basic_pitch/vocadito_10/vocadito_10.wav"));
  ASSERT_EQ(audio.sampleRate, 44100);
  const auto p = model->run(audio);
  const auto note = readNpy(fixturePath("basic_pitch/vocadito_10/golden_note.npy"));
  const auto onset = readNpy(fixturePath("basic_pitch/vocadito_10/golden_onset.npy"));
  const auto contour = readNpy(fixturePath("basic_pitch/vocadito_10/golden_contour.npy"));
  ASSERT_EQ(note.shape, (std::vector<int64_t>{787, 88}));
  ASSERT_EQ(contour.shape, (std::vector<int64_t>{787, 264}));
  ASSERT_EQ(p.frames, 787);
  const double errNote = maxAbsError(p.notes.data(), note.data.data(), note.data.size());
  const double errOnset = maxAbsError(p.onsets.data(), onset.data.data(), onset.data.size());
  const double errContour = maxAbsError(p.contours.data(), contour.data.data(), contour.data.size());
  std::printf("vocadito_10 vs Python golden: note %.3g, onset %.3g, contour %.3g max abs error\n", errNote,
              errOnset, errContour);
  EXPECT_LE(errNote, 1e-3);
  EXPECT_LE(errOnset, 1e-3);
  EXPECT_LE(errContour, 1e-3);
}

}  // namespace
}  // namespace midistems::testing
