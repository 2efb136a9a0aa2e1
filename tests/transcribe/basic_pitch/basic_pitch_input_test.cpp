// Edge cases of the basic-pitch runner: malformed model folders give one-line errors; empty,
// short, silent and non-finite inputs give an error or well-formed posteriorgrams, never a crash.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "core/error.h"
#include "support/bounded_run.h"
#include "support/fixtures.h"
#include "test_model.h"

namespace midistems::testing {
namespace {

namespace fs = std::filesystem;
using transcribe::BasicPitchModel;
using transcribe::basicPitchFrameCount;
using transcribe::basicPitchFrameTime;

std::string readText(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void writeText(const fs::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary);
  out << text;
}

// A scratch folder removed when the test ends.
struct ScratchFolder {
  fs::path path;
  explicit ScratchFolder(const std::string& name) : path(scratchDir("basic-pitch-" + name)) {}
  ~ScratchFolder() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

// A copy of the installed model folder that a test may damage.
fs::path copyModel(const ScratchFolder& scratch) {
  const fs::path dir = scratch.path;
  const fs::path src = BasicPitchModel::defaultModelDir();
  fs::copy_file(src / "model.json", dir / "model.json");
  fs::copy_file(src / "group1-shard1of1.bin", dir / "group1-shard1of1.bin");
  return dir;
}

// Expects load() to throw one single-line Error containing `expected`.
void expectLoadError(const fs::path& dir, const std::string& expected) {
  try {
    BasicPitchModel::load(dir);
    ADD_FAILURE() << "no error for " << expected;
  } catch (const Error& e) {
    const std::string message = e.what();
    EXPECT_NE(message.find(expected), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

TEST(BasicPitchFrames, CountAndTimesFollowThePythonPackage) {
  EXPECT_EQ(basicPitchFrameCount(0), 0);
  EXPECT_EQ(basicPitchFrameCount(220500), 865);        // int(220500 / 36164 * 142)
  EXPECT_EQ(basicPitchFrameCount(36164), 142);
  EXPECT_EQ(basicPitchFrameCount(1323000), 5194);      // 60 s
  EXPECT_DOUBLE_EQ(basicPitchFrameTime(0), 0.0);
  EXPECT_NEAR(basicPitchFrameTime(171), 171 * 256.0 / 22050, 1e-12);
  EXPECT_NEAR(basicPitchFrameTime(172), 172 * 256.0 / 22050 - 0.010326, 1e-6);
}

TEST(BasicPitchModelFiles, MissingFolderAndFilesAreClearErrors) {
  MIDISTEMS_REQUIRE_BASIC_PITCH_MODEL(model);
  const ScratchFolder empty("empty"), scratch("noshard");
  expectLoadError(empty.path / "absent", "model folder not found");
  expectLoadError(empty.path, "model.json: basic-pitch model file not found");
  const fs::path dir = copyModel(scratch);
  fs::remove(dir / "group1-shard1of1.bin");
  expectLoadError(dir, "weight shard group1-shard1of1.bin not found");
}

TEST(BasicPitchModelFiles, CorruptJsonIsAClearError) {
  MIDISTEMS_REQUIRE_BASIC_PITCH_MODEL(model);
  const ScratchFolder scratch("json");
  const fs::path dir = copyModel(scratch);
  const std::string text = readText(dir / "model.json");
  writeText(dir / "model.json", text.substr(0, text.size() / 2));
  expectLoadError(dir, "not valid JSON");
  writeText(dir / "model.json", "{\"format\": \"graph-model\"}");
  expectLoadError(dir, "malformed model description");
}

TEST(BasicPitchModelFiles, TruncatedShardIsAClearError) {
  MIDISTEMS_REQUIRE_BASIC_PITCH_MODEL(model);
  const ScratchFolder scratch("truncated");
  const fs::path dir = copyModel(scratch);
  const std::string bytes = readText(dir / "group1-shard1of1.bin");
  writeText(dir / "group1-shard1of1.bin", bytes.substr(0, bytes.size() - 1000));
  expectLoadError(dir, "weight shard is truncated");
  writeText(dir / "group1-shard1of1.bin", bytes + "extra");
  expectLoadError(dir, "does not match the manifest");
}

TEST(BasicPitchModelFiles, WrongShapesAreClearErrors) {
  MIDISTEMS_REQUIRE_BASIC_PITCH_MODEL(model);
  const ScratchFolder scratch("shape");
  const fs::path dir = copyModel(scratch);
  const std::string text = readText(dir / "model.json");
  // Same number of values in another shape: the loader must notice the shape, not the size.
  auto damage = [&](const std::string& from, const std::string& to) {
    const auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << "manifest layout changed: " << from;
    std::string damaged = text;
    if (at != std::string::npos) damaged.replace(at, from.size(), to);
    writeText(dir / "model.json", damaged);
  };
  damage("\"shape\": [7, 7, 1, 32]", "\"shape\": [7, 7, 2, 16]");
  expectLoadError(dir, "do not have 1 inputs and 16 outputs");
  damage("\"shape\": [309, 1, 1]", "\"shape\": [103, 3, 1]");
  expectLoadError(dir, "has shape [103,3,1], expected [309,1,1]");
  // A graph whose CQT octaves are not concatenated (the op renamed): an error, not a crash.
  damage("\"name\": \"StatefulPartitionedCall/model_1/cq_t2010v2_1/concat_7\", \"op\": \"ConcatV2\"",
         "\"name\": \"StatefulPartitionedCall/model_1/cq_t2010v2_1/concat_7\", \"op\": \"Concat\"");
  expectLoadError(dir, "feeds no ConcatV2 node");
}

// A model folder written by the test: model.json with one weight group of `weights` (a JSON
// list) over the shard `shard` named `repeats` times, and that shard's bytes.
fs::path craftedModel(const ScratchFolder& scratch, const std::string& weights, const std::string& shardBytes,
                      int repeats = 1) {
  std::string paths;
  for (int i = 0; i < repeats; ++i) paths += std::string(i ? "," : "") + "\"s.bin\"";
  writeText(scratch.path / "model.json",
            R"({"format": "graph-model", "modelTopology": {"node": []}, "weightsManifest": [{"paths": [)" + paths +
                R"(], "weights": )" + weights + "}]}");
  writeText(scratch.path / "s.bin", shardBytes);
  return scratch.path;
}

// Sizes from model.json are checked one factor at a time against the bytes the shard holds: the
// product of these would overflow int64 (2^31 * 2^31 * 2^31 * 2) and wrap to an empty tensor.
TEST(BasicPitchModelFiles, ShapesWhoseProductOverflowsAreRefused) {
  const ScratchFolder scratch("overflow");
  const std::string shape = "[2147483648,2147483648,2147483648,2]";
  const fs::path dir =
      craftedModel(scratch, R"([{"name": "w", "shape": )" + shape + R"(, "dtype": "float32"}])", "");
  expectLoadError(dir, "model.json: weight shard is truncated (tensor w " + shape + " needs bytes beyond its end)");
  craftedModel(scratch, R"([{"name": "w", "shape": [2, 2.5], "dtype": "float32"}])", std::string(20, '\0'));
  expectLoadError(dir, "model.json: tensor w has an invalid shape");
  craftedModel(scratch, R"([{"name": "w", "shape": [-1, -4], "dtype": "float32"}])", std::string(16, '\0'));
  expectLoadError(dir, "model.json: tensor w has an invalid shape");
}

// One 1 MiB shard named 5000 times would be 5 GB of weights; the reader stops at its budget, under
// a 4 GiB address-space limit.
TEST(BasicPitchModelFiles, ShardNamedOverAndOverStaysWithinBudget) {
  const ScratchFolder scratch("repeated");
  const fs::path dir = craftedModel(scratch, R"([{"name": "w", "shape": [262144], "dtype": "float32"}])",
                                    std::string(size_t(1) << 20, '\0'), 5000);
  const BoundedRun run = runBounded([&]() -> std::string {
    try {
      BasicPitchModel::load(dir);
    } catch (const Error& e) {
      return e.what();
    }
    return "loaded";
  });
  EXPECT_EQ(run.exitStatus, 0) << "signal " << run.signal;
  EXPECT_EQ(run.output, (dir / "model.json").string() + ": weight shards take more than 64 MiB (at s.bin)");
  EXPECT_LT(run.seconds, 60.0);
}

TEST(BasicPitchModelFiles, OversizedModelDescriptionIsRefused) {
  const ScratchFolder scratch("large");
  const fs::path dir = craftedModel(scratch, "[]", "");
  writeText(dir / "model.json", "{\"format\": \"graph-model\"}" + std::string(size_t(17) << 20, ' '));
  expectLoadError(dir, "model.json: model description of 17825817 bytes is larger than 16 MiB");
}

TEST(BasicPitchModelFiles, EnvironmentVariableNamesTheModelFolder) {
  MIDISTEMS_REQUIRE_BASIC_PITCH_MODEL(model);
  const ScratchFolder scratch("env");
  const fs::path dir = copyModel(scratch);
  const char* previous = std::getenv("MIDISTEMS_BASIC_PITCH_MODEL");
  const std::string saved = previous ? previous : "";
  ::setenv("MIDISTEMS_BASIC_PITCH_MODEL", dir.c_str(), 1);
  EXPECT_EQ(BasicPitchModel::defaultModelDir(), dir);
  ::setenv("MIDISTEMS_BASIC_PITCH_MODEL", (scratch.path / "nowhere").c_str(), 1);
  EXPECT_THROW(BasicPitchModel::defaultModelDir(), Error);
  if (previous)
    ::setenv("MIDISTEMS_BASIC_PITCH_MODEL", saved.c_str(), 1);
  else
    ::unsetenv("MIDISTEMS_BASIC_PITCH_MODEL");
}

// The search order on folders that only look like model folders (findModelDir checks for
// model.json; load() checks the rest).
TEST(BasicPitchModelFiles, SearchIsBesideTheCommandThenTheVariableThenUserData) {
  const ScratchFolder scratch("search");
  const fs::path bundled = scratch.path / "bundled", env = scratch.path / "env", user = scratch.path / "user";
  for (const auto& dir : {bundled / "basic-pitch", env, user / "basic-pitch"}) {
    fs::create_directories(dir);
    writeText(dir / "model.json", "{}");
  }
  const auto find = [](const fs::path& b, const char* e, const fs::path& u) {
    return BasicPitchModel::findModelDir(b, e, u);
  };
  const auto error = [&](const fs::path& b, const char* e, const fs::path& u) -> std::string {
    try {
      find(b, e, u);
    } catch (const Error& err) {
      return err.what();
    }
    ADD_FAILURE() << "no error";
    return "";
  };
  EXPECT_EQ(find(bundled, env.c_str(), user), bundled / "basic-pitch");
  EXPECT_EQ(find(scratch.path / "no-bundle", env.c_str(), user), env);
  EXPECT_EQ(find({}, env.c_str(), user), env);
  EXPECT_EQ(find({}, nullptr, user), user / "basic-pitch");
  EXPECT_EQ(find({}, "", user), user / "basic-pitch");
  // A variable naming a folder without model.json is an error, not a reason to look further.
  const std::string wrong = error({}, scratch.path.c_str(), user);
  EXPECT_NE(wrong.find(scratch.path.string() + ": no model.json here (MIDISTEMS_BASIC_PITCH_MODEL"),
            std::string::npos)
      << wrong;
  // Nothing found: one line listing every place searched, in order.
  fs::remove(user / "basic-pitch" / "model.json");
  const std::string none = error(scratch.path / "no-bundle", nullptr, user);
  EXPECT_EQ(none.find('\n'), std::string::npos) << none;
  const size_t at1 = none.find((scratch.path / "no-bundle" / "basic-pitch").string());
  const size_t at2 = none.find("$MIDISTEMS_BASIC_PITCH_MODEL (not set)");
  const size_t at3 = none.find((user / "basic-pitch").string());
  EXPECT_EQ(none.rfind("basic-pitch model not found", 0), 0u) << none;
  EXPECT_TRUE(at1 != std::string::npos && at2 != std::string::npos && at3 != std::string::npos && at1 < at2 &&
              at2 < at3)
      << none;
  const std::string unknown = error({}, nullptr, {});
  EXPECT_NE(unknown.find("beside the command (/proc/self/exe unreadable)"), std::string::npos) << unknown;
  EXPECT_NE(unknown.find("$XDG_DATA_HOME and $HOME not set"), std::string::npos) << unknown;
}

TEST(BasicPitchInput, EmptyShortSilentAndNonFinite) {
  MIDISTEMS_REQUIRE_BASIC_PITCH_MODEL(model);
  EXPECT_EQ(model->run(AudioBuffer()).frames, 0);
  EXPECT_EQ(model->run(AudioBuffer(2, 0, 44100)).frames, 0);
  EXPECT_EQ(model->runMono22050({}).frames, 0);

  // 0.1 s of a 440 Hz tone at 48 kHz stereo: shorter than one window.
  AudioBuffer tone(2, 4800, 48000);
  for (int64_t i = 0; i < tone.numFrames(); ++i)
    tone.channels[0][size_t(i)] = tone.channels[1][size_t(i)] = 0.5f * float(std::sin(2 * M_PI * 440 * i / 48000.0));
  const auto p = model->run(tone);
  EXPECT_EQ(p.frames, basicPitchFrameCount(2205));
  ASSERT_EQ(p.notes.size(), size_t(p.frames) * 88);
  ASSERT_EQ(p.contours.size(), size_t(p.frames) * 264);
  for (float v : p.notes) EXPECT_TRUE(v >= 0 && v <= 1);
  // The strongest note in the middle frame is A4 (MIDI 69 = column 48).
  const int64_t mid = p.frames / 2;
  int best = 0;
  for (int n = 1; n < 88; ++n)
    if (p.notes[size_t(mid * 88 + n)] > p.notes[size_t(mid * 88 + best)]) best = n;
  EXPECT_EQ(best, 48);

  // Silence: a flat window normalises to zero (DivNoNan) and gives finite posteriorgrams.
  const auto silent = model->runMono22050(std::vector<float>(22050, 0.0f));
  EXPECT_EQ(silent.frames, basicPitchFrameCount(22050));
  for (float v : silent.onsets) EXPECT_TRUE(std::isfinite(v));

  AudioBuffer bad(1, 1000, 22050);
  bad.channels[0][500] = std::nanf("");
  EXPECT_THROW(model->run(bad), Error);
  bad.channels[0][500] = INFINITY;
  EXPECT_THROW(model->runMono22050(bad.channels[0]), Error);
  AudioBuffer noRate(1, 1000, 0);
  EXPECT_THROW(model->run(noRate), Error);
}

TEST(BasicPitchInput, ThreadCountDoesNotChangeResults) {
  MIDISTEMS_REQUIRE_BASIC_PITCH_MODEL(model);
  std::vector<float> x(3 * 36164);
  for (size_t i = 0; i < x.size(); ++i) x[i] = 0.3f * float(std::sin(0.07 * double(i)) * std::sin(1e-4 * double(i)));
  auto copy = BasicPitchModel::load(BasicPitchModel::defaultModelDir());
  const auto one = copy.runMono22050(x);
  copy.setThreads(3);
  double lastProgress = 0;
  const auto three = copy.runMono22050(x, [&](double f) { lastProgress = f; });
  EXPECT_EQ(lastProgress, 1.0);
  ASSERT_EQ(one.frames, three.frames);
  EXPECT_EQ(one.notes, three.notes);
  EXPECT_EQ(one.onsets, three.onsets);
  EXPECT_EQ(one.contours, three.contours);
}

}  // namespace
}  // namespace midistems::testing
