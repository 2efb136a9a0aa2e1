#include "core/audio_file.h"

#include <sndfile.h>

#include <algorithm>
#include <cmath>

#include "core/atomic_file.h"
#include "core/error.h"

namespace midistems {

namespace fs = std::filesystem;

namespace {

constexpr int64_t kChunkFrames = 65536;
// One sf_readf_float call reads at most this many samples (65536 stereo frames). libsndfile
// zero-fills what a short file lacks, so a corrupt 64-channel header must not cost 16 MiB a call.
constexpr int64_t kChunkSamples = 2 * kChunkFrames;
// Refuse declared sizes that cannot be a real song (a corrupt header can claim anything).
constexpr int64_t kMaxFrames = int64_t(1) << 36;

SNDFILE* asSnd(void* p) { return static_cast<SNDFILE*>(p); }

int sndfileFormat(AudioFileFormat format, const fs::path& path) {
  int major = format.container == AudioContainer::Wav ? SF_FORMAT_WAV : SF_FORMAT_FLAC;
  int minor = 0;
  switch (format.sample) {
    case SampleFormat::Pcm16: minor = SF_FORMAT_PCM_16; break;
    case SampleFormat::Pcm24: minor = SF_FORMAT_PCM_24; break;
    case SampleFormat::Float32:
      if (format.container == AudioContainer::Flac)
        throw Error(path.string() + ": FLAC cannot store 32-bit float; use --format wav or --bits 16/24");
      minor = SF_FORMAT_FLOAT;
      break;
  }
  return major | minor;
}

void checkFinite(const float* data, size_t n, const fs::path& path) {
  for (size_t i = 0; i < n; ++i)
    if (!std::isfinite(data[i]))
      throw Error(path.string() + ": audio contains NaN or infinite samples");
}

}  // namespace

AudioFileFormat parseAudioFileFormat(const std::string& container, const std::string& bits) {
  AudioFileFormat f;
  if (container == "wav") f.container = AudioContainer::Wav;
  else if (container == "flac") f.container = AudioContainer::Flac;
  else throw Error("--format: unknown audio format '" + container + "' (use wav or flac)");
  if (bits == "16") f.sample = SampleFormat::Pcm16;
  else if (bits == "24") f.sample = SampleFormat::Pcm24;
  else if (bits == "32f" || bits == "32") f.sample = SampleFormat::Float32;
  else throw Error("--bits: unknown sample format '" + bits + "' (use 16, 24 or 32f)");
  if (f.container == AudioContainer::Flac && f.sample == SampleFormat::Float32)
    throw Error("--bits: FLAC cannot store 32-bit float; use --format wav or --bits 16/24");
  return f;
}

AudioFileReader::AudioFileReader(const fs::path& path) : path_(path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) throw Error(path.string() + ": file not found");
  if (fs::is_directory(path, ec)) throw Error(path.string() + ": is a folder, not an audio file");
  SF_INFO sfinfo{};
  SNDFILE* snd = sf_open(path.c_str(), SFM_READ, &sfinfo);
  if (!snd) {
    throw Error(path.string() + ": not a readable audio file (" + sf_strerror(nullptr) + ")");
  }
  handle_ = snd;
  if (sfinfo.channels <= 0 || sfinfo.channels > 64 || sfinfo.samplerate <= 0 ||
      sfinfo.samplerate > 1'536'000 || sfinfo.frames < 0 || sfinfo.frames > kMaxFrames) {
    sf_close(snd);
    handle_ = nullptr;
    throw Error(path.string() + ": audio header is corrupt or unsupported");
  }
  sf_command(snd, SFC_SET_NORM_FLOAT, nullptr, SF_TRUE);
  info_.sampleRate = sfinfo.samplerate;
  info_.channels = sfinfo.channels;
  info_.frames = sfinfo.frames;
}

AudioFileReader::~AudioFileReader() {
  if (handle_) sf_close(asSnd(handle_));
}

int64_t AudioFileReader::read(AudioBuffer& out, int64_t frames) {
  const int ch = info_.channels;
  const int64_t chunkFrames = std::max<int64_t>(1, kChunkSamples / ch);
  const auto chunkSamples = static_cast<size_t>(std::min(frames, chunkFrames) * ch);
  if (chunkSamples > interleavedSize_) {
    interleaved_ = std::make_unique_for_overwrite<float[]>(chunkSamples);
    interleavedSize_ = chunkSamples;
  }
  out.sampleRate = info_.sampleRate;
  out.channels.assign(static_cast<size_t>(ch), {});
  int64_t total = 0;
  while (total < frames) {
    const int64_t want = std::min(frames - total, chunkFrames);
    const sf_count_t got = sf_readf_float(asSnd(handle_), interleaved_.get(), want);
    if (got < 0) throw Error(path_.string() + ": read error (" + sf_strerror(asSnd(handle_)) + ")");
    if (got == 0) break;
    checkFinite(interleaved_.get(), static_cast<size_t>(got * ch), path_);
    for (int c = 0; c < ch; ++c) {
      auto& dst = out.channels[static_cast<size_t>(c)];
      for (sf_count_t i = 0; i < got; ++i) dst.push_back(interleaved_[static_cast<size_t>(i * ch + c)]);
    }
    total += got;
    if (got < want) break;
  }
  const int err = sf_error(asSnd(handle_));
  if (err != SF_ERR_NO_ERROR)
    throw Error(path_.string() + ": truncated or corrupt audio (" + sf_error_number(err) + ")");
  return total;
}

