#include "core/resample.h"

#include <soxr.h>

#include <cmath>
#include <string>

#include "core/error.h"

namespace midistems {

std::vector<float> resample(const float* input, size_t frames, double inRate, double outRate) {
  if (inRate <= 0 || outRate <= 0) throw Error("resample: sample rates must be positive");
  if (inRate == outRate) return std::vector<float>(input, input + frames);
  const size_t outFrames = static_cast<size_t>(std::ceil(double(frames) * outRate / inRate));
  std::vector<float> out(outFrames + 16);
  const soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
  const soxr_quality_spec_t quality = soxr_quality_spec(SOXR_HQ, 0);
  size_t produced = 0;
  soxr_error_t err = soxr_oneshot(inRate, outRate, 1, input, frames, nullptr, out.data(),
                                  out.size(), &produced, &io, &quality, nullptr);
  if (err) throw Error(std::string("resample: ") + soxr_strerror(err));
  out.resize(std::min(produced, outFrames));
  return out;
}

AudioBuffer resample(const AudioBuffer& input, int outRate) {
  if (input.sampleRate == outRate) return input;
  AudioBuffer out;
  out.sampleRate = outRate;
  for (const auto& ch : input.channels)
    out.channels.push_back(resample(ch.data(), ch.size(), input.sampleRate, outRate));
  return out;
}

}  // namespace midistems
