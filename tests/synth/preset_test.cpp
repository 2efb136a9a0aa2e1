// Presets: the factory set loads and sounds, the format is versioned, bad files are clear errors.
#include <gtest/gtest.h>

#include <fstream>
#include <set>

#include "core/error.h"
#include "support/fixtures.h"
#include "synth/preset.h"
#include "synth_test_util.h"

namespace midistems::synth {
namespace {

using namespace midistems::synth::testing;

std::string errorOf(const std::string& json) {
  try {
    parsePreset(json, "bad.json");
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

TEST(Presets, FactorySetCoversTheInstrumentFamilies) {
  const auto names = factoryPresetNames();
  EXPECT_GE(names.size(), 12u);
  std::set<std::string> categories;
  for (const auto& name : names) categories.insert(factoryPreset(name).category);
  for (const char* wanted : {"bass", "lead", "pad", "keys", "pluck", "brass", "strings", "bell"})
    EXPECT_TRUE(categories.count(wanted)) << wanted;
  for (int program = 0; program < 128; ++program)
    EXPECT_NO_THROW(factoryPreset(factoryPresetForProgram(program))) << program;
}

TEST(Presets, EveryFactoryPresetSoundsAndStaysBelowFullScale) {
  for (const auto& name : factoryPresetNames()) {
    Synth synth;
    synth.prepare(48000);
    synth.setPatch(factoryPreset(name).patch);
    const auto out = renderEvents(synth,
                                  {noteOn(0, 48, 110), noteOn(0, 52, 110), noteOn(0, 55, 110), noteOn(0, 60, 110),
                                   noteOff(48000, 48), noteOff(48000, 52), noteOff(48000, 55), noteOff(48000, 60)},
                                  96000, 512);
    const float peak = std::max(peakOf(out.left), peakOf(out.right));
    EXPECT_GT(peak, 0.05f) << name;
    EXPECT_LT(peak, 1.0f) << name;
    EXPECT_GT(rmsOf(out.left, 9600, 48000), 0.01) << name;
    std::printf("%-16s chord peak %5.1f dBFS\n", name.c_str(), 20 * std::log10(peak));
  }
}

TEST(Presets, RoundTripKeepsEveryValue) {
  Preset original = factoryPreset("acid_bass");
  original.patch[Param::Mod5Amount] = -0.25f;
  const Preset copy = parsePreset(presetToJson(original), "copy");
  EXPECT_EQ(copy.name, original.name);
  for (int i = 0; i < kNumParams; ++i) EXPECT_FLOAT_EQ(copy.patch.values[size_t(i)], original.patch.values[size_t(i)]) << paramInfo(i).id;
}

TEST(Presets, FilesAndNamesLoad) {
  const auto dir = midistems::testing::scratchDir("presets");
  Preset p = factoryPreset("pluck");
  p.name = "My Pluck";
  savePreset(dir / "mine.json", p);
  EXPECT_EQ(loadPreset((dir / "mine.json").string()).name, "My Pluck");
  EXPECT_EQ(loadPreset("brass").name, "Synth Brass");
  try {
    loadPreset("no_such_preset");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("saw_bass"), std::string::npos);  // lists the names
  }
  EXPECT_THROW(loadPreset((dir / "missing.json").string()), Error);
}

TEST(Presets, BadFilesGiveOneLineErrorsNamingTheProblem) {
  EXPECT_NE(errorOf(R"({"format": 1, "params": {"filter_cutof": 100}})").find("bad.json: unknown parameter \"filter_cutof\""),
            std::string::npos);
  EXPECT_NE(errorOf(R"({"format": 1, "params": {"osc1_wave": "sawtooth"}})").find("unknown choice"), std::string::npos);
  EXPECT_NE(errorOf(R"({"format": 1, "params": {"filter_cutoff": 1e6}})").find("outside"), std::string::npos);
  EXPECT_NE(errorOf(R"({"format": 2, "params": {}})").find("newer"), std::string::npos);
  EXPECT_NE(errorOf(R"({"params": {}})").find("format"), std::string::npos);
  EXPECT_NE(errorOf("{ not json").find("not valid JSON"), std::string::npos);
  for (const char* text : {R"({"format": 1, "params": {"filter_cutoff": 1e6}})", "{ not json"})
    EXPECT_EQ(errorOf(text).find('\n'), std::string::npos);
}

// Every wrong type or range is an Error naming the key (the CLI turns it into exit status 2), never
// a library exception or a silent truncation.
TEST(Presets, WrongTypesAndRangesAreErrorsNamingTheKey) {
  EXPECT_EQ(errorOf(R"({"format": 1, "name": 5})"), "bad.json: \"name\" must be a string, not 5");
  EXPECT_EQ(errorOf(R"({"format": 1, "category": ["pad"]})"), "bad.json: \"category\" must be a string, not [\"pad\"]");
  // 2^32 + 1 and -(2^32) + 1 read through a 32-bit int would both be format 1.
  EXPECT_EQ(errorOf(R"({"format": 4294967297})"), "bad.json: preset format 4294967297 is newer than this version reads (1)");
  EXPECT_EQ(errorOf(R"({"format": -4294967295})"), "bad.json: invalid preset format -4294967295");
  EXPECT_EQ(errorOf(R"({"format": 18446744073709551615})"),
            "bad.json: preset format 18446744073709551615 is newer than this version reads (1)");
  EXPECT_EQ(errorOf(R"({"format": 1.0})"), "bad.json: missing integer \"format\" (this version writes format 1)");
  EXPECT_EQ(errorOf(R"({"format": 1, "params": {"filter_type": 2.5}})"),
            "bad.json: parameter \"filter_type\": expects a whole number, not 2.5");
  EXPECT_EQ(errorOf(R"({"format": 1, "params": {"filter_cutoff": 1e300}})"),
            "bad.json: parameter \"filter_cutoff\": value 1e+300 is outside 20.000000 .. 20000.000000");
  EXPECT_EQ(errorOf(R"({"format": 1, "params": {"filter_cutoff": null}})"),
            "bad.json: parameter \"filter_cutoff\": expects a number");
  EXPECT_EQ(errorOf(R"({"format": 1, "params": {"filter_cutoff": 1000}, "name": "ok"})"), "");
}

TEST(Presets, UnnamedParametersKeepTheirDefaults) {
  const Preset p = parsePreset(R"({"format": 1, "params": {"osc2_sync": true, "filter_type": 3}})", "x");
  EXPECT_EQ(p.patch.choice(Param::Osc2Sync), 1);
  EXPECT_EQ(p.patch.choice(Param::FilterTypeParam), 3);
  EXPECT_EQ(p.patch[Param::AmpEnvSustain], paramInfo(Param::AmpEnvSustain).defaultValue);
}

// Found by fuzz/preset_fuzz: the JSON parser reports a number beyond double range as out_of_range,
// not as a parse error; it must still be a bad-input error, not an escaping exception.
TEST(Presets, NumberBeyondDoubleRangeIsInvalidJson) {
  for (const char* text : {R"({"format": 1, "params": {"filter_cutoff": 0.5e2055}})", R"({"format": 1e999})"}) {
    const std::string error = errorOf(text);
    EXPECT_NE(error.find("bad.json: not valid JSON"), std::string::npos) << text;
    EXPECT_EQ(error.find('\n'), std::string::npos);
  }
}

TEST(Parameters, TableIsConsistent) {
  std::set<std::string> ids;
  for (int i = 0; i < kNumParams; ++i) {
    const ParamInfo& info = paramInfo(i);
    EXPECT_TRUE(ids.insert(info.id).second) << "duplicate id " << info.id;
    EXPECT_LE(info.min, info.defaultValue) << info.id;
    EXPECT_GE(info.max, info.defaultValue) << info.id;
    EXPECT_GE(info.versionAdded, 1);
    EXPECT_EQ(findParam(info.id), static_cast<Param>(i));
    // fromNormalized clamps into [min, max], so the law is checked by its ends and its order.
    const float tolerance = 1e-5f * std::max(std::fabs(info.min), std::fabs(info.max));
    EXPECT_NEAR(info.fromNormalized(0.0f), info.min, tolerance) << info.id;
    EXPECT_NEAR(info.fromNormalized(1.0f), info.max, tolerance) << info.id;
    float previous = info.min;
    for (float n : {0.0f, 0.25f, 0.5f, 1.0f}) {
      const float v = info.fromNormalized(n);
      EXPECT_GE(v, previous) << info.id << " at " << n;
      previous = v;
      if (!info.stepped()) {
        EXPECT_NEAR(info.toNormalized(v), n, 1e-4f) << info.id;
      }
    }
  }
  EXPECT_EQ(paramInfo(Param::FilterCutoff).fromNormalized(0.5f), std::sqrt(20.0f * 20000.0f));
}

}  // namespace
}  // namespace midistems::synth
