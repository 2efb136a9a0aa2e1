#pragma once
// A small, honest global tempo estimator for the MIDI export: a spectral-flux onset-strength
// envelope, its autocorrelation, and a comb over the first four beat multiples scored on a
// 0.1 BPM grid, weighted by a log-normal prior around 120 BPM (the same prior idea as librosa's
// beat.tempo, std one octave). One tempo per song; no beat positions, no tempo changes.
#include <optional>
#include <vector>

#include "core/audio_buffer.h"

namespace midistems::transcribe {

struct TempoOptions {
  double minBpm = 60;
  double maxBpm = 200;
  double priorBpm = 120;     // centre of the log-normal prior
  double priorOctaves = 1.0; // its standard deviation, in octaves
};

struct OnsetEnvelope {
  double framesPerSecond = 0;
  std::vector<float> strength;  // one value per frame, >= 0
};

// Spectral flux of the log-compressed magnitude spectrum (2048-point Hann, hop 256 at 22,050 Hz),
// minus its 0.5 s moving average, half-wave rectified. Any rate and channel count.
OnsetEnvelope onsetStrength(const AudioBuffer& audio);

// The song's tempo in BPM within [minBpm, maxBpm], or nothing when the audio is too short
// (< 4 s) or has no rhythmic content (a flat envelope).
std::optional<double> estimateTempo(const AudioBuffer& audio, const TempoOptions& options = {});
std::optional<double> estimateTempo(const OnsetEnvelope& envelope, const TempoOptions& options = {});

}  // namespace midistems::transcribe
