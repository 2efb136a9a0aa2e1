#pragma once
// The one declarative parameter table of the synthesizer (the idea of Vital's
// synth_parameters.cpp): every parameter is one row with a stable string id, display name, range,
// default, unit, scale law and the format version that added it. Presets, the command line and a
// future plugin wrapper all read this table; nothing else lists parameters. New parameters are
// appended at the end with a higher version so that host parameter order stays stable.
#include <array>
#include <iterator>
#include <cstdint>
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
enum class Wave : int { Sine, Saw, Pulse, Triangle, Wavetable, Noise };
// The built-in wavetables of synth/dsp (dsp::BuiltinWavetable, in that order).
inline constexpr const char* kWavetableNames[] = {
    "basic_shapes", "pwm_sweep", "vowels", "organ", "bell_fm", "harmonic_sweep", "odd_sweep",
    "sync_sweep", "formant_sweep", "digital"};
inline constexpr int kNumWavetables = 10;
inline constexpr const char* kSubWaveNames[] = {"square", "sine"};
inline constexpr const char* kVoiceModeNames[] = {"poly", "mono", "legato"};
enum class VoiceMode : int { Poly, Mono, Legato };
inline constexpr const char* kFilterTypeNames[] = {"lp12", "lp24",    "hp12",    "hp24",    "bp12",
                                                   "bp24", "notch12", "notch24", "ladder24"};
enum class FilterType : int { Lp12, Lp24, Hp12, Hp24, Bp12, Bp24, Notch12, Notch24, Ladder24 };
inline constexpr const char* kLfoWaveNames[] = {"sine", "triangle", "saw", "square", "sample_hold"};
enum class LfoWave : int { Sine, Triangle, Saw, Square, SampleHold };
inline constexpr const char* kModSourceNames[] = {
    "none", "amp_env", "filter_env", "mod_env", "lfo1", "lfo2",
    "velocity", "mod_wheel", "aftertouch", "key", "pitch_bend"};
enum class ModSource : int {
  None, AmpEnv, FilterEnv, ModEnv, Lfo1, Lfo2, Velocity, ModWheel, Aftertouch, Key, PitchBend, Count
};
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
// Note values of tempo-synced times: a whole note is four beats, "t" two thirds, "d" one and a half.
inline constexpr const char* kTempoSyncNames[] = {"off",  "1/32", "1/16t", "1/16", "1/16d", "1/8t", "1/8",
                                                  "1/8d", "1/4t", "1/4",   "1/4d", "1/2t",  "1/2",  "1/2d",
                                                  "1/1"};
inline constexpr float kTempoSyncBeats[] = {0,    0.125f, 1 / 6.0f, 0.25f, 0.375f, 1 / 3.0f, 0.5f, 0.75f,
                                            2 / 3.0f, 1,  1.5f,     4 / 3.0f, 2,   3,      4};
static_assert(std::size(kTempoSyncNames) == std::size(kTempoSyncBeats));

