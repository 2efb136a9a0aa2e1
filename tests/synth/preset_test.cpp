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

TEST(Presets, FactoryBankCoversTheInstrumentFamiliesAndEveryGeneralMidiProgram) {
  const auto names = factoryPresetNames();
  EXPECT_GE(names.size(), 40u);
  std::set<std::string> categories;
  for (const auto& name : names) {
    const Preset preset = factoryPreset(name);
    categories.insert(preset.category);
    EXPECT_FALSE(preset.tags.empty()) << name;
    EXPECT_FALSE(preset.author.empty()) << name;
    EXPECT_TRUE(preset.warnings.empty()) << name;
  }
  for (const char* wanted : {"bass", "lead", "pad", "keys", "pluck", "strings", "brass", "bell", "fx", "drums"})
    EXPECT_TRUE(categories.count(wanted)) << wanted;
  EXPECT_TRUE(factoryPreset(kDrumKitPreset).drumKit);
  std::set<std::string> used;
  for (int program = 0; program < 128; ++program) {
    const std::string name = factoryPresetForProgram(program);
    used.insert(name);
    const Preset preset = factoryPreset(name);
    EXPECT_FALSE(preset.drumKit) << program;
    // A few families must land on their own kind of sound.
    if (program >= 32 && program < 40) {
      EXPECT_EQ(preset.category, "bass") << program;
    }
    if (program >= 56 && program < 64) {
      EXPECT_EQ(preset.category, "brass") << program;
    }
    if (program >= 88 && program < 96) {
      EXPECT_TRUE(preset.category == "pad" || preset.category == "lead" || preset.category == "strings") << program;
    }
  }
  EXPECT_GE(used.size(), 35u);  // the mapping uses most of the bank, not a handful
}

TEST(Presets, JsonRoundTripIsExact) {
  std::vector<Preset> presets;
  for (const auto& name : factoryPresetNames()) presets.push_back(factoryPreset(name));
  Preset edited = factoryPreset("acid_bass");
  edited.patch[Param::Mod5Amount] = -0.25f;
  edited.patch[Param::ReverbDecay] = 0.1234567f;
  edited.patch[Param::FxSlot1] = float(EffectKind::Reverb);
  edited.patch[Param::FxSlot2] = float(EffectKind::None);  // a gap, a duplicate, then empty slots
  edited.patch[Param::FxSlot3] = float(EffectKind::Reverb);
  for (int s = 3; s < kNumEffectSlots; ++s) edited.patch[effectSlotParam(s)] = float(EffectKind::None);
  edited.tags = {"a \"quoted\" tag", "\u00e9"};
  edited.author = "Someone";
  presets.push_back(edited);
  for (const Preset& original : presets) {
    const std::string text = presetToJson(original);
    const Preset copy = parsePreset(text, "copy");
    EXPECT_EQ(presetToJson(copy), text) << original.name;
    EXPECT_EQ(copy.name, original.name);
    EXPECT_EQ(copy.tags, original.tags);
    EXPECT_EQ(copy.author, original.author);
    EXPECT_EQ(copy.drumKit, original.drumKit);
    for (int i = 0; i < kNumParams; ++i)
      EXPECT_EQ(copy.patch.values[size_t(i)], original.patch.values[size_t(i)]) << original.name << " " << paramInfo(i).id;
  }
  EXPECT_NE(presetToJson(edited).find(R"("chain": [
    "reverb",
    "none",
    "reverb"
  ])"), std::string::npos);
}

// A file written by the previous version (format 1: reverb_size set the decay in a fixed room, no
// chain) reads as the same sound in format 2.
TEST(Presets, FormatOneFileMigrates) {
  const Preset old = loadPresetFile(std::string(MIDISTEMS_SOURCE_DIR) + "/tests/synth/data/format1_bell.json");
  EXPECT_EQ(old.name, "FM Bell");
  EXPECT_TRUE(old.warnings.empty());
  // The file says reverb_size 0.6: RT60 0.3 + 7.7 * 0.36 s, in format 1's room (size 0.5).
  EXPECT_FLOAT_EQ(old.patch[Param::ReverbDecay], 0.3f + 7.7f * 0.6f * 0.6f);
  EXPECT_FLOAT_EQ(old.patch[Param::ReverbSize], 0.5f);
  EXPECT_FLOAT_EQ(old.patch[Param::ReverbMix], 0.25f);
  EXPECT_EQ(old.patch.choice(Param::ReverbOn), 1);
  EXPECT_FLOAT_EQ(old.patch[Param::FmAmount], 0.25f);
  // Format 1's fixed order is the default chain; the effects it lacked are off.
  const Patch defaults;
  for (int s = 0; s < kNumEffectSlots; ++s) EXPECT_EQ(old.patch[effectSlotParam(s)], defaults[effectSlotParam(s)]);
  EXPECT_EQ(old.patch.choice(Param::DistortionOn), 0);
  // Without reverb_size, format 1's default size 0.5 (2.225 s).
  const Preset bare = parsePreset(R"({"format": 1, "params": {"reverb_on": true}})", "x");
  EXPECT_FLOAT_EQ(bare.patch[Param::ReverbDecay], 0.3f + 7.7f * 0.25f);
  // The factory bell (format 2) is the same patch.
  const Preset now = factoryPreset("bell");
  for (int i = 0; i < kNumParams; ++i)
    EXPECT_NEAR(now.patch.values[size_t(i)], old.patch.values[size_t(i)], 1e-3f * std::max(1.0f, std::fabs(old.patch.values[size_t(i)])))
        << paramInfo(i).id;
  // Bad values in format 1 are still reported, not migrated away.
  EXPECT_NE(errorOf(R"({"format": 1, "params": {"reverb_size": 2}})").find("reverb_size"), std::string::npos);
}

