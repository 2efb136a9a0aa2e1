#pragma once
// Audio file input and output through libsndfile.
// Reads WAV, FLAC, OGG/Vorbis, Opus, MP3, AIFF and anything else libsndfile knows.
// Writes WAV (16-bit, 24-bit PCM or 32-bit float) and FLAC (16/24-bit), always atomically.
#include <filesystem>
#include <memory>
#include <string>

#include "core/audio_buffer.h"

namespace midistems {

enum class AudioContainer { Wav, Flac };
enum class SampleFormat { Pcm16, Pcm24, Float32 };

struct AudioFileFormat {
  AudioContainer container = AudioContainer::Wav;
  SampleFormat sample = SampleFormat::Pcm24;
  // File name extension for this container, with the dot.
  const char* extension() const { return container == AudioContainer::Wav ? ".wav" : ".flac"; }
};

// Parses the CLI spellings "wav"/"flac" and "16"/"24"/"32f"; throws Error with a one-line message.
AudioFileFormat parseAudioFileFormat(const std::string& container, const std::string& bits);

struct AudioFileInfo {
  int sampleRate = 0;
  int channels = 0;
  int64_t frames = 0;
};

// Streaming reader: for songs too long to hold decoded at once.
class AudioFileReader {
 public:
  explicit AudioFileReader(const std::filesystem::path& path);
  ~AudioFileReader();
  AudioFileReader(const AudioFileReader&) = delete;
  AudioFileReader& operator=(const AudioFileReader&) = delete;

  const AudioFileInfo& info() const { return info_; }
  // Reads up to `frames` frames into `out` (resized to the frames actually read, planar).
  // Returns the number of frames read; 0 at the end. Throws on non-finite samples.
  int64_t read(AudioBuffer& out, int64_t frames);
  void seek(int64_t frame);

 private:
  std::filesystem::path path_;
  void* handle_ = nullptr;
  AudioFileInfo info_;
  // One chunk of interleaved samples. Left uninitialised (libsndfile writes what it returns):
  // zeroing it for every reader would cost more than decoding a short file.
  std::unique_ptr<float[]> interleaved_;
  size_t interleavedSize_ = 0;
};

// Reads a whole file. Throws Error for a missing, unreadable, empty or corrupt file, and for
// audio containing NaN or infinity.
AudioBuffer readAudio(const std::filesystem::path& path);
AudioFileInfo probeAudio(const std::filesystem::path& path);

// Streaming writer. Frames go to a temporary file; commit() renames it onto the target. A writer
// destroyed without commit() leaves nothing behind.
class AudioFileWriter {
 public:
  AudioFileWriter(const std::filesystem::path& path, int sampleRate, int channels,
                  AudioFileFormat format);
  ~AudioFileWriter();
  AudioFileWriter(const AudioFileWriter&) = delete;
  AudioFileWriter& operator=(const AudioFileWriter&) = delete;

  // Writes frames [offset, offset + frames) of every channel of `buffer`.
  void write(const AudioBuffer& buffer, int64_t offset, int64_t frames);
  void write(const AudioBuffer& buffer) { write(buffer, 0, buffer.numFrames()); }
  // Writes planar channel pointers.
  void write(const float* const* channels, int64_t frames);
  void commit();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

void writeAudio(const std::filesystem::path& path, const AudioBuffer& buffer, AudioFileFormat format);

}  // namespace midistems
