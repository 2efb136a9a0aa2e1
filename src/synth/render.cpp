#include "synth/render.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <memory>

#include "core/error.h"
#include "core/thread_pool.h"
#include "synth/drum_kit.h"
#include "synth/preset.h"
#include "synth/synth.h"

namespace midistems::synth {
namespace {

struct TimedEvent {
  int64_t frame;
  Event event;
};

struct Part {
  RenderPart info;
  std::unique_ptr<Synth> synth;
  std::unique_ptr<DrumKit> drums;
  std::vector<TimedEvent> events;
  size_t next = 0;
  std::vector<float> left, right;  // one chunk
  std::vector<Event> block;

  int activeVoices() const { return synth ? synth->activeVoices() : drums->activeVoices(); }

  void renderChunk(int64_t start, int frames, int blockSize) {
    for (int offset = 0; offset < frames; offset += blockSize) {
      const int n = std::min(blockSize, frames - offset);
      const int64_t blockStart = start + offset;
      block.clear();
      for (; next < events.size() && events[next].frame < blockStart + n; ++next) {
        Event e = events[next].event;
        e.frame = uint32_t(std::max<int64_t>(0, events[next].frame - blockStart));
        block.push_back(e);
      }
      float* l = left.data() + offset;
      float* r = right.data() + offset;
      if (synth)
        synth->process(l, r, n, block.data(), int(block.size()));
      else
        drums->process(l, r, n, block.data(), int(block.size()));
    }
  }
};

}  // namespace

std::vector<RenderPart> planRender(const midi::MidiFile& file, const RenderOptions& options) {
  int program[16] = {};
  bool seenProgram[16] = {}, used[16] = {};
  int notes[16] = {};
  for (const midi::MidiEvent& e : midi::mergeTracks(file)) {
    const int ch = e.channel();
    used[ch] = true;
    if (e.type() == 0xC0 && !seenProgram[ch]) program[ch] = e.data1 & 0x7F, seenProgram[ch] = true;
    if (e.type() == 0x90 && e.data2 > 0) ++notes[ch];
  }
  std::string overrideName;
  if (!options.preset.empty()) overrideName = loadPreset(options.preset).name;
  std::vector<RenderPart> parts;
  for (int ch = 0; ch < 16; ++ch) {
    if (!used[ch] || notes[ch] == 0) continue;
    RenderPart part;
    part.channel = ch;
    part.program = program[ch];
    part.notes = notes[ch];
    if (ch == midi::kDrumChannel)
      part.preset = kDrumKitPreset;
    else
      part.preset = options.preset.empty() ? factoryPresetForProgram(program[ch]) : overrideName;
    parts.push_back(part);
  }
  return parts;
}

AudioBuffer renderMidi(const midi::MidiFile& file, const RenderOptions& options) {
  if (options.sampleRate < 8000 || options.sampleRate > 384000)
    throw Error("--sample-rate: " + std::to_string(options.sampleRate) + " Hz is outside 8000 .. 384000");
  if (options.blockSize < 1 || options.blockSize > 4096)
    throw Error("block size " + std::to_string(options.blockSize) + " is outside 1 .. 4096");
  const float rate = float(options.sampleRate);

  std::unique_ptr<Preset> overridePreset;
  if (!options.preset.empty()) overridePreset = std::make_unique<Preset>(loadPreset(options.preset));
  std::vector<Part> parts;
  for (const RenderPart& info : planRender(file, options)) {
    Part part;
    part.info = info;
    const Preset preset = overridePreset && info.channel != midi::kDrumChannel ? *overridePreset
                                                                                : factoryPreset(info.preset);
    if (preset.drumKit) {
      part.drums = std::make_unique<DrumKit>();
      part.drums->prepare(rate);
    } else {
      part.synth = std::make_unique<Synth>();
      part.synth->prepare(rate);
      part.synth->setPatch(preset.patch);
    }
    parts.push_back(std::move(part));
  }

  // The tempo map reaches every part, so tempo-synced rates follow the song.
  for (const midi::TempoChange& t : file.tempoMap) {
    const int64_t frame = std::max<int64_t>(0, std::llround(t.seconds * rate));
    const float bpm = float(60e6 / t.microsPerQuarter);
    for (Part& part : parts)
      if (part.synth) part.events.push_back({frame, Event::tempo(0, bpm)});
  }
  double lastEventSeconds = 0;
  for (const midi::MidiEvent& e : midi::mergeTracks(file)) {
    lastEventSeconds = std::max(lastEventSeconds, e.seconds);
    for (Part& part : parts) {
      if (part.info.channel != e.channel()) continue;
      const int64_t frame = std::max<int64_t>(0, std::llround(e.seconds * rate));
      part.events.push_back({frame, Event::midi(0, e.status, e.data1, e.data2)});
    }
  }
  for (Part& part : parts)
    std::stable_sort(part.events.begin(), part.events.end(),
                     [](const TimedEvent& a, const TimedEvent& b) { return a.frame < b.frame; });
  const int64_t endOfEvents = std::llround(lastEventSeconds * rate);
  const int64_t maxFrames = endOfEvents + int64_t(std::max(0.0, options.maxTailSeconds) * rate) + 1;

  // Chunks of a quarter second: the parts of one chunk render in parallel, the mix and the
  // progress report happen here, between chunks, so the result never depends on the threads.
  const int chunk = std::max(options.blockSize, int(rate / 4));
  for (Part& part : parts) {
    part.left.resize(size_t(chunk));
    part.right.resize(size_t(chunk));
  }
  ThreadPool pool(options.threads > 0 ? options.threads : 0);
  std::vector<float> mixL, mixR;
  mixL.reserve(size_t(maxFrames));
  mixR.reserve(size_t(maxFrames));
  for (int64_t start = 0; start < maxFrames; start += chunk) {
    const int frames = int(std::min<int64_t>(chunk, maxFrames - start));
    pool.parallelFor(0, int64_t(parts.size()), [&](int64_t begin, int64_t end) {
      for (int64_t p = begin; p < end; ++p) parts[size_t(p)].renderChunk(start, frames, options.blockSize);
    });
    float peak = 0;
    for (int i = 0; i < frames; ++i) {
      float l = 0, r = 0;
      for (const Part& part : parts) l += part.left[size_t(i)], r += part.right[size_t(i)];
      mixL.push_back(l);
      mixR.push_back(r);
      peak = std::max({peak, std::fabs(l), std::fabs(r)});
    }
    if (options.progress) options.progress(double(start + frames) / double(maxFrames));
    // After the last event, stop once every voice has ended and the tails have died away.
    if (start + frames > endOfEvents && peak < 1e-5f) {
      bool silent = true;
      for (const Part& part : parts) silent = silent && part.activeVoices() == 0;
      if (silent) break;
    }
  }
  if (options.progress) options.progress(1.0);

  AudioBuffer out;
  out.sampleRate = options.sampleRate;
  float peak = 0;
  for (size_t i = 0; i < mixL.size(); ++i) peak = std::max({peak, std::fabs(mixL[i]), std::fabs(mixR[i])});
  const float limit = std::pow(10.0f, -0.2f / 20.0f);
  if (peak > limit) {
    const float scale = limit / peak;
    for (size_t i = 0; i < mixL.size(); ++i) mixL[i] *= scale, mixR[i] *= scale;
  }
  out.channels.push_back(std::move(mixL));
  out.channels.push_back(std::move(mixR));
  return out;
}

}  // namespace midistems::synth
