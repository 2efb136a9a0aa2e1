// The installed command needs nothing from the source or build tree. Each test installs the build
// with `cmake --install` into a temporary prefix, moves that prefix elsewhere, and runs the moved
// copy with an empty environment: no MIDISTEMS_BASIC_PITCH_MODEL, an empty HOME, no
// XDG_DATA_HOME, no downloads. The basic-pitch model then has one place to come from: the
// installed share/midistems/basic-pitch beside the command. Moving or deleting that copy must
// make `transcribe` fail, and the other places the command searches must then work, in order.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "core/audio_file.h"
#include "midi/midi_file.h"
#include "support/fixtures.h"
#include "support/run_cli.h"

namespace midistems {
namespace {

namespace fs = std::filesystem;
using testing::CommandResult;
using testing::quoted;

bool buildHasModel() { return fs::exists(fs::path(MIDISTEMS_BUILD_DATA_DIR) / "basic-pitch" / "model.json"); }

#define REQUIRE_BUILD_MODEL()                                                                           \
  do {                                                                                                  \
    if (!buildHasModel())                                                                               \
      GTEST_SKIP() << "SKIPPED: the build has no basic-pitch model to install (run scripts/setup.sh, " \
                      "then configure again)";                                                          \
  } while (0)

// An installed copy, moved away from where it was installed, and a scratch folder around it (a
// test removes the folder when it passes and leaves it for a look when it fails).
struct InstalledCopy {
  fs::path scratch;  // holds everything below
  fs::path prefix;   // the moved prefix
  fs::path command;  // prefix/bin/midistems
  fs::path model;    // prefix/share/midistems/basic-pitch
  fs::path home;     // an empty HOME