void AudioFileReader::seek(int64_t frame) {
  if (sf_seek(asSnd(handle_), frame, SEEK_SET) < 0)
    throw Error(path_.string() + ": cannot seek to frame " + std::to_string(frame));
}

AudioFileInfo probeAudio(const fs::path& path) { return AudioFileReader(path).info(); }

AudioBuffer readAudio(const fs::path& path) {
  AudioFileReader reader(path);
  AudioBuffer out;
  // Some decoders (MP3) only estimate the frame count, so read until the end.
  const int64_t want = reader.info().frames > 0 ? reader.info().frames : kChunkFrames;
  reader.read(out, want);
  AudioBuffer more;
  while (reader.read(more, kChunkFrames) > 0)
    for (int c = 0; c < out.numChannels(); ++c)
      out.channels[size_t(c)].insert(out.channels[size_t(c)].end(), more.channels[size_t(c)].begin(),
                                     more.channels[size_t(c)].end());
  if (out.numFrames() == 0) throw Error(path.string() + ": contains no audio");
  return out;
}

struct AudioFileWriter::Impl {
  fs::path target;
  AtomicFile file;
  SNDFILE* snd = nullptr;
  int channels = 0;
  std::vector<float> interleaved;
  explicit Impl(const fs::path& p) : target(p), file(p) {}
};

AudioFileWriter::AudioFileWriter(const fs::path& path, int sampleRate, int channels,
                                 AudioFileFormat format)
    : impl_(std::make_unique<Impl>(path)) {
  if (channels <= 0 || sampleRate <= 0)
    throw Error(path.string() + ": nothing to write (no channels or no sample rate)");
  SF_INFO info{};
  info.samplerate = sampleRate;
  info.channels = channels;
  info.format = sndfileFormat(format, path);
  if (!sf_format_check(&info))
    throw Error(path.string() + ": unsupported output format for " + std::to_string(channels) +
                " channels at " + std::to_string(sampleRate) + " Hz");
  impl_->snd = sf_open(impl_->file.tempPath().c_str(), SFM_WRITE, &info);
  if (!impl_->snd)
    throw Error(path.string() + ": cannot open for writing (" + sf_strerror(nullptr) + ")");
  // Integer formats clip instead of wrapping around; float output is written untouched.
  sf_command(impl_->snd, SFC_SET_CLIPPING, nullptr, SF_TRUE);
  impl_->channels = channels;
}

AudioFileWriter::~AudioFileWriter() {
  if (impl_ && impl_->snd) sf_close(impl_->snd);
}

void AudioFileWriter::write(const float* const* channels, int64_t frames) {
  const int ch = impl_->channels;
  int64_t done = 0;
  while (done < frames) {
    const int64_t n = std::min(frames - done, kChunkFrames);
    impl_->interleaved.resize(static_cast<size_t>(n * ch));
    for (int c = 0; c < ch; ++c)
      for (int64_t i = 0; i < n; ++i) impl_->interleaved[size_t(i * ch + c)] = channels[c][done + i];
    if (sf_writef_float(impl_->snd, impl_->interleaved.data(), n) != n)
      throw Error(impl_->target.string() + ": write failed (" + sf_strerror(impl_->snd) + ")");
    done += n;
  }
}

void AudioFileWriter::write(const AudioBuffer& buffer, int64_t offset, int64_t frames) {
  if (buffer.numChannels() != impl_->channels)
    throw Error(impl_->target.string() + ": channel count changed while writing");
  if (offset < 0 || frames < 0 || offset + frames > buffer.numFrames())
    throw Error(impl_->target.string() + ": write range outside the buffer");
  std::vector<const float*> ptrs;
  for (const auto& c : buffer.channels) ptrs.push_back(c.data() + offset);
  write(ptrs.data(), frames);
}

void AudioFileWriter::commit() {
  if (!impl_->snd) throw Error(impl_->target.string() + ": already committed");
  sf_write_sync(impl_->snd);
  const int err = sf_close(impl_->snd);
  impl_->snd = nullptr;
  if (err != 0) throw Error(impl_->target.string() + ": write failed (" + sf_error_number(err) + ")");
  impl_->file.commit();
}

void writeAudio(const fs::path& path, const AudioBuffer& buffer, AudioFileFormat format) {
  AudioFileWriter writer(path, buffer.sampleRate, buffer.numChannels(), format);
  writer.write(buffer);
  writer.commit();
}

}  // namespace midistems
