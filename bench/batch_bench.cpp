// bench-libs: midistems_batch midistems_htdemucs
// Throughput of the per-item work of `midistems batch` (split, transcribe, preview; one separator
// per process, reused for every song): songs per hour per core, with the DSP separator and with a
// full-size HTDemucs of random weights (the released htdemucs architecture, 41,984,456 parameters:
// the same work as the real model), as 1 task with 2 threads and as 2 tasks with 1 thread each
// (two processes, each with its own model, as two array tasks on one 2-core node).
//
//   batch_bench                       the songgen songs in $MIDISTEMS_SONGS_DIR (build/songgen)
//   batch_bench a.wav b.wav ...       other songs
//   batch_bench --only dsp            one separator (dsp or htdemucs)
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "core/audio_file.h"
#include "core/progress.h"
#include "machine.h"
#include "pipeline/pipeline.h"
#include "separate/htdemucs/htdemucs_separator.h"
#include "separate/htdemucs/model.h"
#include "nn/weights.h"

namespace fs = std::filesystem;
using namespace midistems;

namespace {

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

pipeline::PreparedPipeline prepare(const std::string& separator, int threads) {
  pipeline::PipelineOptions options;
  options.threads = threads;
  options.quiet = true;
  options.offline = true;
  if (separator == "dsp") {
    options.model = "dsp";
    return pipeline::PreparedPipeline(options);
  }
  nn::RandomWeights weights(1234);
  std::vector<std::unique_ptr<separate::htdemucs::HTDemucsModel>> models;
  models.push_back(std::make_unique<separate::htdemucs::HTDemucsModel>(
      separate::htdemucs::HTDemucsConfig::released(), weights));
  separate::HTDemucsOptions ht;
  ht.threads = threads;
  return pipeline::PreparedPipeline(options, {separate::makeHTDemucsSeparator(std::move(models), {}, ht),
                                              "htdemucs (random weights)"});
}

// One task: its own separator, then songs k with k mod tasks == task, one after another.
int runTask(const std::string& separator, int threads, int task, int tasks, const std::vector<fs::path>& songs,
            const fs::path& scratch) {
  try {
    pipeline::PreparedPipeline pipe = prepare(separator, threads);
    for (size_t k = size_t(task); k < songs.size(); k += size_t(tasks))
      pipe.run(songs[k], scratch / (std::to_string(task) + "-" + std::to_string(k)));
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "task %d: %s\n", task, e.what());
    return 1;
  }
}

}  // namespace

int main(int argc, char** argv) {
  bench::printMachine();
  std::vector<fs::path> songs;
  std::vector<std::string> separators = {"dsp", "htdemucs"};
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--only" && i + 1 < argc) separators = {argv[++i]};
    else songs.emplace_back(arg);
  }
  if (songs.empty()) {
    const char* dir = std::getenv("MIDISTEMS_SONGS_DIR");
    const fs::path base = dir ? fs::path(dir) : fs::path("build/songgen");
    for (int i = 0; i < 4; ++i) songs.push_back(base / ("song_0" + std::to_string(i)) / "mixture.wav");
  }
  double audio = 0;
  for (const auto& s : songs) {
    const AudioFileInfo info = probeAudio(s);
    audio += double(info.frames) / info.sampleRate;
  }
  const int cores = 2;
  std::printf("%zu songs, %.0f s of audio in all; %d cores; load average now: ", songs.size(), audio, cores);
  std::fflush(stdout);
  std::system("cut -d' ' -f1-3 /proc/loadavg");
  ProgressBar::setSilenced(true);
  const fs::path scratch = fs::temp_directory_path() / ("midistems-batch-bench-" + std::to_string(::getpid()));
  for (const auto& separator : separators) {
    for (int tasks : {1, 2}) {
      fs::remove_all(scratch);
      fs::create_directories(scratch);
      const int threads = cores / tasks;
      const double start = now();
      std::vector<pid_t> children;
      for (int t = 0; t < tasks; ++t) {
        const pid_t pid = ::fork();
        if (pid == 0) ::_exit(runTask(separator, threads, t, tasks, songs, scratch));
        children.push_back(pid);
      }
      bool ok = true;
      for (pid_t pid : children) {
        int status = 0;
        ::waitpid(pid, &status, 0);
        ok &= WIFEXITED(status) && WEXITSTATUS(status) == 0;
      }
      const double wall = now() - start;
      if (!ok) return 1;
      const double perHour = 3600.0 * double(songs.size()) / wall;
      std::printf("%-26s %d task(s) x %d thread(s): %6.1f s wall, %7.1f songs/h, %6.1f songs/h/core, "
                  "%5.1f three-minute songs/h/core (%.2f s of audio per core-second)\n",
                  separator == "dsp" ? "dsp" : "htdemucs (random weights)", tasks, threads, wall, perHour,
                  perHour / cores, 3600.0 * audio / 180.0 / wall / cores, audio / wall / cores);
      std::fflush(stdout);
    }
  }
  fs::remove_all(scratch);
  return 0;
}
