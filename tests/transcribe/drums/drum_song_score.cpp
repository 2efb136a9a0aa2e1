// Scores the drum transcriber on songs made by ../shared/tools/songgen: for each song folder,
// transcribes drums.wav and compares with midi/drums.mid by class-level onset F1 (50 ms, the
// rule of mir_eval.transcription with evaluate.py's five drum classes: kick, snare/rim/clap,
// hi-hats, toms, cymbals). Prints a per-class table; exits 1 when the overall F1 over all songs is
// below --min-f1, or one class's F1 is below its --min-class-f1 (e.g. cymbal=0.8, which checks
// that rides are not called hi-hats), or the F1 of one exact General MIDI key is below its
// --min-key-f1 (e.g. 51=0.8: the ride itself, not a crash).
//
//   drum_song_score SONGS_DIR [--min-f1 X] [--min-class-f1 CLASS=X]... [--min-key-f1 KEY=X]...
//                   [--write-midi OUT_DIR]
// SONGS_DIR holds song_00, song_01, ...; with --write-midi, OUT_DIR/song_XX/drums.mid receives
// the estimate (for cross-checking with evaluate.py --est-midi).
#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "core/audio_file.h"
#include "core/error.h"
#include "midi/midi_file.h"
#include "transcribe/drums/drum_transcriber.h"

