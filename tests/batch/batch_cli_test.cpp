// `midistems batch` end to end: the error contract for bad manifests and options, failure
// isolation and exit codes, stale and forced items, SIGTERM in the middle of an item, and SIGKILL
// at random moments (several seeds) followed by a rerun that loses nothing.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fcntl.h>
#include <fstream>
#include <map>
#include <random>
#include <thread>

#include "batch/completion.h"
#include "batch/report.h"
#include "core/audio_file.h"
#include "support/fixtures.h"
#include "support/run_cli.h"
#include <fmt/format.h>
#include <optional>

namespace bt = midistems::batch;
namespace fs = std::filesystem;
using midistems::testing::expectOneLineError;
using midistems::testing::quoted;
using midistems::testing::runMidistems;
using midistems::testing::scratchDir;

namespace {

const std::string kOptions = "--model dsp --offline --threads 1 --quiet";

void writeText(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

// 5 s cuts of the songgen songs (with the fixture), plus a bad file, and a manifest of them.
struct SongSet {
  fs::path dir, manifest;
  std::vector<std::string> songs;
};

std::optional<SongSet> makeSongs(const fs::path& dir, size_t count, std::string& missing) {
  const char* songs = std::getenv("MIDISTEMS_SONGS_DIR");
  if (!songs || !fs::exists(fs::path(songs) / "song_00" / "mixture.wav")) {
    missing = "MIDISTEMS_SONGS_DIR does not hold the songgen songs";
    return std::nullopt;
  }
  SongSet set{dir, dir / "manifest.txt", {}};
  std::string manifest = "# songs and one bad file\n";
  for (size_t i = 0; i < count; ++i) {
    midistems::AudioBuffer song =
        midistems::readAudio(fs::path(songs) / ("song_0" + std::to_string(i % 4)) / "mixture.wav");
    const size_t start = size_t(song.sampleRate) * 5 * (i / 4), frames = size_t(song.sampleRate) * 5;
    for (auto& ch : song.channels) ch = std::vector<float>(ch.begin() + long(start), ch.begin() + long(start + frames));
    const std::string name = "cut" + std::to_string(i) + ".wav";
    midistems::writeAudio(dir / name, song, {midistems::AudioContainer::Wav, midistems::SampleFormat::Pcm16});
    set.songs.push_back(name);
    manifest += name + "\n";
  }
  writeText(dir / "bad.wav", "RIFF but not audio");
  manifest += "bad.wav\n";
  writeText(set.manifest, manifest);
  return set;
}

#define REQUIRE_SONGS(set, dir, count)                               \
  std::string missing;                                              \
  const auto set = makeSongs(dir, count, missing);                  \
  if (!set) GTEST_SKIP() << "SKIPPED: " << missing;

// Each finished item folder's files as hashed now.
std::map<std::string, std::vector<bt::OutputFile>> finishedItems(const fs::path& out) {
  std::map<std::string, std::vector<bt::OutputFile>> items;
  for (const auto& e : fs::directory_iterator(out)) {
    const std::string name = e.path().filename().string();
    if (name[0] != '.') items[name] = bt::hashOutputs(e.path());
  }
  return items;
}

bool sameFiles(const std::vector<bt::OutputFile>& a, const std::vector<bt::OutputFile>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (a[i].path != b[i].path || a[i].size != b[i].size || a[i].sha256 != b[i].sha256) return false;
  return true;
}

// Every item folder of `out` is whole: its record lists exactly its files, with their hashes.
void expectOnlyWholeItems(const fs::path& out, const std::string& when) {
  for (const auto& e : fs::directory_iterator(out)) {
    const std::string name = e.path().filename().string();
    if (name == ".batch" || name.find("~partial~") != std::string::npos) continue;
    ASSERT_NE(name[0], '.') << when << ": unexpected " << name;
    std::ifstream in(e.path() / bt::kRecordName);
    ASSERT_TRUE(in) << when << ": " << name << " has no completion record";
    const nlohmann::json record = nlohmann::json::parse(in);
    const auto files = bt::hashOutputs(e.path());
    ASSERT_EQ(record["outputs"].size(), files.size()) << when << ": " << name;
    for (size_t i = 0; i < files.size(); ++i) {
      EXPECT_EQ(record["outputs"][i]["path"], files[i].path) << when;
      EXPECT_EQ(record["outputs"][i]["sha256"], files[i].sha256) << when << ": " << name << "/" << files[i].path;
    }
  }
}

size_t temporaries(const fs::path& out) {
  size_t n = 0;
  for (const auto& e : fs::recursive_directory_iterator(out)) {
    const std::string name = e.path().filename().string();
    n += name.find("~partial~") != std::string::npos || name.find("~old~") != std::string::npos ||
         name.find(".partial-") != std::string::npos;
  }
  return n;
}

// Starts `midistems batch` in the background (output to a log in `dir`).
pid_t startBatch(const fs::path& dir, const std::string& args) {
  const pid_t pid = ::fork();
  if (pid == 0) {
    const int fd = ::open((dir / "batch.log").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    ::dup2(fd, 1);
    ::dup2(fd, 2);
    const std::string command = "exec " + quoted(MIDISTEMS_CLI) + " batch " + args;
    ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  return pid;
}

int waitStatus(pid_t pid) {
  int raw = 0;
  ::waitpid(pid, &raw, 0);
  return WIFEXITED(raw) ? WEXITSTATUS(raw) : WIFSIGNALED(raw) ? 128 + WTERMSIG(raw) : -1;
}

}  // namespace

TEST(BatchCli, BadItemsFailAloneAndStaleItemsAreMadeAgain) {
  const auto dir = scratchDir("batch-cli-stale");
  REQUIRE_SONGS(songs, dir, 2);
  const fs::path out = dir / "out";
  const std::string args = quoted(songs->manifest) + " -o " + quoted(out) + " " + kOptions;
  auto r = runMidistems(dir, "batch " + args + " --outputs stems");
  EXPECT_EQ(r.status, 3) << r.err;
  EXPECT_NE(r.out.find("3 items: 2 done, 0 already done, 1 failed"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("bad.wav: not a readable audio file"), std::string::npos) << r.err;
  const auto first = finishedItems(out);
  ASSERT_EQ(first.size(), 2u);
  for (const auto& [id, files] : first) EXPECT_EQ(files.size(), 4u) << id << ": the four stems only";

  r = runMidistems(dir, "batch " + args + " --outputs stems");
  EXPECT_NE(r.out.find("0 done, 2 already done, 1 failed"), std::string::npos) << r.out;
  // Changed options: every item again; a changed input: that item again.
  r = runMidistems(dir, "batch " + args + " --outputs midi");
  EXPECT_NE(r.out.find("2 done, 0 already done"), std::string::npos) << r.out;
  for (const auto& [id, files] : finishedItems(out)) {
    ASSERT_EQ(files.size(), 3u) << id << ": MIDI, notes and picture, the stems gone";
    EXPECT_NE(files[0].path.find(".notes.json"), std::string::npos);
  }
  writeText(dir / "bad.wav", "still not audio");
  midistems::AudioBuffer cut = midistems::readAudio(dir / songs->songs[1]);
  cut.channels[0][0] += 0.25f;
  midistems::writeAudio(dir / songs->songs[1], cut, {midistems::AudioContainer::Wav, midistems::SampleFormat::Pcm16});
  r = runMidistems(dir, "batch " + args + " --outputs midi");
  EXPECT_NE(r.out.find("1 done, 1 already done, 1 failed"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("again: the input changed"), std::string::npos) << r.err;
  r = runMidistems(dir, "batch " + args + " --outputs midi --force");
  EXPECT_NE(r.out.find("2 done, 0 already done"), std::string::npos) << r.out;
  // Shards split the items between them.
  r = runMidistems(dir, "batch " + args + " --outputs midi --shard 1/2");
  EXPECT_NE(r.out.find("shard 1/2: 1 items: 0 done, 1 already done, 0 failed"), std::string::npos) << r.out;
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(temporaries(out), 0u);
  // A JSON Lines item names its folder and its own outputs.
  writeText(dir / "items.jsonl", "{\"path\": \"" + songs->songs[0] + "\", \"id\": \"first\", \"outputs\": \"stems\"}\n");
  r = runMidistems(dir, "batch " + quoted(dir / "items.jsonl") + " -o " + quoted(dir / "out2") + " " + kOptions);
  EXPECT_EQ(r.status, 0) << r.err;
  const auto items = finishedItems(dir / "out2");
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items.begin()->first, "first");
  EXPECT_EQ(items.begin()->second.size(), 4u);
  fs::remove_all(dir);
}

TEST(BatchCli, SigtermStopsAtOnceAndLeavesNoTemporaryFolder) {
  const auto dir = scratchDir("batch-cli-sigterm");
  REQUIRE_SONGS(songs, dir, 2);
  const fs::path out = dir / "out";
  const pid_t pid = startBatch(dir, quoted(songs->manifest) + " -o " + quoted(out) + " " + kOptions);
  // Wait for the first item's temporary folder, then stop the batch in the middle of that item.
  bool inItem = false;
  for (int i = 0; i < 600 && !inItem; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    if (fs::exists(out))
      for (const auto& e : fs::directory_iterator(out)) inItem |= e.path().filename().string().find("~partial~") != std::string::npos;
  }
  ASSERT_TRUE(inItem);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ::kill(pid, SIGTERM);
  EXPECT_EQ(waitStatus(pid), 128 + SIGTERM);
  EXPECT_EQ(temporaries(out), 0u) << "SIGTERM removes the item in progress";
  EXPECT_TRUE(finishedItems(out).empty());
  const bt::MergedReport merged = bt::mergeReports(out);
  EXPECT_EQ(merged.interrupted, 1u);
  EXPECT_EQ(merged.done, 0u);
  fs::remove_all(dir);
}

TEST(BatchCli, SigkillAtRandomMomentsLosesNothing) {
  const auto dir = scratchDir("batch-cli-sigkill");
  REQUIRE_SONGS(songs, dir, 2);
  const std::string manifest = quoted(songs->manifest);
  const auto started = std::chrono::steady_clock::now();
  auto r = runMidistems(dir, "batch " + manifest + " -o " + quoted(dir / "reference") + " " + kOptions);
  const double fullSeconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  ASSERT_EQ(r.status, 3) << r.err;
  const auto reference = finishedItems(dir / "reference");
  ASSERT_EQ(reference.size(), 2u);

  for (unsigned seed : {1u, 2u, 3u}) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    const fs::path out = dir / ("out" + std::to_string(seed));
    std::mt19937 rng(seed);
    // Two kills at random moments of a full run's time, then a run to the end.
    size_t killedWithTemporary = 0;
    for (int kill = 0; kill < 2; ++kill) {
      const double at = std::uniform_real_distribution<double>(0.05, 0.95)(rng) * fullSeconds;
      const pid_t pid = startBatch(dir, manifest + " -o " + quoted(out) + " " + kOptions);
      std::this_thread::sleep_for(std::chrono::duration<double>(at));
      ::kill(pid, SIGKILL);
      waitStatus(pid);
      if (fs::exists(out)) {
        expectOnlyWholeItems(out, "after SIGKILL at " + std::to_string(at) + " s");
        killedWithTemporary += temporaries(out) > 0;
        for (const auto& [id, files] : finishedItems(out)) EXPECT_TRUE(sameFiles(files, reference.at(id))) << id;
      }
    }
    r = runMidistems(dir, "batch " + manifest + " -o " + quoted(out) + " " + kOptions);
    EXPECT_EQ(r.status, 3) << r.err;
    EXPECT_EQ(temporaries(out), 0u) << "the rerun removes what the killed runs left";
    const auto finished = finishedItems(out);
    ASSERT_EQ(finished.size(), reference.size());
    for (const auto& [id, files] : finished) EXPECT_TRUE(sameFiles(files, reference.at(id))) << id;
    expectOnlyWholeItems(out, "after the rerun");
    const bt::MergedReport merged = bt::mergeReports(out);
    EXPECT_EQ(merged.done, 2u);
    EXPECT_EQ(merged.failed, 1u);
    fmt::print("seed {}: {} of 2 kills left a temporary folder\n", seed, killedWithTemporary);
  }
  fs::remove_all(dir);
}
