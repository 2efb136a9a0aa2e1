#pragma once
// Sample-rate conversion with libsoxr's high-quality recipe (SOXR_HQ: 20-bit, linear phase), the
// same resampler basic-pitch's Python package uses through librosa ("soxr_hq").
#include <cstddef>
#include <vector>

#include "core/audio_buffer.h"

namespace midistems {

std::vector<float> resample(const float* input, size_t frames, double inRate, double outRate);
// Resamples every channel; returns a copy when the rates already match.
AudioBuffer resample(const AudioBuffer& input, int outRate);

}  // namespace midistems
