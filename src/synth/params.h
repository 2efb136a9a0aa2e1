#pragma once
// The one declarative parameter table of the synthesizer (the idea of Vital's
// synth_parameters.cpp): every parameter is one row with a stable string id, display name, range,
// default, unit, scale law and the format version that added it. Presets, the command line and a
// the plugin (src/plugin) all read this table; nothing else lists parameters. New parameters are
// appended at the end with a higher version so that host parameter order stays stable.
#include <array>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>

namespace midistems::synth {

enum class ParamScale : uint8_t {
  Linear,       // value = min + (max - min) * n
  Exponential,  // value = min * (max / min)^n (frequencies, rates)
  Power,        // value = min + (max - min) * n^skew (times: fine resolution near zero)
  Integer,      // linear, rounded
  Choice,       // index into `choices`
  Toggle,       // 0 or 1
};

struct ParamInfo {
  const char* id;
  const char* name;
  float min;
  float max;
  float defaultValue;
  const char* unit;
  ParamScale scale;
  float skew;                  // exponent for ParamScale::Power
  const char* const* choices;  // names for ParamScale::Choice (count = max + 1)
  int versionAdded;

  bool stepped() const {
    return scale == ParamScale::Integer || scale == ParamScale::Choice || scale == ParamScale::Toggle;
  }
  float clamp(float value) const;
  float toNormalized(float value) const;
  float fromNormalized(float normalized) const;
};

inline constexpr const char* kWaveNames[] = {"sine", "saw", "pulse", "triangle", "wavetable", "noise"};
enum class Wave : int { Sine, Saw, Pulse, Triangle, Wavetable, Noise, Count };
// The built-in wavetables of synth/dsp (dsp::BuiltinWavetable, in that order).
inline constexpr const char* kWavetableNames[] = {
    "basic_shapes", "pwm_sweep", "vowels", "organ", "bell_fm", "harmonic_sweep", "odd_sweep",
    "sync_sweep", "formant_sweep", "digital"};
inline constexpr const char* kSubWaveNames[] = {"square", "sine"};
inline constexpr const char* kVoiceModeNames[] = {"poly", "mono", "legato"};
enum class VoiceMode : int { Poly, Mono, Legato, Count };
inline constexpr const char* kFilterTypeNames[] = {"lp12", "lp24",    "hp12",    "hp24",    "bp12",
                                                   "bp24", "notch12", "notch24", "ladder24"};
enum class FilterType : int { Lp12, Lp24, Hp12, Hp24, Bp12, Bp24, Notch12, Notch24, Ladder24, Count };
inline constexpr const char* kLfoWaveNames[] = {"sine",        "triangle", "saw",          "square",
                                                "sample_hold", "saw_down", "smooth_random"};
enum class LfoWave : int { Sine, Triangle, Saw, Square, SampleHold, SawDown, SmoothRandom, Count };
// Tempo-synced note values for LFO rates (one cycle per note value) and delay times ("t" triplet,
// "d" dotted; a whole note is four beats); "off" uses the rate in Hz or the time in seconds.
// kTempoSyncBeats is the length in beats (quarter notes) of each.
inline constexpr const char* kTempoSyncNames[] = {"off",  "1/32", "1/16t", "1/16", "1/16d", "1/8t",
                                                "1/8",  "1/8d", "1/4t",  "1/4",  "1/4d",  "1/2t",
                                                "1/2",  "1/2d", "1/1t",  "1/1",  "1/1d",  "2/1",
                                                "4/1"};
inline constexpr float kTempoSyncBeats[] = {0,        0.125f, 1.0f / 6, 0.25f, 0.375f,   1.0f / 3, 0.5f,
                                          0.75f,    2.0f / 3, 1,      1.5f,  4.0f / 3, 2,        3,
                                          8.0f / 3, 4,        6,      8,     16};
inline constexpr const char* kModCurveNames[] = {"linear", "exponential", "logarithmic", "s_curve"};
enum class ModCurve : int { Linear, Exponential, Logarithmic, SCurve, Count };
// Sources of format 1 first (their indices are stable), then those of format 2.
inline constexpr const char* kModSourceNames[] = {
    "none", "amp_env", "filter_env", "mod_env", "lfo1", "lfo2",
    "velocity", "mod_wheel", "aftertouch", "key", "pitch_bend",
    "lfo3", "lfo4", "global_lfo1", "global_lfo2", "release_velocity", "poly_aftertouch", "random",
    "macro1", "macro2", "macro3", "macro4", "macro5", "macro6", "macro7", "macro8"};
enum class ModSource : int {
  None, AmpEnv, FilterEnv, ModEnv, Lfo1, Lfo2, Velocity, ModWheel, Aftertouch, Key, PitchBend,
  Lfo3, Lfo4, GlobalLfo1, GlobalLfo2, ReleaseVelocity, PolyAftertouch, Random,
  Macro1, Macro2, Macro3, Macro4, Macro5, Macro6, Macro7, Macro8, Count
};
// The destinations of format 1, with their own laws (pitch in semitones, cutoff in octaves, ...);
// after them, every other continuous parameter of the table (kModDestChoices below).
inline constexpr const char* kModDestNames[] = {
    "none", "pitch", "osc1_pitch", "osc2_pitch", "cutoff", "resonance", "osc1_level",
    "osc2_level", "sub_level", "noise_level", "pulse_width", "wavetable_pos", "fm_amount", "pan",
    "amp"};
enum class ModDest : int {
  None, Pitch, Osc1Pitch, Osc2Pitch, Cutoff, Resonance, Osc1Level, Osc2Level, SubLevel,
  NoiseLevel, PulseWidth, WavetablePos, FmAmount, Pan, Amp, Count
};
// The effects after the voices, in the names the chain slots and presets use. "none" leaves a
// chain slot empty.
inline constexpr const char* kEffectNames[] = {"none",   "distortion", "chorus", "flanger", "phaser",
                                               "delay",  "reverb",     "eq",     "compressor"};
enum class EffectKind : int { None, Distortion, Chorus, Flanger, Phaser, Delay, Reverb, Eq, Compressor, Count };
static_assert(std::size(kEffectNames) == size_t(EffectKind::Count));
inline constexpr int kNumEffectSlots = int(EffectKind::Count) - 1;
inline constexpr const char* kDistortionCurveNames[] = {"soft", "hard", "tube", "fold"};
enum class DistortionCurve : int { Soft, Hard, Tube, Fold, Count };
static_assert(std::size(kDistortionCurveNames) == size_t(DistortionCurve::Count));

// Choice counts come from the name tables; each enum that indexes a table must match it.
template <size_t N>
constexpr int countOf(const char* const (&)[N]) { return int(N); }
inline constexpr int kNumWaves = countOf(kWaveNames);
inline constexpr int kNumWavetables = countOf(kWavetableNames);
inline constexpr int kNumSubWaves = countOf(kSubWaveNames);
inline constexpr int kNumVoiceModes = countOf(kVoiceModeNames);
inline constexpr int kNumFilterTypes = countOf(kFilterTypeNames);
inline constexpr int kNumLfoWaves = countOf(kLfoWaveNames);
inline constexpr int kNumModSources = countOf(kModSourceNames);
inline constexpr int kNumTempoSyncs = countOf(kTempoSyncNames);
inline constexpr int kNumModCurves = countOf(kModCurveNames);
inline constexpr int kNumLegacyModDests = countOf(kModDestNames);
static_assert(kNumWaves == int(Wave::Count));
static_assert(kNumVoiceModes == int(VoiceMode::Count));
static_assert(kNumFilterTypes == int(FilterType::Count));
static_assert(kNumLfoWaves == int(LfoWave::Count));
static_assert(kNumModSources == int(ModSource::Count));
static_assert(kNumLegacyModDests == int(ModDest::Count));
static_assert(kNumModCurves == int(ModCurve::Count));
static_assert(sizeof(kTempoSyncBeats) / sizeof(kTempoSyncBeats[0]) == size_t(kNumTempoSyncs));

// X(enum name, id, display name, min, max, default, unit, scale, skew, choices, version)
#define MIDISTEMS_ENVELOPE_PARAMS(X, E, id, name, a, d, s, r)                                  \
  X(E##Attack, id "_attack", name " attack", 0, 20, a, "s", Power, 3, nullptr, 1)               \
  X(E##Decay, id "_decay", name " decay", 0, 20, d, "s", Power, 3, nullptr, 1)                  \
  X(E##Sustain, id "_sustain", name " sustain", 0, 1, s, "", Linear, 1, nullptr, 1)             \
  X(E##Release, id "_release", name " release", 0, 20, r, "s", Power, 3, nullptr, 1)            \
  X(E##Curve, id "_curve", name " curve", 0, 1, 0.5f, "", Linear, 1, nullptr, 1)
#define MIDISTEMS_OSC_PARAMS(X, O, id, name, wave, level)                                          \
  X(O##Wave, id "_wave", name " waveform", 0, kNumWaves - 1, wave, "", Choice, 1, kWaveNames, 1)             \
  X(O##Octave, id "_octave", name " octave", -3, 3, 0, "oct", Integer, 1, nullptr, 1)             \
  X(O##Semitone, id "_semitone", name " semitone", -12, 12, 0, "st", Integer, 1, nullptr, 1)      \
  X(O##Fine, id "_fine", name " fine tune", -100, 100, 0, "ct", Linear, 1, nullptr, 1)            \
  X(O##Level, id "_level", name " level", 0, 1, level, "", Linear, 1, nullptr, 1)                 \
  X(O##PulseWidth, id "_pulse_width", name " pulse width", 0.02f, 0.98f, 0.5f, "", Linear, 1,     \
    nullptr, 1)                                                                                    \
  X(O##WavePos, id "_wavetable_pos", name " wavetable position", 0, 1, 0, "", Linear, 1, nullptr, 1)
#define MIDISTEMS_LFO_PARAMS(X, L, id, name, v, keySync)                                          \
  X(L##Wave, id "_wave", name " waveform", 0, kNumLfoWaves - 1, 0, "", Choice, 1, kLfoWaveNames, v) \
  X(L##Rate, id "_rate", name " rate", 0.01f, 50, 5, "Hz", Exponential, 1, nullptr, v)            \
  X(L##KeySync, id "_key_sync", name " restarts on each note", 0, 1, keySync, "", Toggle, 1, nullptr, v)
// Format 2: tempo sync (overrides the rate), start phase, fade-in after the note starts, unipolar.
#define MIDISTEMS_LFO_V2_PARAMS(X, L, id, name)                                                      \
  X(L##Sync, id "_sync", name " tempo sync", 0, kNumTempoSyncs - 1, 0, "", Choice, 1, kTempoSyncNames, 2) \
  X(L##Phase, id "_phase", name " start phase", 0, 1, 0, "", Linear, 1, nullptr, 2)                 \
  X(L##Fade, id "_fade", name " fade-in", 0, 10, 0, "s", Power, 3, nullptr, 2)                      \
  X(L##Unipolar, id "_unipolar", name " unipolar", 0, 1, 0, "", Toggle, 1, nullptr, 2)
#define MIDISTEMS_MOD_SLOT_PARAMS(X, M, id, name)                                                   \
  X(M##Source, id "_source", name " source", 0, kNumModSources - 1, 0, "", Choice, 1, kModSourceNames, 1)        \
  X(M##Dest, id "_dest", name " destination", 0, kNumModDests - 1, 0, "", Choice, 1, kModDestChoices.data(), 1) \
  X(M##Amount, id "_amount", name " amount", -1, 1, 0, "", Linear, 1, nullptr, 1)
#define MIDISTEMS_MOD_CURVE_PARAM(X, M, id, name)                                                    \
  X(M##Curve, id "_curve", name " curve", 0, kNumModCurves - 1, 0, "", Choice, 1, kModCurveNames, 2)
#define MIDISTEMS_MOD_SLOT_V2_PARAMS(X, M, id, name)                                                 \
  X(M##Source, id "_source", name " source", 0, kNumModSources - 1, 0, "", Choice, 1, kModSourceNames, 2) \
  X(M##Dest, id "_dest", name " destination", 0, kNumModDests - 1, 0, "", Choice, 1, kModDestChoices.data(), 2) \
  X(M##Amount, id "_amount", name " amount", -1, 1, 0, "", Linear, 1, nullptr, 2)                 \
  MIDISTEMS_MOD_CURVE_PARAM(X, M, id, name)

#define MIDISTEMS_SYNTH_PARAMS(X)                                                                 \
  X(MasterGain, "master_gain", "Master gain", -60, 12, -6, "dB", Linear, 1, nullptr, 1)           \
  X(Polyphony, "polyphony", "Polyphony", 1, 128, 16, "voices", Integer, 1, nullptr, 1)            \
  X(VoiceModeParam, "voice_mode", "Voice mode", 0, kNumVoiceModes - 1, 0, "", Choice, 1, kVoiceModeNames, 1)       \
  X(GlideTime, "glide_time", "Portamento time", 0, 5, 0, "s", Power, 3, nullptr, 1)               \
  X(BendRange, "bend_range", "Pitch bend range", 0, 24, 2, "st", Integer, 1, nullptr, 1)          \
  X(VelocityToAmp, "velocity_to_amp", "Velocity to level", 0, 1, 0.7f, "", Linear, 1, nullptr, 1) \
  X(Pan, "pan", "Pan", -1, 1, 0, "", Linear, 1, nullptr, 1)                                        \
  MIDISTEMS_OSC_PARAMS(X, Osc1, "osc1", "Osc 1", 1, 0.8f)                                          \
  MIDISTEMS_OSC_PARAMS(X, Osc2, "osc2", "Osc 2", 1, 0)                                             \
  X(Osc2Sync, "osc2_sync", "Osc 2 hard sync to osc 1", 0, 1, 0, "", Toggle, 1, nullptr, 1)        \
  X(FmAmount, "fm_amount", "FM osc 1 to osc 2", 0, 1, 0, "", Linear, 1, nullptr, 1)               \
  X(RingLevel, "ring_level", "Ring modulation level", 0, 1, 0, "", Linear, 1, nullptr, 1)          \
  X(SubWave, "sub_wave", "Sub waveform", 0, kNumSubWaves - 1, 0, "", Choice, 1, kSubWaveNames, 1)                \
  X(SubLevel, "sub_level", "Sub level", 0, 1, 0, "", Linear, 1, nullptr, 1)                        \
  X(NoiseLevel, "noise_level", "Noise level", 0, 1, 0, "", Linear, 1, nullptr, 1)                  \
  X(UnisonVoices, "unison_voices", "Unison voices", 1, 16, 1, "", Integer, 1, nullptr, 1)         \
  X(UnisonDetune, "unison_detune", "Unison detune", 0, 100, 15, "ct", Linear, 1, nullptr, 1)      \
  X(UnisonSpread, "unison_spread", "Unison stereo spread", 0, 1, 0.5f, "", Linear, 1, nullptr, 1) \
  X(FilterTypeParam, "filter_type", "Filter type", 0, kNumFilterTypes - 1, 1, "", Choice, 1, kFilterTypeNames, 1)   \
  X(FilterCutoff, "filter_cutoff", "Filter cutoff", 20, 20000, 8000, "Hz", Exponential, 1,        \
    nullptr, 1)                                                                                    \
  X(FilterResonance, "filter_resonance", "Filter resonance", 0, 1, 0.1f, "", Linear, 1, nullptr, 1) \
  X(FilterDrive, "filter_drive", "Filter drive", 0, 24, 0, "dB", Linear, 1, nullptr, 1)           \
  X(FilterKeyTrack, "filter_key_track", "Filter key tracking", 0, 1, 0, "", Linear, 1, nullptr, 1) \
  X(FilterEnvAmount, "filter_env_amount", "Filter envelope amount", -96, 96, 0, "st", Linear, 1,  \
    nullptr, 1)                                                                                    \
  MIDISTEMS_ENVELOPE_PARAMS(X, AmpEnv, "amp_env", "Amp envelope", 0.005f, 0.3f, 0.8f, 0.2f)        \
  MIDISTEMS_ENVELOPE_PARAMS(X, FilterEnv, "filter_env", "Filter envelope", 0.005f, 0.5f, 0.3f,     \
                            0.3f)                                                                  \
  MIDISTEMS_ENVELOPE_PARAMS(X, ModEnv, "mod_env", "Mod envelope", 0.01f, 0.5f, 0, 0.3f)            \
  MIDISTEMS_LFO_PARAMS(X, Lfo1, "lfo1", "LFO 1", 1, 1)                                                 \
  MIDISTEMS_LFO_PARAMS(X, Lfo2, "lfo2", "LFO 2", 1, 1)                                                 \
  MIDISTEMS_MOD_SLOT_PARAMS(X, Mod1, "mod1", "Mod slot 1")                                          \
  MIDISTEMS_MOD_SLOT_PARAMS(X, Mod2, "mod2", "Mod slot 2")                                          \
  MIDISTEMS_MOD_SLOT_PARAMS(X, Mod3, "mod3", "Mod slot 3")                                          \
  MIDISTEMS_MOD_SLOT_PARAMS(X, Mod4, "mod4", "Mod slot 4")                                          \
  MIDISTEMS_MOD_SLOT_PARAMS(X, Mod5, "mod5", "Mod slot 5")                                          \
  MIDISTEMS_MOD_SLOT_PARAMS(X, Mod6, "mod6", "Mod slot 6")                                          \
  MIDISTEMS_MOD_SLOT_PARAMS(X, Mod7, "mod7", "Mod slot 7")                                          \
  MIDISTEMS_MOD_SLOT_PARAMS(X, Mod8, "mod8", "Mod slot 8")                                          \
  X(ChorusOn, "chorus_on", "Chorus on", 0, 1, 0, "", Toggle, 1, nullptr, 1)                        \
  X(ChorusRate, "chorus_rate", "Chorus rate", 0.05f, 10, 0.6f, "Hz", Exponential, 1, nullptr, 1)   \
  X(ChorusDepth, "chorus_depth", "Chorus depth", 0, 1, 0.5f, "", Linear, 1, nullptr, 1)           \
  X(ChorusMix, "chorus_mix", "Chorus mix", 0, 1, 0.35f, "", Linear, 1, nullptr, 1)                \
  X(DelayOn, "delay_on", "Delay on", 0, 1, 0, "", Toggle, 1, nullptr, 1)                           \
  X(DelayTime, "delay_time", "Delay time", 0.01f, 2, 0.375f, "s", Exponential, 1, nullptr, 1)     \
  X(DelayFeedback, "delay_feedback", "Delay feedback", 0, 0.95f, 0.35f, "", Linear, 1, nullptr, 1) \
  X(DelayDamping, "delay_damping", "Delay damping", 0, 1, 0.3f, "", Linear, 1, nullptr, 1)        \
  X(DelayMix, "delay_mix", "Delay mix", 0, 1, 0.25f, "", Linear, 1, nullptr, 1)                   \
  X(ReverbOn, "reverb_on", "Reverb on", 0, 1, 0, "", Toggle, 1, nullptr, 1)                        \
  X(ReverbSize, "reverb_size", "Reverb size", 0, 1, 0.5f, "", Linear, 1, nullptr, 1)              \
  X(ReverbDamping, "reverb_damping", "Reverb damping", 0, 1, 0.4f, "", Linear, 1, nullptr, 1)     \
  X(ReverbMix, "reverb_mix", "Reverb mix", 0, 1, 0.2f, "", Linear, 1, nullptr, 1)                \
  X(Osc1Table, "osc1_wavetable", "Osc 1 wavetable", 0, kNumWavetables - 1, 0, "", Choice, 1, kWavetableNames, 1)    \
  X(Osc2Table, "osc2_wavetable", "Osc 2 wavetable", 0, kNumWavetables - 1, 0, "", Choice, 1, kWavetableNames, 1) \
  MIDISTEMS_MODULATION_V2_PARAMS(X)                                                            \
  MIDISTEMS_EFFECT_PARAMS(X)

// Format 2, modulation: LFO 3-4 and two global LFOs (free-running by default; "key sync" restarts
// a global LFO at every note), tempo sync / phase / fade / polarity for every LFO, 8 macros, a
// curve per slot and slots 9-32.
#define MIDISTEMS_MODULATION_V2_PARAMS(X)                                                         \
  MIDISTEMS_LFO_V2_PARAMS(X, Lfo1, "lfo1", "LFO 1")                                               \
  MIDISTEMS_LFO_V2_PARAMS(X, Lfo2, "lfo2", "LFO 2")                                               \
  MIDISTEMS_LFO_PARAMS(X, Lfo3, "lfo3", "LFO 3", 2, 1)                                               \
  MIDISTEMS_LFO_V2_PARAMS(X, Lfo3, "lfo3", "LFO 3")                                               \
  MIDISTEMS_LFO_PARAMS(X, Lfo4, "lfo4", "LFO 4", 2, 1)                                               \
  MIDISTEMS_LFO_V2_PARAMS(X, Lfo4, "lfo4", "LFO 4")                                               \
  MIDISTEMS_LFO_PARAMS(X, GlobalLfo1, "global_lfo1", "Global LFO 1", 2, 0)                           \
  MIDISTEMS_LFO_V2_PARAMS(X, GlobalLfo1, "global_lfo1", "Global LFO 1")                           \
  MIDISTEMS_LFO_PARAMS(X, GlobalLfo2, "global_lfo2", "Global LFO 2", 2, 0)                           \
  MIDISTEMS_LFO_V2_PARAMS(X, GlobalLfo2, "global_lfo2", "Global LFO 2")                           \
  X(Macro1, "macro1", "Macro 1", 0, 1, 0, "", Linear, 1, nullptr, 2)                              \
  X(Macro2, "macro2", "Macro 2", 0, 1, 0, "", Linear, 1, nullptr, 2)                              \
  X(Macro3, "macro3", "Macro 3", 0, 1, 0, "", Linear, 1, nullptr, 2)                              \
  X(Macro4, "macro4", "Macro 4", 0, 1, 0, "", Linear, 1, nullptr, 2)                              \
  X(Macro5, "macro5", "Macro 5", 0, 1, 0, "", Linear, 1, nullptr, 2)                              \
  X(Macro6, "macro6", "Macro 6", 0, 1, 0, "", Linear, 1, nullptr, 2)                              \
  X(Macro7, "macro7", "Macro 7", 0, 1, 0, "", Linear, 1, nullptr, 2)                              \
  X(Macro8, "macro8", "Macro 8", 0, 1, 0, "", Linear, 1, nullptr, 2)                              \
  MIDISTEMS_MOD_CURVE_PARAM(X, Mod1, "mod1", "Mod slot 1")                                  \
  MIDISTEMS_MOD_CURVE_PARAM(X, Mod2, "mod2", "Mod slot 2")                                  \
  MIDISTEMS_MOD_CURVE_PARAM(X, Mod3, "mod3", "Mod slot 3")                                  \
  MIDISTEMS_MOD_CURVE_PARAM(X, Mod4, "mod4", "Mod slot 4")                                  \
  MIDISTEMS_MOD_CURVE_PARAM(X, Mod5, "mod5", "Mod slot 5")                                  \
  MIDISTEMS_MOD_CURVE_PARAM(X, Mod6, "mod6", "Mod slot 6")                                  \
  MIDISTEMS_MOD_CURVE_PARAM(X, Mod7, "mod7", "Mod slot 7")                                  \
  MIDISTEMS_MOD_CURVE_PARAM(X, Mod8, "mod8", "Mod slot 8")                                  \
  MIDISTEMS_MOD_SLOT_V2_PARAMS(X, Mod9, "mod9", "Mod slot 9")                              \
  MIDISTEMS_MOD_SLOT_V2_PARAMS(X, Mod10, "mod10", "Mod slot 10")                              \
  MIDISTEMS_MOD_SLOT_V2_PARAMS(X, Mod11, "mod11", "Mod slot 11")                              \
  MIDISTEMS_MOD_SLOT_V2_PARAMS(X, Mod12, "mod12", "Mod slot 12")                              \
  MIDISTEMS_MOD_SLOT_V2_PARAMS(X, Mod13, "mod13", "Mod slot 13")                              \
  MIDISTEMS_MOD_SLOT_V2_PARAMS(X, Mod14, "mod14", "Mod slot 14")                              \
  MIDISTEMS_MOD_SLOT_V2_PARAMS(X, Mod15, "mod15", "Mod slot 15")                              \
  MIDISTEMS_MOD_SLOT_V2_PARAMS(X, Mod16, "mod16", "Mod slot 16")                              \
  MIDISTEMS_MOD_SLOT_V2_PARAMS(X, Mod17, "mod17", "Mod slot 17")                              \
  MIDISTEMS_MOD_SLOT_V2_PARAMS(X, Mod18, "mod18", "Mod slot 18")                              \
  MIDISTEMS_MOD_SLOT_V2_PARAMS(X, Mod19, "mod19", "Mod slot 19")                              \
  MIDISTEMS_MOD_SLOT_V2_PARAMS(X, Mod20, "mod20", "Mod slot 20")                              \
  MIDISTEMS_MOD_SLOT_V2_PARAMS(X, Mod21, "mod21", "Mod slot 21")                              \
  MIDISTEMS_MOD_SLOT_V2_PARAMS(X, Mod22, "mod22", "Mod slot 22")                              \
  MIDISTEMS_MOD_SLOT_V2_PARAMS(X, Mod23, "mod23", "Mod slot 23")                              \
  MIDISTEMS_MOD_SLOT_V2_PARAMS(X, Mod24, "mod24", "Mod slot 24")                              \
  MIDISTEMS_MOD_SLOT_V2_PARAMS(X, Mod25, "mod25", "Mod slot 25")                              \
  MIDISTEMS_MOD_SLOT_V2_PARAMS(X, Mod26, "mod26", "Mod slot 26")                              \
  MIDISTEMS_MOD_SLOT_V2_PARAMS(X, Mod27, "mod27", "Mod slot 27")                              \
  MIDISTEMS_MOD_SLOT_V2_PARAMS(X, Mod28, "mod28", "Mod slot 28")                              \
  MIDISTEMS_MOD_SLOT_V2_PARAMS(X, Mod29, "mod29", "Mod slot 29")                              \
  MIDISTEMS_MOD_SLOT_V2_PARAMS(X, Mod30, "mod30", "Mod slot 30")                              \
  MIDISTEMS_MOD_SLOT_V2_PARAMS(X, Mod31, "mod31", "Mod slot 31")                              \
  MIDISTEMS_MOD_SLOT_V2_PARAMS(X, Mod32, "mod32", "Mod slot 32")


// Format 2: the effect chain's order (slot 1 runs first; an effect named twice runs at its first
// slot, one named nowhere does not run) and the effects that format 1 lacked or kept fixed.
#define MIDISTEMS_EFFECT_CHAIN_SLOT(X, n, def)                                                    \
  X(FxSlot##n, "fx_slot" #n, "Effect slot " #n, 0, kNumEffectSlots, def, "", Choice, 1, kEffectNames, 2)
#define MIDISTEMS_EFFECT_PARAMS(X)                                                                \
  MIDISTEMS_EFFECT_CHAIN_SLOT(X, 1, 1)                                                            \
  MIDISTEMS_EFFECT_CHAIN_SLOT(X, 2, 7)                                                            \
  MIDISTEMS_EFFECT_CHAIN_SLOT(X, 3, 8)                                                            \
  MIDISTEMS_EFFECT_CHAIN_SLOT(X, 4, 2)                                                            \
  MIDISTEMS_EFFECT_CHAIN_SLOT(X, 5, 3)                                                            \
  MIDISTEMS_EFFECT_CHAIN_SLOT(X, 6, 4)                                                            \
  MIDISTEMS_EFFECT_CHAIN_SLOT(X, 7, 5)                                                            \
  MIDISTEMS_EFFECT_CHAIN_SLOT(X, 8, 6)                                                            \
  X(DistortionOn, "distortion_on", "Distortion on", 0, 1, 0, "", Toggle, 1, nullptr, 2)            \
  X(DistortionCurveParam, "distortion_curve", "Distortion curve", 0, int(DistortionCurve::Count) - 1, 0, "", Choice, 1,         \
    kDistortionCurveNames, 2)                                                                      \
  X(DistortionDrive, "distortion_drive", "Distortion drive", 0, 24, 6, "dB", Linear, 1, nullptr, 2) \
  X(DistortionTone, "distortion_tone", "Distortion tone", 0, 1, 1, "", Linear, 1, nullptr, 2)      \
  X(DistortionMix, "distortion_mix", "Distortion mix", 0, 1, 1, "", Linear, 1, nullptr, 2)         \
  X(DelaySync, "delay_sync", "Delay tempo sync", 0, kNumTempoSyncs - 1, 0, "", Choice, 1, kTempoSyncNames, 2)      \
  X(DelayPingPong, "delay_ping_pong", "Delay ping-pong", 0, 1, 0, "", Toggle, 1, nullptr, 2)      \
  X(DelayLowCut, "delay_low_cut", "Delay feedback low cut", 0, 2000, 0, "Hz", Power, 3, nullptr, 2) \
  X(ReverbDecay, "reverb_decay", "Reverb decay (RT60)", 0.1f, 20, 2.225f, "s", Exponential, 1,    \
    nullptr, 2)                                                                                    \
  X(ReverbPreDelay, "reverb_pre_delay", "Reverb pre-delay", 0, 250, 0, "ms", Power, 2, nullptr, 2) \
  X(ReverbWidth, "reverb_width", "Reverb stereo width", 0, 1, 1, "", Linear, 1, nullptr, 2)        \
  X(FlangerOn, "flanger_on", "Flanger on", 0, 1, 0, "", Toggle, 1, nullptr, 2)                     \
  X(FlangerRate, "flanger_rate", "Flanger rate", 0.02f, 10, 0.25f, "Hz", Exponential, 1, nullptr, 2) \
  X(FlangerDepth, "flanger_depth", "Flanger depth", 0, 1, 0.7f, "", Linear, 1, nullptr, 2)         \
  X(FlangerFeedback, "flanger_feedback", "Flanger feedback", -0.95f, 0.95f, 0.5f, "", Linear, 1,  \
    nullptr, 2)                                                                                    \
  X(FlangerMix, "flanger_mix", "Flanger mix", 0, 1, 0.5f, "", Linear, 1, nullptr, 2)              \
  X(PhaserOn, "phaser_on", "Phaser on", 0, 1, 0, "", Toggle, 1, nullptr, 2)                        \
  X(PhaserRate, "phaser_rate", "Phaser rate", 0.02f, 10, 0.4f, "Hz", Exponential, 1, nullptr, 2)   \
  X(PhaserDepth, "phaser_depth", "Phaser depth", 0, 1, 0.7f, "", Linear, 1, nullptr, 2)           \
  X(PhaserCenter, "phaser_center", "Phaser centre frequency", 100, 8000, 800, "Hz", Exponential, 1, \
    nullptr, 2)                                                                                    \
  X(PhaserFeedback, "phaser_feedback", "Phaser feedback", 0, 0.9f, 0.4f, "", Linear, 1, nullptr, 2) \
  X(PhaserMix, "phaser_mix", "Phaser mix", 0, 1, 0.5f, "", Linear, 1, nullptr, 2)                 \
  X(EqOn, "eq_on", "EQ on", 0, 1, 0, "", Toggle, 1, nullptr, 2)                                    \
  X(EqLowFreq, "eq_low_freq", "EQ low shelf frequency", 30, 1000, 120, "Hz", Exponential, 1,      \
    nullptr, 2)                                                                                    \
  X(EqLowGain, "eq_low_gain", "EQ low shelf gain", -18, 18, 0, "dB", Linear, 1, nullptr, 2)        \
  X(EqMidFreq, "eq_mid_freq", "EQ mid frequency", 100, 10000, 1000, "Hz", Exponential, 1, nullptr, 2) \
  X(EqMidGain, "eq_mid_gain", "EQ mid gain", -18, 18, 0, "dB", Linear, 1, nullptr, 2)              \
  X(EqMidQ, "eq_mid_q", "EQ mid Q", 0.3f, 8, 0.7f, "", Exponential, 1, nullptr, 2)                 \
  X(EqHighFreq, "eq_high_freq", "EQ high shelf frequency", 1000, 16000, 6000, "Hz", Exponential, 1, \
    nullptr, 2)                                                                                    \
  X(EqHighGain, "eq_high_gain", "EQ high shelf gain", -18, 18, 0, "dB", Linear, 1, nullptr, 2)     \
  X(EqMix, "eq_mix", "EQ mix", 0, 1, 1, "", Linear, 1, nullptr, 2)                                 \
  X(CompOn, "compressor_on", "Compressor on", 0, 1, 0, "", Toggle, 1, nullptr, 2)                        \
  X(CompThreshold, "compressor_threshold", "Compressor threshold", -60, 0, -18, "dB", Linear, 1, nullptr, 2) \
  X(CompRatio, "compressor_ratio", "Compressor ratio", 1, 20, 4, ":1", Exponential, 1, nullptr, 2)       \
  X(CompKnee, "compressor_knee", "Compressor knee width", 0, 24, 6, "dB", Linear, 1, nullptr, 2)         \
  X(CompAttack, "compressor_attack", "Compressor attack", 0.1f, 200, 5, "ms", Exponential, 1, nullptr, 2) \
  X(CompRelease, "compressor_release", "Compressor release", 5, 2000, 120, "ms", Exponential, 1, nullptr, 2) \
  X(CompMakeup, "compressor_makeup", "Compressor make-up gain", 0, 24, 0, "dB", Linear, 1, nullptr, 2)   \
  X(CompMix, "compressor_mix", "Compressor mix", 0, 1, 1, "", Linear, 1, nullptr, 2)

// The modulation destinations: format 1's (kModDestNames, with their own laws), then every other
// continuous (not stepped) parameter of the table, by its id, in table order. A row added to the
// table becomes a destination by this rule alone. Generic destinations move the parameter in its
// normalised range (amount 1 = the whole range); the format-1 names that equal a parameter id
// (osc1_level, fm_amount, pan, ...) keep their format-1 law and are not listed twice.
namespace detail {
struct ParamKind {
  const char* id;
  bool continuous;
};
inline constexpr ParamKind kParamKinds[] = {
#define MIDISTEMS_PARAM_KIND(e, id, name, mn, mx, def, unit, scale, skew, choices, version) \
  {id, ParamScale::scale != ParamScale::Integer && ParamScale::scale != ParamScale::Choice &&    \
           ParamScale::scale != ParamScale::Toggle},
    MIDISTEMS_SYNTH_PARAMS(MIDISTEMS_PARAM_KIND)
#undef MIDISTEMS_PARAM_KIND
};
constexpr bool sameText(const char* a, const char* b) {
  while (*a && *a == *b) ++a, ++b;
  return *a == *b;
}
constexpr bool isLegacyDestName(const char* id) {
  for (const char* name : kModDestNames)
    if (sameText(name, id)) return true;
  return false;
}
constexpr bool isGenericDest(const ParamKind& kind) { return kind.continuous && !isLegacyDestName(kind.id); }
constexpr int countGenericDests() {
  int n = 0;
  for (const ParamKind& kind : kParamKinds) n += isGenericDest(kind);
  return n;
}
}  // namespace detail

inline constexpr int kNumModDests = kNumLegacyModDests + detail::countGenericDests();
inline constexpr std::array<const char*, size_t(kNumModDests)> kModDestChoices = [] {
  std::array<const char*, size_t(kNumModDests)> names{};
  size_t n = 0;
  for (const char* name : kModDestNames) names[n++] = name;
  for (const detail::ParamKind& kind : detail::kParamKinds)
    if (detail::isGenericDest(kind)) names[n++] = kind.id;
  return names;
}();

enum class Param : int {
#define MIDISTEMS_PARAM_ENUM(e, ...) e,
  MIDISTEMS_SYNTH_PARAMS(MIDISTEMS_PARAM_ENUM)
#undef MIDISTEMS_PARAM_ENUM
  Count
};
constexpr int kNumParams = static_cast<int>(Param::Count);
constexpr int kNumModSlots = 32;
// The parameters of mod slot `slot` (0..31); slots 1-8 are format 1's, their curves format 2's.
struct ModSlotParams {
  Param source, dest, amount, curve;
};
const ModSlotParams& modSlotParams(int slot);
// field: 0 source, 1 destination, 2 amount, 3 curve.
// Parameter of effect chain slot `slot` (0..kNumEffectSlots - 1).
inline Param effectSlotParam(int slot) { return static_cast<Param>(static_cast<int>(Param::FxSlot1) + slot); }
inline Param modSlotParam(int slot, int field) {
  const ModSlotParams& s = modSlotParams(slot);
  return field == 0 ? s.source : field == 1 ? s.dest : field == 2 ? s.amount : s.curve;
}

// LFOs: 0-3 are per voice (lfo1..lfo4), 4-5 global (global_lfo1, global_lfo2).
constexpr int kNumVoiceLfos = 4, kNumGlobalLfos = 2, kNumLfos = kNumVoiceLfos + kNumGlobalLfos;
struct LfoParams {
  Param wave, rate, keySync, sync, phase, fade, unipolar;
};
const LfoParams& lfoParams(int lfo);
constexpr int kNumMacros = 8;
inline Param macroParam(int macro) { return static_cast<Param>(int(Param::Macro1) + macro); }

// The parameter a modulation destination moves (none for pitch, amp, and the format-1
// destinations that move two parameters: pulse_width, wavetable_pos), and the destination of a
// parameter (-1 if it has none).
std::optional<Param> modDestParam(int dest);
int modDestOf(Param p);

const ParamInfo& paramInfo(Param p);
inline const ParamInfo& paramInfo(int index) { return paramInfo(static_cast<Param>(index)); }
std::optional<Param> findParam(std::string_view id);
// The index of `name` among a choice parameter's choices.
std::optional<int> findChoice(Param p, std::string_view name);

// A complete patch: one value per parameter, in plain units (Hz, s, dB, index).
struct Patch {
  std::array<float, kNumParams> values;
  Patch();  // every parameter at its default
  float operator[](Param p) const { return values[static_cast<size_t>(p)]; }
  float& operator[](Param p) { return values[static_cast<size_t>(p)]; }
  int choice(Param p) const { return static_cast<int>(values[static_cast<size_t>(p)] + 0.5f); }
};

}  // namespace midistems::synth