// X(enum name, id, display name, min, max, default, unit, scale, skew, choices, version)
#define MIDISTEMS_ENVELOPE_PARAMS(X, E, id, name, a, d, s, r)                                  \
  X(E##Attack, id "_attack", name " attack", 0, 20, a, "s", Power, 3, nullptr, 1)               \
  X(E##Decay, id "_decay", name " decay", 0, 20, d, "s", Power, 3, nullptr, 1)                  \
  X(E##Sustain, id "_sustain", name " sustain", 0, 1, s, "", Linear, 1, nullptr, 1)             \
  X(E##Release, id "_release", name " release", 0, 20, r, "s", Power, 3, nullptr, 1)            \
  X(E##Curve, id "_curve", name " curve", 0, 1, 0.5f, "", Linear, 1, nullptr, 1)
#define MIDISTEMS_OSC_PARAMS(X, O, id, name, wave, level)                                          \
  X(O##Wave, id "_wave", name " waveform", 0, 5, wave, "", Choice, 1, kWaveNames, 1)             \
  X(O##Octave, id "_octave", name " octave", -3, 3, 0, "oct", Integer, 1, nullptr, 1)             \
  X(O##Semitone, id "_semitone", name " semitone", -12, 12, 0, "st", Integer, 1, nullptr, 1)      \
  X(O##Fine, id "_fine", name " fine tune", -100, 100, 0, "ct", Linear, 1, nullptr, 1)            \
  X(O##Level, id "_level", name " level", 0, 1, level, "", Linear, 1, nullptr, 1)                 \
  X(O##PulseWidth, id "_pulse_width", name " pulse width", 0.02f, 0.98f, 0.5f, "", Linear, 1,     \
    nullptr, 1)                                                                                    \
  X(O##WavePos, id "_wavetable_pos", name " wavetable position", 0, 1, 0, "", Linear, 1, nullptr, 1)
#define MIDISTEMS_LFO_PARAMS(X, L, id, name)                                                      \
  X(L##Wave, id "_wave", name " waveform", 0, 4, 0, "", Choice, 1, kLfoWaveNames, 1)             \
  X(L##Rate, id "_rate", name " rate", 0.01f, 50, 5, "Hz", Exponential, 1, nullptr, 1)            \
  X(L##KeySync, id "_key_sync", name " restarts on each note", 0, 1, 1, "", Toggle, 1, nullptr, 1)
#define MIDISTEMS_MOD_SLOT_PARAMS(X, M, id, name)                                                   \
  X(M##Source, id "_source", name " source", 0, 10, 0, "", Choice, 1, kModSourceNames, 1)        \
  X(M##Dest, id "_dest", name " destination", 0, 14, 0, "", Choice, 1, kModDestNames, 1)         \
  X(M##Amount, id "_amount", name " amount", -1, 1, 0, "", Linear, 1, nullptr, 1)

#define MIDISTEMS_SYNTH_PARAMS(X)                                                                 \
  X(MasterGain, "master_gain", "Master gain", -60, 12, -6, "dB", Linear, 1, nullptr, 1)           \
  X(Polyphony, "polyphony", "Polyphony", 1, 128, 16, "voices", Integer, 1, nullptr, 1)            \
  X(VoiceModeParam, "voice_mode", "Voice mode", 0, 2, 0, "", Choice, 1, kVoiceModeNames, 1)       \
  X(GlideTime, "glide_time", "Portamento time", 0, 5, 0, "s", Power, 3, nullptr, 1)               \
  X(BendRange, "bend_range", "Pitch bend range", 0, 24, 2, "st", Integer, 1, nullptr, 1)          \
  X(VelocityToAmp, "velocity_to_amp", "Velocity to level", 0, 1, 0.7f, "", Linear, 1, nullptr, 1) \
  X(Pan, "pan", "Pan", -1, 1, 0, "", Linear, 1, nullptr, 1)                                        \
  MIDISTEMS_OSC_PARAMS(X, Osc1, "osc1", "Osc 1", 1, 0.8f)                                          \
  MIDISTEMS_OSC_PARAMS(X, Osc2, "osc2", "Osc 2", 1, 0)                                             \
  X(Osc2Sync, "osc2_sync", "Osc 2 hard sync to osc 1", 0, 1, 0, "", Toggle, 1, nullptr, 1)        \
  X(FmAmount, "fm_amount", "FM osc 1 to osc 2", 0, 1, 0, "", Linear, 1, nullptr, 1)               \
  X(RingLevel, "ring_level", "Ring modulation level", 0, 1, 0, "", Linear, 1, nullptr, 1)          \
  X(SubWave, "sub_wave", "Sub waveform", 0, 1, 0, "", Choice, 1, kSubWaveNames, 1)                \
  X(SubLevel, "sub_level", "Sub level", 0, 1, 0, "", Linear, 1, nullptr, 1)                        \
  X(NoiseLevel, "noise_level", "Noise level", 0, 1, 0, "", Linear, 1, nullptr, 1)                  \
  X(UnisonVoices, "unison_voices", "Unison voices", 1, 16, 1, "", Integer, 1, nullptr, 1)         \
  X(UnisonDetune, "unison_detune", "Unison detune", 0, 100, 15, "ct", Linear, 1, nullptr, 1)      \
  X(UnisonSpread, "unison_spread", "Unison stereo spread", 0, 1, 0.5f, "", Linear, 1, nullptr, 1) \
  X(FilterTypeParam, "filter_type", "Filter type", 0, 8, 1, "", Choice, 1, kFilterTypeNames, 1)   \
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
  MIDISTEMS_LFO_PARAMS(X, Lfo1, "lfo1", "LFO 1")                                                    \
  MIDISTEMS_LFO_PARAMS(X, Lfo2, "lfo2", "LFO 2")                                                    \
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
  X(Osc1Table, "osc1_wavetable", "Osc 1 wavetable", 0, 9, 0, "", Choice, 1, kWavetableNames, 1)    \
  X(Osc2Table, "osc2_wavetable", "Osc 2 wavetable", 0, 9, 0, "", Choice, 1, kWavetableNames, 1)    \
  MIDISTEMS_EFFECT_PARAMS(X)

// Format 2: the effect chain's order (slot 1 runs first; an effect named twice runs at its first
// slot, one named nowhere does not run) and the effects that format 1 lacked or kept fixed.
#define MIDISTEMS_EFFECT_CHAIN_SLOT(X, n, def)                                                    \
  X(FxSlot##n, "fx_slot" #n, "Effect slot " #n, 0, 8, def, "", Choice, 1, kEffectNames, 2)
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
  X(DistortionCurveParam, "distortion_curve", "Distortion curve", 0, 3, 0, "", Choice, 1,         \
    kDistortionCurveNames, 2)                                                                      \
  X(DistortionDrive, "distortion_drive", "Distortion drive", 0, 24, 6, "dB", Linear, 1, nullptr, 2) \
  X(DistortionTone, "distortion_tone", "Distortion tone", 0, 1, 1, "", Linear, 1, nullptr, 2)      \
  X(DistortionMix, "distortion_mix", "Distortion mix", 0, 1, 1, "", Linear, 1, nullptr, 2)         \
  X(DelaySync, "delay_sync", "Delay tempo sync", 0, 14, 0, "", Choice, 1, kTempoSyncNames, 2)      \
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

enum class Param : int {
#define MIDISTEMS_PARAM_ENUM(e, ...) e,
  MIDISTEMS_SYNTH_PARAMS(MIDISTEMS_PARAM_ENUM)
#undef MIDISTEMS_PARAM_ENUM
  Count
};
constexpr int kNumParams = static_cast<int>(Param::Count);
constexpr int kNumModSlots = 8;
// Parameter of effect chain slot `slot` (0..kNumEffectSlots - 1).
inline Param effectSlotParam(int slot) { return static_cast<Param>(static_cast<int>(Param::FxSlot1) + slot); }
// Parameter of mod slot `slot` (0..7): source, destination, amount in that order.
inline Param modSlotParam(int slot, int field) {
  return static_cast<Param>(static_cast<int>(Param::Mod1Source) + 3 * slot + field);
}

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
