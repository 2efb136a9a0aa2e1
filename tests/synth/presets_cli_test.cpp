// `midistems presets list | show | export` end to end: the bank by category, a preset's details,
// an exported file that reads back as the same preset, warnings for what a file's reader ignored,
// and the error contract (status 2, one line, the names listed, no output left behind).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "support/fixtures.h"
#include "support/run_cli.h"
#include "synth/preset.h"

namespace {

namespace fs = std::filesystem;
using midistems::testing::quoted;
using midistems::testing::runMidistems;

TEST(PresetsCommand, ListsTheBankAndFiltersByCategory) {
  const fs::path dir = midistems::testing::scratchDir("presets-cli-list");
  const auto all = runMidistems(dir, "presets list");
  ASSERT_EQ(all.status, 0) << all.err;
  EXPECT_EQ(size_t(std::count(all.out.begin(), all.out.end(), '\n')), midistems::synth::factoryPresetNames().size());
  const auto bass = runMidistems(dir, "presets list --category bass");
  ASSERT_EQ(bass.status, 0) << bass.err;
  EXPECT_NE(bass.out.find("sub_bass"), std::string::npos);
  EXPECT_EQ(bass.out.find("warm_pad"), std::string::npos);
  midistems::testing::expectOneLineError(runMidistems(dir, "presets list --category basses"),
                                         {"basses", "categories: bass, bell, brass, drums"});
}

TEST(PresetsCommand, ShowsAPresetsDetails) {
  const fs::path dir = midistems::testing::scratchDir("presets-cli-show");
  const auto r = runMidistems(dir, "presets show distortion_lead");
  ASSERT_EQ(r.status, 0) << r.err;
  for (const char* wanted : {"Distorted Lead", "category:   lead", "tags:       distortion, rock", "distortion_drive",
                             "chain:      distortion -> eq"})
    EXPECT_NE(r.out.find(wanted), std::string::npos) << wanted << " in " << r.out;
  midistems::testing::expectOneLineError(runMidistems(dir, "presets show nope"), {"nope", "warm_pad", "drum_kit"});
}

TEST(PresetsCommand, ExportsAFileThatReadsBackAsTheSamePreset) {
  const fs::path dir = midistems::testing::scratchDir("presets-cli-export");
  const auto r = runMidistems(dir, "presets export tubular_bells -o " + quoted(dir / "bells.json"));
  ASSERT_EQ(r.status, 0) << r.err;
  const auto exported = midistems::synth::loadPresetFile(dir / "bells.json");
  EXPECT_EQ(midistems::synth::presetToJson(exported),
            midistems::synth::presetToJson(midistems::synth::factoryPreset("tubular_bells")));
  // A file from a newer version: its unknown ids are printed as warnings, the rest is exported.
  std::ofstream(dir / "newer.json") << R"({"format": 2, "name": "N", "params": {"reverb_on": true, "lfo7_rate": 2}})";
  const auto newer = runMidistems(dir, "presets export " + quoted(dir / "newer.json") + " -o " + quoted(dir / "n2.json"));
  ASSERT_EQ(newer.status, 0) << newer.err;
  EXPECT_NE(newer.err.find("warning: " + (dir / "newer.json").string() + ": unknown parameter \"lfo7_rate\" ignored"),
            std::string::npos)
      << newer.err;
  EXPECT_EQ(midistems::synth::loadPresetFile(dir / "n2.json").patch.choice(midistems::synth::Param::ReverbOn), 1);
  // Errors: status 2, one line, nothing written.
  midistems::testing::expectOneLineError(runMidistems(dir, "presets export nope -o " + quoted(dir / "x.json")),
                                         {"nope", "factory presets:"});
  midistems::testing::expectOneLineError(
      runMidistems(dir, "presets export bell -o " + quoted(dir / "missing" / "x.json")), {"output folder"});
  std::ofstream(dir / "bad.json") << R"({"format": 2, "tags": "x"})";
  midistems::testing::expectOneLineError(
      runMidistems(dir, "presets export " + quoted(dir / "bad.json") + " -o " + quoted(dir / "x.json")), {"tags"});
  EXPECT_FALSE(fs::exists(dir / "x.json"));
}

}  // namespace