  // `[extra env] midistems <args>` with nothing else in the environment.
  CommandResult run(const std::string& args, const std::string& extraEnv = "") const {
    const std::string env = "env -i PATH=/usr/bin:/bin HOME=" + quoted(home) + " MIDISTEMS_OFFLINE=1 MIDISTEMS_MODELS_DIR=" +
                            quoted(scratch / "no-models") + " " + extraEnv;
    return testing::runProgram(scratch, command, args, env);
  }
};

InstalledCopy installAndMove(const std::string& name) {
  InstalledCopy copy;
  copy.scratch = testing::scratchDir("install-" + name);
  const fs::path staging = copy.scratch / "staging";
  const CommandResult install =
      testing::runProgram(copy.scratch, "env",
                          "-u DESTDIR " + quoted(MIDISTEMS_CMAKE_COMMAND) + " --install " +
                              quoted(MIDISTEMS_BUILD_TREE) + " --prefix " + quoted(staging));
  EXPECT_EQ(install.status, 0) << install.out << install.err;
  copy.prefix = copy.scratch / "elsewhere" / "midistems";
  fs::create_directories(copy.prefix.parent_path());
  fs::copy(staging, copy.prefix, fs::copy_options::recursive);
  fs::remove_all(staging);
  copy.command = copy.prefix / MIDISTEMS_INSTALL_BINDIR / "midistems";
  copy.model = copy.prefix / MIDISTEMS_INSTALL_DATADIR / "basic-pitch";
  copy.home = copy.scratch / "home";
  fs::create_directories(copy.home);
  fs::create_directories(copy.scratch / "no-models");
  return copy;
}

size_t noteOns(const fs::path& midiFile) {
  size_t n = 0;
  for (const auto& track : midi::readMidiFile(midiFile).tracks)
    for (const auto& e : track.events) n += e.type() == 0x90 && e.data2 > 0;
  return n;
}

// A one-second melody for `transcribe`, rendered by the installed copy itself.
fs::path renderMelody(const InstalledCopy& copy) {
  midi::NoteTrack piano;
  piano.name = "piano";
  for (int i = 0; i < 4; ++i) piano.notes.push_back({0.1 + 0.25 * i, 0.3 + 0.25 * i, 60 + 2 * i, 100});
  midi::writeMidiFile(copy.scratch / "melody.mid", {piano});
  const fs::path wav = copy.scratch / "melody.wav";
  const CommandResult r = copy.run("render -q " + quoted(copy.scratch / "melody.mid") + " -o " + quoted(wav) +
                                   " --sample-rate 44100");
  EXPECT_EQ(r.status, 0) << r.err;
  return wav;
}

TEST(InstalledCommand, VersionModelsListAndFilesFromAMovedCopy) {
  const InstalledCopy copy = installAndMove("version");
  ASSERT_TRUE(fs::is_regular_file(copy.command)) << copy.command;
  EXPECT_FALSE(fs::exists(copy.scratch / "staging"));

  const CommandResult version = copy.run("--version");
  EXPECT_EQ(version.status, 0) << version.err;
  EXPECT_NE(version.out.find(MIDISTEMS_PROJECT_VERSION), std::string::npos) << version.out;

  const CommandResult list = copy.run("models list");
  EXPECT_EQ(list.status, 0) << list.err;
  EXPECT_NE(list.out.find("htdemucs"), std::string::npos) << list.out;

  const fs::path doc = copy.prefix / MIDISTEMS_INSTALL_DOCDIR;
  EXPECT_NE(testing::slurp(doc / "LICENSE").find("GNU GENERAL PUBLIC LICENSE"), std::string::npos) << doc;

  // No path into the source or build tree is compiled into the command.
  const std::string binary = testing::slurp(copy.command);
  ASSERT_FALSE(binary.empty());
  for (const std::string& tree : {std::string(MIDISTEMS_SOURCE_DIR) + "/third_party", std::string(MIDISTEMS_BUILD_TREE) + "/"})
    EXPECT_EQ(binary.find(tree), std::string::npos) << "the installed command names " << tree;
  if (!::testing::Test::HasFailure()) fs::remove_all(copy.scratch);
}

TEST(InstalledCommand, RunsTheWholeJobFromAMovedCopy) {
  REQUIRE_BUILD_MODEL();
  const InstalledCopy copy = installAndMove("run");
  for (const char* f : {"model.json", "group1-shard1of1.bin", "LICENSE"})
    EXPECT_TRUE(fs::is_regular_file(copy.model / f)) << copy.model / f;
  EXPECT_NE(testing::slurp(copy.model / "LICENSE").find("Apache License"), std::string::npos);

  // A short song with a melody, a bass line and drums, rendered by the installed copy.
  midi::NoteTrack lead, bass, drums;
  lead.name = "lead";
  lead.program = 80;
  bass.name = "bass";
  bass.channel = 1;
  bass.program = 33;
  drums.name = "drums";
  drums.channel = midi::kDrumChannel;
  for (int beat = 0; beat < 8; ++beat) {
    const double t = 0.1 + 0.4 * beat;
    lead.notes.push_back({t, t + 0.35, 67 + (beat % 4) * 2, 100});
    bass.notes.push_back({t, t + 0.35, 36 + (beat % 2) * 7, 100});
    drums.notes.push_back({t, t + 0.1, beat % 2 ? 38 : 36, 110});
  }
  midi::writeMidiFile(copy.scratch / "song.mid", {lead, bass, drums});
  const fs::path song = copy.scratch / "song.wav";
  const CommandResult render =
      copy.run("render -q " + quoted(copy.scratch / "song.mid") + " -o " + quoted(song) + " --sample-rate 44100");
  ASSERT_EQ(render.status, 0) << render.err;

  const fs::path out = copy.scratch / "out";
  const CommandResult run = copy.run("run -q " + quoted(song) + " -o " + quoted(out) + " --model dsp --threads 2");
  ASSERT_EQ(run.status, 0) << run.out << run.err;
  const fs::path midiOut = out / "song.transcribed.mid", preview = out / "song.preview.wav";
  ASSERT_TRUE(fs::is_regular_file(midiOut)) << run.out;
  ASSERT_TRUE(fs::is_regular_file(preview)) << run.out;
  EXPECT_GT(fs::file_size(out / "song.notes.png"), 1000u) << run.out;  // the picture, drawn with its fonts
  EXPECT_GT(noteOns(midiOut), 8u);
  const AudioBuffer played = readAudio(preview);
  EXPECT_GT(played.durationSeconds(), 2.0);
  if (!::testing::Test::HasFailure()) fs::remove_all(copy.scratch);
}

TEST(InstalledCommand, ModelIsFoundBesideTheCommandThenThroughTheVariableThenInUserData) {
  REQUIRE_BUILD_MODEL();
  const InstalledCopy copy = installAndMove("lookup");
  const fs::path wav = renderMelody(copy);
  const auto transcribe = [&](const std::string& env) {
    fs::remove(copy.scratch / "out.mid");
    return copy.run("transcribe -q " + quoted(wav) + " -o " + quoted(copy.scratch / "out.mid"), env);
  };
  const auto transcribed = [&] { return fs::exists(copy.scratch / "out.mid") && noteOns(copy.scratch / "out.mid") > 0; };

  // The installed copy wins, even over the variable.
  CommandResult r = transcribe("MIDISTEMS_BASIC_PITCH_MODEL=" + quoted(copy.scratch / "nowhere"));
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(transcribed());

  // Without it, and with nothing else, nothing is found: one line lists the places searched.
  const fs::path aside = copy.scratch / "model-aside";
  fs::rename(copy.model, aside);
  const fs::path userModel = copy.home / ".local" / "share" / "midistems" / "basic-pitch";
  r = transcribe("");
  testing::expectOneLineError(r, {"basic-pitch model not found", copy.model.string(), "$MIDISTEMS_BASIC_PITCH_MODEL (not set)",
                         userModel.string()});
  EXPECT_FALSE(fs::exists(copy.scratch / "out.mid"));

  // Then the variable: it must name a model folder.
  r = transcribe("MIDISTEMS_BASIC_PITCH_MODEL=" + quoted(aside));
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(transcribed());
  r = transcribe("MIDISTEMS_BASIC_PITCH_MODEL=" + quoted(copy.scratch / "nowhere"));
  testing::expectOneLineError(r, {(copy.scratch / "nowhere").string(), "no model.json"});

  // Then ~/.local/share/midistems/basic-pitch, or $XDG_DATA_HOME/midistems/basic-pitch when set.
  fs::create_directories(userModel.parent_path());
  fs::copy(aside, userModel);
  r = transcribe("");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(transcribed());
  const fs::path xdg = copy.scratch / "xdg";
  r = transcribe("XDG_DATA_HOME=" + quoted(xdg));
  testing::expectOneLineError(r, {(xdg / "midistems" / "basic-pitch").string()});
  fs::create_directories(xdg / "midistems");
  fs::rename(userModel, xdg / "midistems" / "basic-pitch");
  r = transcribe("XDG_DATA_HOME=" + quoted(xdg));
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_TRUE(transcribed());
  if (!::testing::Test::HasFailure()) fs::remove_all(copy.scratch);
}

}  // namespace
}  // namespace midistems
