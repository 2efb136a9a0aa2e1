#pragma once
// Offline rendering of a MIDI file on the synthesizer: one part per MIDI channel, each with its
// own Synth and patch (chosen from the channel's General MIDI program, or one preset for all),
// channel 10 on the drum kit. Not real-time; this is what the rest of Midistems calls.
#include <functional>
#include <string>
#include <vector>

#include "core/audio_buffer.h"
#include "midi/midi_file.h"

namespace midistems::synth {

struct RenderOptions {
  int sampleRate = 48000;
  // Empty: a factory preset per channel from its GM program. Otherwise a factory preset name or
  // a .json file, used for every melodic channel (the drum channel keeps the drum kit).
  std::string preset;
  int blockSize = 512;       // 1..4096; the output does not depend on it
  double maxTailSeconds = 4; // rendering stops this long after the last event at the latest
  int threads = 0;           // parts render in parallel; 0 = one per hardware thread
  std::function<void(double)> progress;  // fraction 0..1, called from the calling thread
};

struct RenderPart {
  int channel = 0;       // 0..15
  int program = 0;       // first GM program change on the channel (0 without one)
  std::string preset;    // factory preset name (kDrumKitPreset on the drum channel) or the --preset name
  int notes = 0;
};

// Which parts renderMidi will create, in channel order. Throws Error for an unknown preset.
std::vector<RenderPart> planRender(const midi::MidiFile& file, const RenderOptions& options);

// Renders the whole file to stereo at options.sampleRate. The result is scaled down if its peak
// would pass -0.2 dBFS (never up). Throws Error for bad options or an unknown preset.
AudioBuffer renderMidi(const midi::MidiFile& file, const RenderOptions& options);

}  // namespace midistems::synth
