// `midistems info FILE...`: what an audio file holds (rate, channels, length, peak, RMS).
#include <fmt/format.h>

#include <cmath>
#include <string>
#include <vector>

#include "cli/command_registry.h"
#include "core/audio_file.h"

namespace {

void runInfo(const std::vector<std::string>& files) {
  for (const auto& file : files) {
    const midistems::AudioBuffer audio = midistems::readAudio(file);
    double peak = 0, sumSquares = 0;
    for (const auto& ch : audio.channels)
      for (float v : ch) {
        peak = std::max(peak, double(std::fabs(v)));
        sumSquares += double(v) * v;
      }
    const double n = double(audio.numFrames()) * audio.numChannels();
    const auto dbfs = [](double x) { return x > 0 ? 20 * std::log10(x) : -INFINITY; };
    fmt::print("{}: {} Hz, {} channel(s), {} frames ({:.2f} s), peak {:.1f} dBFS, RMS {:.1f} dBFS\n",
               file, audio.sampleRate, audio.numChannels(), audio.numFrames(),
               audio.durationSeconds(), dbfs(peak), dbfs(std::sqrt(sumSquares / n)));
  }
}

midistems::cli::CommandRegistration reg{90, [](CLI::App& app) {
  auto* sub = app.add_subcommand("info", "Show the sample rate, length and level of audio files");
  auto files = std::make_shared<std::vector<std::string>>();
  sub->add_option("files", *files, "Audio files (WAV, FLAC, OGG, MP3, ...)")->required();
  sub->callback([files] { runInfo(*files); });
}};

}  // namespace
