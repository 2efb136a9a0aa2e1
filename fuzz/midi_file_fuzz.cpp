// fuzz-libs: midistems_midi
// Any byte string is either a MIDI file or a midistems::Error; nothing else may happen.
#include <cstddef>
#include <cstdint>

#include "core/error.h"
#include "midi/midi_file.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const auto file = midistems::midi::parseMidiFile(data, size, "fuzz.mid");
    (void)midistems::midi::mergeTracks(file);
  } catch (const midistems::Error&) {
  }
  return 0;
}