namespace {

namespace fs = std::filesystem;
using midistems::midi::Note;

constexpr int kClasses = 5;
constexpr const char* kClassName[kClasses] = {"kick", "snare", "hi-hat", "tom", "cymbal"};

// evaluate.py's DRUM_CLASS map; -1 for keys it leaves unmapped.
int drumClass(int key) {
  switch (key) {
    case 35: case 36: return 0;
    case 37: case 38: case 39: case 40: return 1;
    case 42: case 44: case 46: return 2;
    case 41: case 43: case 45: case 47: case 48: case 50: return 3;
    case 49: case 51: case 52: case 53: case 55: case 57: case 59: return 4;
    default: return -1;
  }
}

std::vector<Note> referenceNotes(const fs::path& midiPath) {
  const auto file = midistems::midi::readMidiFile(midiPath);
  std::vector<Note> notes;
  for (const auto& event : midistems::midi::mergeTracks(file))
    if (event.type() == 0x90 && event.data2 > 0)
      notes.push_back({event.seconds, event.seconds + 0.1, event.data1, event.data2});
  return notes;
}

// Maximum matching of onsets within the tolerance. For points on a line with a symmetric window,
// taking each reference in time order and pairing it with the earliest unmatched estimate in its
// window is optimal, so the count equals mir_eval's bipartite matching.
int countMatches(std::vector<double> ref, std::vector<double> est, double tolerance) {
  std::sort(ref.begin(), ref.end());
  std::sort(est.begin(), est.end());
  int matches = 0;
  size_t next = 0;
  for (double r : ref) {
    while (next < est.size() && est[next] < r - tolerance - 1e-9) ++next;
    if (next < est.size() && est[next] <= r + tolerance + 1e-9) {
      ++matches;
      ++next;
    }
  }
  return matches;
}

struct Tally {
  int ref = 0, est = 0, matched = 0;
  void add(const Tally& o) { ref += o.ref; est += o.est; matched += o.matched; }
  double precision() const { return est ? double(matched) / est : 0.0; }
  double recall() const { return ref ? double(matched) / ref : 0.0; }
  double f1() const {
    const double p = precision(), r = recall();
    return p + r > 0 ? 2 * p * r / (p + r) : 0.0;
  }
};

void printRow(const char* name, const Tally& t) {
  std::printf("  %-8s n_ref=%4d n_est=%4d  P=%.3f R=%.3f F1=%.3f\n", name, t.ref, t.est,
              t.precision(), t.recall(), t.f1());
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: drum_song_score SONGS_DIR [--min-f1 X] [--min-class-f1 CLASS=X]... "
                         "[--write-midi OUT_DIR]\n");
    return 2;
  }
  const fs::path songsDir = argv[1];
  double minF1 = 0.0;
  std::array<double, kClasses> minClassF1{};
  std::map<int, double> minKeyF1;
  fs::path midiOut;
  for (int i = 2; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    if (flag == "--min-f1") minF1 = std::atof(argv[i + 1]);
    else if (flag == "--write-midi") midiOut = argv[i + 1];
    else if (flag == "--min-class-f1") {
      const std::string value = argv[i + 1];
      const size_t equals = value.find('=');
      int found = -1;
      for (int c = 0; c < kClasses; ++c)
        if (equals != std::string::npos && value.substr(0, equals) == kClassName[c]) found = c;
      if (found < 0) {
        std::fprintf(stderr, "--min-class-f1 %s: expected CLASS=X with CLASS one of kick, snare, hi-hat, "
                             "tom, cymbal\n", value.c_str());
        return 2;
      }
      minClassF1[found] = std::atof(value.c_str() + equals + 1);
    } else if (flag == "--min-key-f1") {
      const std::string value = argv[i + 1];
      const size_t equals = value.find('=');
      const int key = std::atoi(value.c_str());
      if (equals == std::string::npos || key < 0 || key > 127) {
        std::fprintf(stderr, "--min-key-f1 %s: expected KEY=X with a General MIDI key 0..127\n", value.c_str());
        return 2;
      }
      minKeyF1[key] = std::atof(value.c_str() + equals + 1);
    } else {
      std::fprintf(stderr, "unknown option %s\n", flag.c_str());
      return 2;
    }
  }
  std::vector<fs::path> songs;
  for (const auto& entry : fs::directory_iterator(songsDir))
    if (entry.is_directory() && fs::exists(entry.path() / "drums.wav")) songs.push_back(entry.path());
  std::sort(songs.begin(), songs.end());
  if (songs.empty()) {
    std::fprintf(stderr, "%s: no song folders with drums.wav\n", songsDir.c_str());
    return 2;
  }
  try {
    std::array<Tally, kClasses> total{};
    // Exact-key scores for the keys that split a class: open hi-hat and ride.
    std::map<int, Tally> keyTotal{{46, {}}, {51, {}}};
    for (const auto& [key, floor] : minKeyF1) keyTotal[key];
    for (const auto& song : songs) {
      const auto estimate = midistems::transcribe::transcribeDrums(midistems::readAudio(song / "drums.wav"));
      const auto reference = referenceNotes(song / "midi" / "drums.mid");
      if (!midiOut.empty()) {
        midistems::midi::NoteTrack track{"drums", midistems::midi::kDrumChannel, 0, estimate, {}};
        fs::create_directories(midiOut / song.filename());
        midistems::midi::writeMidiFile(midiOut / song.filename() / "drums.mid", {track});
      }
      std::array<Tally, kClasses> tallies{};
      std::array<std::vector<double>, kClasses> refTimes, estTimes;
      for (const auto& n : reference)
        if (int c = drumClass(n.pitch); c >= 0) refTimes[c].push_back(n.startSeconds);
      for (const auto& n : estimate)
        if (int c = drumClass(n.pitch); c >= 0) estTimes[c].push_back(n.startSeconds);
      for (auto& [key, tally] : keyTotal) {
        std::vector<double> refKey, estKey;
        for (const auto& n : reference)
          if (n.pitch == key) refKey.push_back(n.startSeconds);
        for (const auto& n : estimate)
          if (n.pitch == key) estKey.push_back(n.startSeconds);
        tally.add({int(refKey.size()), int(estKey.size()), countMatches(refKey, estKey, 0.05)});
      }
      Tally songTotal;
      for (int c = 0; c < kClasses; ++c) {
        tallies[c] = {int(refTimes[c].size()), int(estTimes[c].size()),
                      countMatches(refTimes[c], estTimes[c], 0.05)};
        total[c].add(tallies[c]);
        songTotal.add(tallies[c]);
      }
      std::printf("%s: overall F1=%.3f (", song.filename().c_str(), songTotal.f1());
      for (int c = 0; c < kClasses; ++c) std::printf("%s%s %.2f", c ? ", " : "", kClassName[c], tallies[c].f1());
      std::printf(")\n");
    }
    std::printf("all %zu songs, class-level onset F1 (50 ms):\n", songs.size());
    Tally overall;
    for (int c = 0; c < kClasses; ++c) {
      printRow(kClassName[c], total[c]);
      overall.add(total[c]);
    }
    printRow("overall", overall);
    std::printf("exact keys:\n");
    for (const auto& [key, tally] : keyTotal) printRow(("key " + std::to_string(key)).c_str(), tally);
    bool pass = true;
    if (overall.f1() < minF1) {
      std::printf("FAIL: overall F1 %.3f is below %.3f\n", overall.f1(), minF1);
      pass = false;
    }
    for (int c = 0; c < kClasses; ++c)
      if (total[c].f1() < minClassF1[c]) {
        std::printf("FAIL: %s F1 %.3f is below %.3f\n", kClassName[c], total[c].f1(), minClassF1[c]);
        pass = false;
      }
    for (const auto& [key, floor] : minKeyF1)
      if (keyTotal[key].f1() < floor) {
        std::printf("FAIL: key %d F1 %.3f is below %.3f\n", key, keyTotal[key].f1(), floor);
        pass = false;
      }
    if (!pass) return 1;
  } catch (const midistems::Error& e) {
    std::fprintf(stderr, "%s\n", e.what());
    return 2;
  }
  return 0;
}
