#pragma once
// Damaged audio files for the error contract of the commands that read audio. The bytes hold
// NULs, so they are built as std::string with their length (a `<<` of a string literal would stop
// at the first NUL).
#include <cstdint>
#include <string>

namespace midistems::testing {

// A complete 52-byte RIFF/WAVE file (fmt and data chunks, 8 bytes of samples) whose fmt chunk
// says 0 channels: the decoder reads the whole header and refuses it ("Channel count is zero").
inline std::string wavWithZeroChannels() {
  std::string b;
  const auto le = [&b](uint32_t v, int bytes) {
    for (int i = 0; i < bytes; ++i) b += char((v >> (8 * i)) & 0xff);
  };
  b += "RIFF";
  le(44, 4);  // what follows
  b += "WAVEfmt ";
  le(16, 4);     // fmt chunk size
  le(1, 2);      // PCM
  le(0, 2);      // channels
  le(44100, 4);  // sample rate
  le(0, 4);      // bytes per second
  le(0, 2);      // block align
  le(16, 2);     // bits per sample
  b += "data";
  le(8, 4);
  b.append(8, '\0');
  return b;
}

// The first 5 bytes of a WAV file: cut off inside the RIFF header ("Format not recognised").
inline std::string truncatedWav() { return std::string("RIFF\x10", 5); }

}  // namespace midistems::testing
