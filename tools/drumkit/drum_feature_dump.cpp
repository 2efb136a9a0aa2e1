// Exports the drum transcriber's per-onset features with ground-truth labels, for training the
// classifier in ../../src/transcribe/drums (see train_drum_classifier.py and README.md here).
//
//   drum_feature_dump [--detection-scale X] OUT.csv SONG_DIR...
// Each SONG_DIR is a song made by ../shared/tools/songgen (drums.wav and midi/drums.mid). Each
// output row is one detected onset: song index, time, one 0/1 label per output group of
// drum_classifier.h (a reference note belongs to the nearest onset within 50 ms), the features.
// Lines starting with '#' give each song's number of reference notes per group.
#include <cmath>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "core/audio_file.h"
#include "core/error.h"
#include "midi/midi_file.h"
#include "transcribe/drums/drum_analysis.h"
#include "transcribe/drums/drum_classifier.h"

namespace fs = std::filesystem;
namespace drums = midistems::transcribe::drums;

int main(int argc, char** argv) {
  // --detection-scale tries other candidate thresholds; the transcriber uses
  // kCandidateDetectionScale, so a model trained with another scale needs that constant changed.
  double detectionScale = drums::kCandidateDetectionScale;
  int first = 1;
  if (argc > 2 && std::string(argv[1]) == "--detection-scale") {
    detectionScale = std::atof(argv[2]);
    first = 3;
  }
  if (argc < first + 2) {
    std::fprintf(stderr, "usage: drum_feature_dump [--detection-scale X] OUT.csv SONG_DIR...\n");
    return 2;
  }
  FILE* out = std::fopen(argv[first], "w");
  if (!out) {
    std::fprintf(stderr, "%s: cannot write\n", argv[first]);
    return 2;
  }
  try {
    for (int s = first + 1; s < argc; ++s) {
      const fs::path song = argv[s];
      const auto analysis = drums::analyseOnsets(midistems::readAudio(song / "drums.wav"),
                                                 detectionScale, 30.0);
      std::vector<std::vector<int>> labels(analysis.size(), std::vector<int>(drums::kNumGroups, 0));
      std::vector<int> refCount(drums::kNumGroups, 0);
      const auto file = midistems::midi::readMidiFile(song / "midi" / "drums.mid");
      for (const auto& event : midistems::midi::mergeTracks(file)) {
        if (event.type() != 0x90 || event.data2 == 0) continue;
        const int group = drums::groupOfKey(event.data1);
        if (group < 0) continue;
        ++refCount[group];
        double bestDistance = 0.05;
        int best = -1;
        for (size_t i = 0; i < analysis.size(); ++i) {
          const double distance = std::abs(analysis.seconds[i] - event.seconds);
          if (distance <= bestDistance) {
            bestDistance = distance;
            best = int(i);
          }
        }
        if (best >= 0) labels[best][group] = 1;
      }
      std::fprintf(out, "#%d", s - first - 1);
      for (int count : refCount) std::fprintf(out, ",%d", count);
      std::fprintf(out, ",%s\n", song.c_str());
      for (size_t i = 0; i < analysis.size(); ++i) {
        std::fprintf(out, "%d,%.4f", s - first - 1, analysis.seconds[i]);
        for (int label : labels[i]) std::fprintf(out, ",%d", label);
        for (int f = 0; f < drums::kFeatureCount; ++f)
          std::fprintf(out, ",%.4g", analysis.features[i * drums::kFeatureCount + f]);
        std::fprintf(out, "\n");
      }
    }
  } catch (const midistems::Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    std::fclose(out);
    return 2;
  }
  std::fclose(out);
  return 0;
}