TEST(Presets, UnknownIdsAndEffectsAreReportedAndIgnored) {
  const Preset p = parsePreset(
      R"({"format": 2, "chain": ["delay", "granulator", "reverb"], "future_field": 1,
          "params": {"filter_cutof": 100, "filter_cutoff": 300, "lfo9_rate": 2}})", "new.json");
  ASSERT_EQ(p.warnings.size(), 3u);
  EXPECT_EQ(p.warnings[0], "new.json: unknown parameter \"filter_cutof\" ignored");
  EXPECT_EQ(p.warnings[1], "new.json: unknown parameter \"lfo9_rate\" ignored");
  EXPECT_EQ(p.warnings[2], "new.json: unknown effect \"granulator\" in \"chain\" ignored");
  EXPECT_FLOAT_EQ(p.patch[Param::FilterCutoff], 300);
  EXPECT_EQ(p.patch.choice(Param::FxSlot1), int(EffectKind::Delay));
  EXPECT_EQ(p.patch.choice(Param::FxSlot2), int(EffectKind::Reverb));
  EXPECT_EQ(p.patch.choice(Param::FxSlot3), int(EffectKind::None));
}

TEST(Presets, NewFieldsAreCheckedForType) {
  EXPECT_EQ(errorOf(R"({"format": 2, "tags": "pad"})"), "bad.json: \"tags\" must be a list of strings, not \"pad\"");
  EXPECT_EQ(errorOf(R"({"format": 2, "tags": ["pad", 3]})"), "bad.json: \"tags\" must be a list of strings, not [\"pad\",3]");
  EXPECT_EQ(errorOf(R"({"format": 2, "author": false})"), "bad.json: \"author\" must be a string, not false");
  EXPECT_EQ(errorOf(R"({"format": 2, "instrument": "theremin"})"),
            "bad.json: \"instrument\" must be \"synth\" or \"drum_kit\", not \"theremin\"");
  EXPECT_EQ(errorOf(R"({"format": 2, "chain": "delay"})"), "bad.json: \"chain\" must be a list of effect names, not \"delay\"");
  EXPECT_EQ(errorOf(R"({"format": 2, "chain": [1]})"), "bad.json: \"chain\" must be a list of effect names, not [1]");
  EXPECT_EQ(errorOf(R"({"format": 2, "chain": ["eq","eq","eq","eq","eq","eq","eq","eq","eq"]})"),
            "bad.json: \"chain\" has 9 effects, at most 8 fit");
  EXPECT_EQ(errorOf(R"({"format": 2, "params": {"delay_sync": "1/7"}})"),
            "bad.json: parameter \"delay_sync\": unknown choice \"1/7\"");
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
  EXPECT_NE(errorOf(R"({"format": 1, "params": {"osc1_wave": "sawtooth"}})").find("unknown choice"), std::string::npos);
  EXPECT_NE(errorOf(R"({"format": 1, "params": {"filter_cutoff": 1e6}})").find("outside"), std::string::npos);
  EXPECT_NE(errorOf(R"({"format": 3, "params": {}})").find("newer"), std::string::npos);
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
  EXPECT_EQ(errorOf(R"({"format": 4294967297})"), "bad.json: preset format 4294967297 is newer than this version reads (2)");
  EXPECT_EQ(errorOf(R"({"format": -4294967295})"), "bad.json: invalid preset format -4294967295");
  EXPECT_EQ(errorOf(R"({"format": 18446744073709551615})"),
            "bad.json: preset format 18446744073709551615 is newer than this version reads (2)");
  EXPECT_EQ(errorOf(R"({"format": 1.0})"), "bad.json: missing integer \"format\" (this version writes format 2)");
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
