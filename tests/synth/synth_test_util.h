#pragma once
// Helpers shared by the synth tests: render a list of timed events through a Synth in blocks of
// any size, and measure the result.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <vector>

#include "synth/synth.h"

namespace midistems::synth::testing {

struct TimedEvent {
  int64_t frame;
  Event event;  // its `frame` is filled in per block
};

inline TimedEvent noteOn(int64_t frame, int note, int velocity = 100) {
  return {frame, Event::midi(0, 0x90, uint8_t(note), uint8_t(velocity))};
}
inline TimedEvent noteOff(int64_t frame, int note) { return {frame, Event::midi(0, 0x80, uint8_t(note), 0)}; }
inline TimedEvent controller(int64_t frame, int cc, int value) {
  return {frame, Event::midi(0, 0xB0, uint8_t(cc), uint8_t(value))};
}
inline TimedEvent paramChange(int64_t frame, Param p, float value) { return {frame, Event::parameter(0, p, value)}; }

struct Stereo {
  std::vector<float> left, right;
};

inline Stereo renderEvents(Synth& synth, std::vector<TimedEvent> events, int64_t frames, int blockSize) {
  std::stable_sort(events.begin(), events.end(),
                   [](const TimedEvent& a, const TimedEvent& b) { return a.frame < b.frame; });
  Stereo out{std::vector<float>(size_t(frames)), std::vector<float>(size_t(frames))};
  std::vector<Event> block;
  size_t next = 0;
  for (int64_t start = 0; start < frames; start += blockSize) {
    const int n = int(std::min<int64_t>(blockSize, frames - start));
    block.clear();
    for (; next < events.size() && events[next].frame < start + n; ++next) {
      Event e = events[next].event;
      e.frame = uint32_t(std::max<int64_t>(0, events[next].frame - start));
      block.push_back(e);
    }
    synth.process(out.left.data() + start, out.right.data() + start, n, block.data(), int(block.size()));
  }
  return out;
}

inline float peakOf(const std::vector<float>& x, size_t from = 0, size_t to = SIZE_MAX) {
  float peak = 0;
  for (size_t i = from; i < std::min(to, x.size()); ++i) peak = std::max(peak, std::fabs(x[i]));
  return peak;
}

inline double rmsOf(const std::vector<float>& x, size_t from, size_t to) {
  double sum = 0;
  to = std::min(to, x.size());
  for (size_t i = from; i < to; ++i) sum += double(x[i]) * x[i];
  return to > from ? std::sqrt(sum / double(to - from)) : 0.0;
}

inline float maxStep(const std::vector<float>& x, size_t from = 1, size_t to = SIZE_MAX) {
  float step = 0;
  for (size_t i = std::max<size_t>(from, 1); i < std::min(to, x.size()); ++i)
    step = std::max(step, std::fabs(x[i] - x[i - 1]));
  return step;
}

// Frequency from upward zero crossings, interpolated to sub-sample precision.
inline double frequencyOf(const std::vector<float>& x, size_t from, size_t to, double sampleRate) {
  double first = -1, last = -1;
  int crossings = 0;
  for (size_t i = from + 1; i < std::min(to, x.size()); ++i) {
    if (x[i - 1] < 0 && x[i] >= 0) {
      const double t = double(i - 1) + double(-x[i - 1]) / double(x[i] - x[i - 1]);
      if (first < 0) first = t; else ++crossings;
      last = t;
    }
  }
  return crossings > 0 ? sampleRate * crossings / (last - first) : 0.0;
}

// A plain test patch: one sine, no filter movement, no effects, instant-ish envelope.
inline Patch sinePatch() {
  Patch p;
  p[Param::Osc1Wave] = float(Wave::Sine);
  p[Param::Osc1Level] = 1;
  p[Param::Osc2Level] = 0;
  p[Param::FilterTypeParam] = float(FilterType::Lp12);
  p[Param::FilterCutoff] = 20000;
  p[Param::FilterResonance] = 0;
  p[Param::AmpEnvAttack] = 0.005f;
  p[Param::AmpEnvDecay] = 0.1f;
  p[Param::AmpEnvSustain] = 1;
  p[Param::AmpEnvRelease] = 0.05f;
  p[Param::VelocityToAmp] = 0;
  p[Param::MasterGain] = 0;
  return p;
}

}  // namespace midistems::synth::testing
