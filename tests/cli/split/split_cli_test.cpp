// End-to-end tests of `midistems split` with the DSP separator: bad inputs fail with exit status 2,
// a single line on standard error and nothing in the output folder; good inputs give stems that
// match the separator's own output. The first-use download of the default model is tried against
// a local HTTP server (or a closed local port); every other split runs with MIDISTEMS_OFFLINE=1.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <numbers>
#include <stdlib.h>
#include <sys/wait.h>
#include <utility>

#include "core/audio_file.h"
#include "core/npy.h"
#include "separate/dsp/dsp_separator.h"
#include "separate/models/local_http_server.h"
#include "support/corrupt_audio.h"
#include "support/fixtures.h"
#include "support/reference_stems.h"
#include "support/run_cli.h"

namespace midistems {
namespace {

namespace fs = std::filesystem;

using testing::CommandResult;
using testing::quoted;
using testing::slurp;

// Splits never reach the real download host: offline unless a test gives another environment.
CommandResult runSplit(const fs::path& scratch, const std::string& args,
                       const std::string& env = "MIDISTEMS_OFFLINE=1") {
  return testing::runMidistems(scratch, "split " + args, env);
}

size_t filesIn(const fs::path& dir) {
  if (!fs::exists(dir)) return 0;
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++n;
  return n;
}

// The error contract: status 2, exactly one line of error text, no output files.
void expectCleanFailure(const CommandResult& r, const fs::path& outDir, const std::string& mention) {
  // Standard error may hold the "using the ... separator" note before the error line.
  testing::expectOneLineError(r, {mention});
  EXPECT_EQ(filesIn(outDir), 0u);
}

AudioBuffer testSong(int rate, int channels, double seconds) {
  AudioBuffer b(channels, int64_t(seconds * rate), rate);
  for (int c = 0; c < channels; ++c)
    for (int64_t i = 0; i < b.numFrames(); ++i) {
      const double t = double(i) / rate;
      const double hit = std::fmod(t, 0.3) < 0.02 ? 0.3 * std::sin(2 * std::numbers::pi * 3000 * t) : 0.0;
      b.channels[size_t(c)][size_t(i)] = float(0.2 * std::sin(2 * std::numbers::pi * 60 * t) +
                                               (0.15 + 0.05 * c) * std::sin(2 * std::numbers::pi * 523.25 * t) + hit);
    }
  return b;
}

void writeFloatWav(const fs::path& path, const AudioBuffer& b) {
  writeAudio(path, b, {AudioContainer::Wav, SampleFormat::Float32});
}

double maxAbsDiff(const AudioBuffer& a, const AudioBuffer& b) {
  EXPECT_EQ(a.numChannels(), b.numChannels());
  EXPECT_EQ(a.numFrames(), b.numFrames());
  double m = 0;
  for (size_t c = 0; c < a.channels.size() && c < b.channels.size(); ++c)
    for (size_t i = 0; i < a.channels[c].size() && i < b.channels[c].size(); ++i)
      m = std::max(m, double(std::fabs(a.channels[c][i] - b.channels[c][i])));
  return m;
}

TEST(SplitCli, MissingFile) {
  const fs::path dir = testing::scratchDir("split-missing");
  const auto r = runSplit(dir, quoted(dir / "nope.wav") + " -o " + quoted(dir / "out"));
  expectCleanFailure(r, dir / "out", "nope.wav");
}

TEST(SplitCli, CorruptFile) {
  const fs::path dir = testing::scratchDir("split-corrupt");
  std::ofstream(dir / "bad.wav", std::ios::binary) << testing::wavWithZeroChannels();
  auto r = runSplit(dir, quoted(dir / "bad.wav") + " -o " + quoted(dir / "out"));
  expectCleanFailure(r, dir / "out", "bad.wav: not a readable audio file (Channel count is zero.)");
  std::ofstream(dir / "cut.wav", std::ios::binary) << testing::truncatedWav();
  r = runSplit(dir, quoted(dir / "cut.wav") + " -o " + quoted(dir / "out"));
  expectCleanFailure(r, dir / "out", "cut.wav: not a readable audio file");
}

TEST(SplitCli, NanAudio) {
  const fs::path dir = testing::scratchDir("split-nan");
  AudioBuffer song = testSong(44100, 2, 1.0);
  song.channels[1][1000] = std::nanf("");
  writeFloatWav(dir / "nan.wav", song);
  const auto r = runSplit(dir, quoted(dir / "nan.wav") + " -o " + quoted(dir / "out"));
  expectCleanFailure(r, dir / "out", "NaN");
}

TEST(SplitCli, UnwritableOutputFolder) {
  const fs::path dir = testing::scratchDir("split-unwritable");
  writeFloatWav(dir / "song.wav", testSong(44100, 2, 1.0));
  std::ofstream(dir / "blocker") << "a file where a folder should be";
  const auto r = runSplit(dir, quoted(dir / "song.wav") + " -o " + quoted(dir / "blocker" / "out"));
  expectCleanFailure(r, dir / "blocker" / "out", "blocker");
}

TEST(SplitCli, MoreThanTwoChannelsIsRefused) {
  const fs::path dir = testing::scratchDir("split-surround");
  writeFloatWav(dir / "six.wav", testSong(44100, 6, 0.5));
  const auto r = runSplit(dir, quoted(dir / "six.wav") + " -o " + quoted(dir / "out"));
  expectCleanFailure(r, dir / "out", "6 channels");
}

TEST(SplitCli, UnknownStemIsRefused) {
  const fs::path dir = testing::scratchDir("split-unknown-stem");
  writeFloatWav(dir / "song.wav", testSong(44100, 2, 0.5));
  const auto r = runSplit(dir, quoted(dir / "song.wav") + " -o " + quoted(dir / "out") + " --stems drums,guitar");
  expectCleanFailure(r, dir / "out", "guitar");
}

TEST(SplitCli, FloatOutputEqualsTheSeparatorOutput) {
  const fs::path dir = testing::scratchDir("split-float");
  const AudioBuffer song = testSong(44100, 2, 2.0);
  writeFloatWav(dir / "song.wav", song);
  const auto r = runSplit(dir, quoted(dir / "song.wav") + " -o " + quoted(dir / "out") +
                                   " --model dsp --bits 32f --threads 2 --json");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.out.find("\"model\": \"dsp\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("vocals.wav"), std::string::npos) << r.out;

  separate::dsp::DspSeparator separator;
  separate::CollectingStemSink sink;
  separator.separate(readAudio(dir / "song.wav"), sink, {});
  const auto names = separator.sources();
  ASSERT_EQ(filesIn(dir / "out"), names.size());
  for (size_t s = 0; s < names.size(); ++s) {
    const AudioBuffer written = readAudio(dir / "out" / (names[s] + ".wav"));
    EXPECT_EQ(maxAbsDiff(written, sink.stems[s]), 0.0) << names[s];
  }
}

TEST(SplitCli, TwoStemsGivesTheSourceAndTheRest) {
  const fs::path dir = testing::scratchDir("split-two");
  const AudioBuffer song = testSong(44100, 2, 2.0);
  writeFloatWav(dir / "song.wav", song);
  const auto r = runSplit(dir, quoted(dir / "song.wav") + " -o " + quoted(dir / "out") +
                                   " --model dsp --two-stems vocals --bits 32f");
  ASSERT_EQ(r.status, 0) << r.err;
  ASSERT_EQ(filesIn(dir / "out"), 2u);
  const AudioBuffer vocals = readAudio(dir / "out" / "vocals.wav");
  const AudioBuffer rest = readAudio(dir / "out" / "no_vocals.wav");
  AudioBuffer sum = vocals;
  for (size_t c = 0; c < 2; ++c)
    for (size_t i = 0; i < sum.channels[c].size(); ++i) sum.channels[c][i] += rest.channels[c][i];
  EXPECT_LT(maxAbsDiff(sum, song), 1e-5);

  separate::dsp::DspSeparator separator;
  separate::CollectingStemSink sink;
  separator.separate(song, sink, {});
  EXPECT_EQ(maxAbsDiff(vocals, sink.stems[3]), 0.0);
}

TEST(SplitCli, MonoInputAtAnotherRateGivesStereoStemsAtThatRate) {
  const fs::path dir = testing::scratchDir("split-mono48k");
  const AudioBuffer song = testSong(48000, 1, 1.5);
  writeFloatWav(dir / "mono.wav", song);
  const auto r = runSplit(dir, quoted(dir / "mono.wav") + " -o " + quoted(dir / "out") +
                                   " --stems bass,drums --format flac --bits 16");
  ASSERT_EQ(r.status, 0) << r.err;
  ASSERT_EQ(filesIn(dir / "out"), 2u);
  const AudioBuffer bass = readAudio(dir / "out" / "bass.flac");
  const AudioBuffer drums = readAudio(dir / "out" / "drums.flac");
  EXPECT_EQ(bass.sampleRate, 48000);
  EXPECT_EQ(bass.numChannels(), 2);
  EXPECT_EQ(bass.numFrames(), song.numFrames());
  EXPECT_EQ(drums.numFrames(), song.numFrames());
  // The 60 Hz tone is the bass: the bass stem must correlate with it (same timing, no shift).
  double dot = 0, bb = 0, ss = 0;
  for (size_t i = 0; i < song.channels[0].size(); ++i) {
    const double tone = 0.2 * std::sin(2 * std::numbers::pi * 60 * double(i) / 48000);
    dot += tone * bass.channels[0][i];
    bb += double(bass.channels[0][i]) * bass.channels[0][i];
    ss += tone * tone;
  }
  EXPECT_GT(dot / std::sqrt(bb * ss), 0.9);
}

TEST(SplitCli, UninstalledModelIsAClearError) {
  const fs::path dir = testing::scratchDir("split-uninstalled");
  writeFloatWav(dir / "song.wav", testSong(44100, 2, 0.5));
  fs::create_directories(dir / "models");
  ASSERT_EQ(::setenv("MIDISTEMS_MODELS_DIR", (dir / "models").c_str(), 1), 0);
  const auto r = runSplit(dir, quoted(dir / "song.wav") + " -o " + quoted(dir / "out") + " --model htdemucs");
  ::unsetenv("MIDISTEMS_MODELS_DIR");
  expectCleanFailure(r, dir / "out", "htdemucs");
  const auto unknown = runSplit(dir, quoted(dir / "song.wav") + " -o " + quoted(dir / "out") + " --model nosuchmodel");
  expectCleanFailure(unknown, dir / "out", "nosuchmodel");
}

TEST(SplitCli, DefaultIsDspWhenNoModelIsInstalled) {
  const fs::path dir = testing::scratchDir("split-default");
  writeFloatWav(dir / "song.wav", testSong(44100, 2, 0.5));
  fs::create_directories(dir / "models");
  ASSERT_EQ(::setenv("MIDISTEMS_MODELS_DIR", (dir / "models").c_str(), 1), 0);
  const auto r = runSplit(dir, quoted(dir / "song.wav") + " -o " + quoted(dir / "out"));
  ::unsetenv("MIDISTEMS_MODELS_DIR");
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("DSP separator"), std::string::npos) << r.err;
  EXPECT_EQ(filesIn(dir / "out"), 4u);
}

// The whole HTDemucs pipeline through the command line: the small4 fixture's reference stems
// (official demucs.api, shifts 0, overlap 0.25) from its input, written as 32-bit float.
TEST(SplitCli, CheckpointPathMatchesTheReferencePipeline) {
  MIDISTEMS_REQUIRE_FIXTURE("htdemucs/small4/htdemucs_ref.th");
  MIDISTEMS_REQUIRE_FIXTURE("htdemucs/small4/stems.npy");
  const fs::path dir = testing::scratchDir("split-htdemucs");
  const NpyArray input = readNpy(testing::fixturePath("htdemucs/small4/input.npy"));
  const NpyArray reference = readNpy(testing::fixturePath("htdemucs/small4/stems.npy"));
  ASSERT_EQ(input.shape.size(), 2u);
  const int64_t n = input.shape[1];
  AudioBuffer song(2, n, 44100);
  for (int c = 0; c < 2; ++c)
    for (int64_t i = 0; i < n; ++i) song.channels[size_t(c)][size_t(i)] = input.data[size_t(c * n + i)];
  writeFloatWav(dir / "song.wav", song);
  const auto r = runSplit(dir, quoted(dir / "song.wav") + " -o " + quoted(dir / "out") + " --model " +
                                   quoted(testing::fixturePath("htdemucs/small4/htdemucs_ref.th")) + " --bits 32f");
  ASSERT_EQ(r.status, 0) << r.err;
  testing::expectStemsMatchReference(dir / "out", reference, n);
}

// First use: no model installed, downloads allowed, the default model (htdemucs) fetched from
// `url` into `models`, straight to 127.0.0.1 whatever proxy the machine has.
std::string onlineEnv(const fs::path& models, const std::string& url) {
  return "MIDISTEMS_OFFLINE= MIDISTEMS_MODELS_DIR=" + quoted(models) + " MIDISTEMS_MODELS_URL=" + testing::quoted(url) +
         " no_proxy='*' NO_PROXY='*'";
}

// The file of the registry's htdemucs, the model a plain split downloads on first use.
constexpr const char* kDefaultModelFile = "955717e8-8726e21a.th";

// A URL on a local port that nothing listens on: connections are refused.
std::string closedPortUrl() {
  testing::LocalHttpServer server({});
  return server.url();
}

struct FirstUse {
  fs::path dir, models;
  explicit FirstUse(const std::string& name) : dir(testing::scratchDir(name)), models(dir / "models") {
    writeFloatWav(dir / "song.wav", testSong(44100, 2, 0.5));
  }
  std::string args(const std::string& extra = "") const {
    return quoted(dir / "song.wav") + " -o " + quoted(dir / "out") + extra;
  }
};

// The fallback contract: exit 0, the four DSP stems, exactly one line on standard error that says
// the DSP separator is used and why.
void expectDspFallback(const CommandResult& r, const fs::path& outDir, const std::string& reason) {
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_EQ(r.err.rfind("split: using the built-in DSP separator (model htdemucs is not installed and could not be "
                        "downloaded: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find(reason), std::string::npos) << r.err;
  EXPECT_EQ(filesIn(outDir), 4u);
}

TEST(SplitCliFirstUse, RefusedConnectionFallsBackToDsp) {
  const FirstUse t("split-firstuse-refused");
  const auto r = runSplit(t.dir, t.args(), onlineEnv(t.models, closedPortUrl()));
  expectDspFallback(r, t.dir / "out", "cannot reach 127.0.0.1: ");
  EXPECT_EQ(filesIn(t.models), 0u);
}

TEST(SplitCliFirstUse, TruncatedDownloadFallsBackAndInstallsNothing) {
  const FirstUse t("split-firstuse-truncated");
  testing::LocalHttpServer server({{kDefaultModelFile, std::string(300000, 'm')}});
  server.truncateBodiesTo(100000);
  const auto r = runSplit(t.dir, t.args(), onlineEnv(t.models, server.url()));
  expectDspFallback(r, t.dir / "out", std::string(kDefaultModelFile) + ": download failed");
  EXPECT_EQ(server.requests(), 1);
  // Not the model, nor a partial copy of it: the next split tries again.
  EXPECT_EQ(filesIn(t.models), 0u);
  const auto again = runSplit(t.dir, t.args(), onlineEnv(t.models, server.url()));
  expectDspFallback(again, t.dir / "out", "download failed");
  EXPECT_EQ(server.requests(), 2);
}

TEST(SplitCliFirstUse, WrongChecksumFallsBackAndInstallsNothing) {
  const FirstUse t("split-firstuse-badsum");
  testing::LocalHttpServer server({{kDefaultModelFile, std::string(300000, 'm')}});
  const auto r = runSplit(t.dir, t.args(" --json"), onlineEnv(t.models, server.url()));
  expectDspFallback(r, t.dir / "out", "checksum mismatch (expected sha256 8726e21a...");
  EXPECT_NE(r.out.find("\"model\": \"dsp\""), std::string::npos) << r.out;
  EXPECT_EQ(server.requests(), 1);
  EXPECT_EQ(filesIn(t.models), 0u);
}

// --offline, MIDISTEMS_OFFLINE=1 and --model dsp never open a connection, though a server is
// there to answer.
TEST(SplitCliFirstUse, OfflineAndDspNeverConnect) {
  const FirstUse t("split-firstuse-offline");
  testing::LocalHttpServer server({{kDefaultModelFile, std::string(300000, 'm')}});
  const std::string online = onlineEnv(t.models, server.url());
  for (const auto& [args, env] : {std::pair{t.args(" --offline"), online},
                                  std::pair{t.args(), online + " MIDISTEMS_OFFLINE=1"}}) {
    const auto r = runSplit(t.dir, args, env);
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.err, "split: using the built-in DSP separator (no HTDemucs model installed and downloads are off; "
                     "run: midistems models fetch htdemucs)\n");
    EXPECT_EQ(filesIn(t.dir / "out"), 4u);
  }
  const auto dsp = runSplit(t.dir, t.args(" --model dsp"), online);
  ASSERT_EQ(dsp.status, 0) << dsp.err;
  EXPECT_EQ(dsp.err, "split: using the built-in DSP separator\n");
  // A model named explicitly is not downloaded offline either: the error of today.
  const auto named = runSplit(t.dir, quoted(t.dir / "song.wav") + " -o " + quoted(t.dir / "named") +
                                         " --model htdemucs --offline", online);
  expectCleanFailure(named, t.dir / "named", "model 'htdemucs' is not installed; run: midistems models fetch htdemucs");
  const auto fetch = testing::runMidistems(t.dir, "models fetch htdemucs", online + " MIDISTEMS_OFFLINE=1");
  EXPECT_EQ(fetch.status, 2);
  EXPECT_EQ(fetch.err, "midistems: error: model 'htdemucs' is not installed and downloads are off "
                       "(MIDISTEMS_OFFLINE is set)\n");
  EXPECT_EQ(server.requests(), 0);
  EXPECT_FALSE(fs::exists(t.models));
}

// --model htdemucs asks for that model: it is downloaded when missing, and when that fails the
// split fails (status 2, nothing written) instead of quietly using another separator.
TEST(SplitCliFirstUse, NamedModelThatCannotBeDownloadedIsAnError) {
  const FirstUse t("split-firstuse-named");
  const auto refused = runSplit(t.dir, t.args(" --model htdemucs"), onlineEnv(t.models, closedPortUrl()));
  expectCleanFailure(refused, t.dir / "out",
                     "--model htdemucs: not installed, and the download failed: cannot reach 127.0.0.1: ");
  testing::LocalHttpServer server({{kDefaultModelFile, std::string(300000, 'm')}});
  const auto wrong = runSplit(t.dir, t.args(" --model htdemucs"), onlineEnv(t.models, server.url()));
  expectCleanFailure(wrong, t.dir / "out", "checksum mismatch");
  EXPECT_EQ(server.requests(), 1);
  EXPECT_EQ(filesIn(t.models), 0u);
}

TEST(SplitCli, HelpExitsCleanly) {
  const fs::path dir = testing::scratchDir("split-help");
  const auto r = runSplit(dir, "--help");
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("--two-stems"), std::string::npos);
  EXPECT_NE(r.out.find("--offline"), std::string::npos);
}

}  // namespace
}  // namespace midistems
