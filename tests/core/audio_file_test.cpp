#include "core/audio_file.h"

#include <gtest/gtest.h>
#include <sndfile.h>

#include <cmath>
#include <limits>
#include <fstream>
#include <numbers>

#include "core/error.h"
#include "support/fixtures.h"

namespace midistems {
namespace {

namespace fs = std::filesystem;

AudioBuffer sine(double freq, int rate, int64_t frames, int channels, float amp = 0.5f) {
  AudioBuffer b(channels, frames, rate);
  for (int c = 0; c < channels; ++c)
    for (int64_t i = 0; i < frames; ++i)
      b.channels[size_t(c)][size_t(i)] =
          amp * float(std::sin(2 * std::numbers::pi * freq * double(i) / rate + c));
  return b;
}

// NaN, which fails every comparison, when the shapes differ or there is nothing to compare (a
// short or empty read-back must not pass as identical).
double maxAbsDiff(const AudioBuffer& a, const AudioBuffer& b) {
  if (a.numChannels() != b.numChannels() || a.numFrames() != b.numFrames() || a.numFrames() == 0)
    return std::numeric_limits<double>::quiet_NaN();
  double m = 0;
  for (int c = 0; c < a.numChannels(); ++c)
    for (int64_t i = 0; i < a.numFrames(); ++i)
      m = std::max(m, double(std::fabs(a.channels[size_t(c)][size_t(i)] - b.channels[size_t(c)][size_t(i)])));
  return m;
}

// Writes through libsndfile directly, for formats Midistems reads but does not write.
void writeWithSndfile(const fs::path& path, const AudioBuffer& b, int format) {
  SF_INFO info{};
  info.samplerate = b.sampleRate;
  info.channels = b.numChannels();
  info.format = format;
  SNDFILE* f = sf_open(path.c_str(), SFM_WRITE, &info);
  ASSERT_NE(f, nullptr) << sf_strerror(nullptr);
  std::vector<float> inter(size_t(b.numFrames() * b.numChannels()));
  for (int64_t i = 0; i < b.numFrames(); ++i)
    for (int c = 0; c < b.numChannels(); ++c)
      inter[size_t(i * b.numChannels() + c)] = b.channels[size_t(c)][size_t(i)];
  sf_writef_float(f, inter.data(), b.numFrames());
  sf_close(f);
}

// Frequency of the strongest sinusoid, by zero crossings with linear interpolation.
double zeroCrossingFrequency(const std::vector<float>& x, int rate, size_t skip) {
  double first = -1, last = -1;
  int crossings = 0;
  for (size_t i = skip + 1; i < x.size() - skip; ++i) {
    if (x[i - 1] < 0 && x[i] >= 0) {
      const double t = double(i - 1) + x[i - 1] / (x[i - 1] - x[i]);
      if (first < 0) first = t;
      last = t;
      ++crossings;
    }
  }
  return (crossings - 1) * double(rate) / (last - first);
}

TEST(AudioFile, Pcm24WavRoundTripIsWithinOneLsb) {
  auto dir = testing::scratchDir("wav24");
  auto in = sine(440, 44100, 44100, 2);
  writeAudio(dir / "a.wav", in, {AudioContainer::Wav, SampleFormat::Pcm24});
  auto out = readAudio(dir / "a.wav");
  EXPECT_EQ(out.sampleRate, 44100);
  ASSERT_EQ(out.numChannels(), 2);
  ASSERT_EQ(out.numFrames(), 44100);
  EXPECT_LE(maxAbsDiff(in, out), 1.0 / (1 << 23));
}

TEST(AudioFile, Pcm16WavRoundTripIsWithinOneLsb) {
  auto dir = testing::scratchDir("wav16");
  auto in = sine(1000, 48000, 4800, 1);
  writeAudio(dir / "a.wav", in, {AudioContainer::Wav, SampleFormat::Pcm16});
  EXPECT_LE(maxAbsDiff(in, readAudio(dir / "a.wav")), 1.0 / (1 << 15));
}

TEST(AudioFile, FloatWavIsBitExactAndNotClipped) {
  auto dir = testing::scratchDir("wavf");
  auto in = sine(100, 44100, 1000, 2, 3.0f);  // peaks far above full scale
  writeAudio(dir / "a.wav", in, {AudioContainer::Wav, SampleFormat::Float32});
  auto out = readAudio(dir / "a.wav");
  EXPECT_EQ(maxAbsDiff(in, out), 0.0);
}

TEST(AudioFile, IntegerFormatsClipInsteadOfWrapping) {
  auto dir = testing::scratchDir("clip");
  AudioBuffer in(1, 4, 44100);
  in.channels[0] = {1.5f, -1.5f, 0.25f, 0.0f};
  writeAudio(dir / "a.wav", in, {AudioContainer::Wav, SampleFormat::Pcm16});
  auto out = readAudio(dir / "a.wav");
  EXPECT_GT(out.channels[0][0], 0.99f);
  EXPECT_LT(out.channels[0][1], -0.99f);
}

TEST(AudioFile, FlacRoundTrip) {
  auto dir = testing::scratchDir("flac");
  auto in = sine(440, 44100, 20000, 2);
  writeAudio(dir / "a.flac", in, parseAudioFileFormat("flac", "24"));
  EXPECT_LE(maxAbsDiff(in, readAudio(dir / "a.flac")), 1.0 / (1 << 23));
}

TEST(AudioFile, ReadsOggAndMp3WithTheRightPitch) {
  auto dir = testing::scratchDir("lossy");
  auto in = sine(440, 44100, 44100, 2);
  writeWithSndfile(dir / "a.ogg", in, SF_FORMAT_OGG | SF_FORMAT_VORBIS);
  writeWithSndfile(dir / "a.mp3", in, SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III);
  for (const char* name : {"a.ogg", "a.mp3"}) {
    auto out = readAudio(dir / name);
    EXPECT_EQ(out.sampleRate, 44100) << name;
    EXPECT_NEAR(double(out.numFrames()), 44100.0, 3000.0) << name;
    EXPECT_NEAR(zeroCrossingFrequency(out.channels[0], 44100, 4000), 440.0, 0.5) << name;
  }
}

TEST(AudioFile, BadInputGivesOneLineErrors) {
  auto dir = testing::scratchDir("bad");
  EXPECT_THROW(readAudio(dir / "missing.wav"), Error);
  EXPECT_THROW(readAudio(dir), Error);
  { std::ofstream(dir / "garbage.wav") << "this is not audio at all, just text"; }
  try {
    readAudio(dir / "garbage.wav");
    FAIL() << "garbage accepted";
  } catch (const Error& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("garbage.wav"), std::string::npos);
    EXPECT_EQ(msg.find('\n'), std::string::npos);
  }
  { std::ofstream(dir / "empty.wav"); }
  EXPECT_THROW(readAudio(dir / "empty.wav"), Error);
}

TEST(AudioFile, NanAudioIsRejected) {
  auto dir = testing::scratchDir("nan");
  auto in = sine(440, 44100, 1000, 1);
  in.channels[0][500] = std::nanf("");
  writeAudio(dir / "nan.wav", in, {AudioContainer::Wav, SampleFormat::Float32});
  EXPECT_THROW(readAudio(dir / "nan.wav"), Error);
}

TEST(AudioFile, TruncatedWavReadsWhatIsThereOrFailsCleanly) {
  auto dir = testing::scratchDir("trunc");
  auto in = sine(440, 44100, 10000, 2);
  writeAudio(dir / "a.wav", in, {AudioContainer::Wav, SampleFormat::Pcm16});
  fs::resize_file(dir / "a.wav", 44 + 2 * 2 * 5000 + 1);
  try {
    auto out = readAudio(dir / "a.wav");
    EXPECT_LE(out.numFrames(), 5001);
  } catch (const Error&) {
  }
}

TEST(AudioFile, UncommittedWriterLeavesNothingBehind) {
  auto dir = testing::scratchDir("partial");
  {
    AudioFileWriter w(dir / "out.wav", 44100, 2, {});
    w.write(sine(440, 44100, 1000, 2));
  }
  EXPECT_TRUE(fs::is_empty(dir));
  EXPECT_THROW(writeAudio(dir / "no" / "such" / "dir.wav", sine(1, 44100, 10, 1), {}), Error);
}

TEST(AudioFile, StreamingReaderCoversTheWholeFile) {
  auto dir = testing::scratchDir("stream");
  auto in = sine(440, 44100, 200001, 2);
  writeAudio(dir / "a.wav", in, {AudioContainer::Wav, SampleFormat::Float32});
  AudioFileReader reader(dir / "a.wav");
  EXPECT_EQ(reader.info().frames, 200001);
  AudioBuffer chunk;
  int64_t total = 0;
  double err = 0;
  while (int64_t n = reader.read(chunk, 70000)) {
    for (int64_t i = 0; i < n; ++i)
      err = std::max(err, double(std::fabs(chunk.channels[1][size_t(i)] - in.channels[1][size_t(total + i)])));
    total += n;
  }
  EXPECT_EQ(total, 200001);
  EXPECT_EQ(err, 0.0);
}

TEST(AudioFile, FormatSpellings) {
  EXPECT_EQ(parseAudioFileFormat("wav", "32f").sample, SampleFormat::Float32);
  EXPECT_EQ(parseAudioFileFormat("flac", "16").container, AudioContainer::Flac);
  EXPECT_THROW(parseAudioFileFormat("mp4", "16"), Error);
  EXPECT_THROW(parseAudioFileFormat("wav", "12"), Error);
  EXPECT_THROW(parseAudioFileFormat("flac", "32f"), Error);
}

}  // namespace
}  // namespace midistems
