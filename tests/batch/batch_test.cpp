// The batch library's parts on their own: manifests (ids, bounds, errors), shards, completion
// records, leftover temporary folders, and the merge of reports.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <set>

#include "batch/completion.h"
#include "batch/item_folder.h"
#include "batch/manifest.h"
#include "batch/report.h"
#include "batch/shard.h"
#include "core/error.h"
#include "support/bounded_run.h"
#include "support/fixtures.h"
#include "support/run_cli.h"

namespace bt = midistems::batch;
namespace fs = std::filesystem;
using midistems::testing::expectOneLineError;
using midistems::testing::quoted;
using midistems::testing::runMidistems;
using midistems::testing::scratchDir;

namespace {

std::string errorOf(const std::string& text) {
  try {
    bt::parseManifest(text, "/songs", "m.txt");
  } catch (const midistems::Error& e) {
    return e.what();
  }
  return "";
}

void writeText(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

bt::Environment envOf(std::map<std::string, std::string> values) {
  return [values](const char* name) {
    const auto it = values.find(name);
    return it == values.end() ? std::string() : it->second;
  };
}

}  // namespace

TEST(BatchManifest, PlainTextSkipsCommentsAndResolvesRelativePaths) {
  const auto items = bt::parseManifest("# catalog\n\n  a/song one.wav  \r\n/abs/b.flac\n#c.wav\n", "/songs", "m.txt");
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].input, fs::path("/songs/a/song one.wav"));
  EXPECT_EQ(items[0].written, "a/song one.wav");
  EXPECT_EQ(items[0].line, 3u);
  EXPECT_EQ(items[1].input, fs::path("/abs/b.flac"));
  EXPECT_EQ(items[1].index, 1u);
}

TEST(BatchManifest, IdsAreSafeStableAndDistinct) {
  const std::string id = bt::idFromPath("a/song one.wav");
  EXPECT_EQ(id, bt::idFromPath("a/song one.wav"));
  EXPECT_EQ(id.rfind("song_one-", 0), 0u) << id;
  EXPECT_EQ(id.size(), std::string("song_one-").size() + 16);
  EXPECT_NE(id, bt::idFromPath("b/song one.wav"));
  for (const std::string& hostile : std::vector<std::string>{"../../etc/passwd", "..", "/", "a/..wav", "...", "~x~y~z.wav", "\xff\xfe.wav",
                                    ".hidden.wav", std::string(300, 'x') + ".wav"}) {
    const std::string safe = bt::idFromPath(hostile);
    EXPECT_TRUE(bt::isSafeId(safe)) << hostile << " -> " << safe;
    EXPECT_EQ(safe.find('/'), std::string::npos);
    EXPECT_EQ(safe.find('~'), std::string::npos);
  }
  for (const std::string& bad : std::vector<std::string>{"", ".", "..", "a..b", "a/b", ".x", "-x", "_x", "a~b", "a b", std::string(129, 'a')})
    EXPECT_FALSE(bt::isSafeId(bad)) << bad;
  EXPECT_TRUE(bt::isSafeId("Album_01.track-3"));
}

TEST(BatchManifest, JsonLinesCarryIdsAndOptions) {
  const auto items = bt::parseManifest(
      "{\"path\": \"x.wav\", \"id\": \"track-1\", \"model\": \"dsp\", \"outputs\": \"midi\", \"sample_rate\": 48000}\n"
      "# a comment\n"
      "{\"path\": \"y.wav\", \"preset\": \"Warm Pad\"}\n",
      "/songs", "m.jsonl");
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].id, "track-1");
  EXPECT_EQ(*items[0].options.model, "dsp");
  EXPECT_EQ(*items[0].options.outputs, "midi");
  EXPECT_EQ(*items[0].options.sampleRate, 48000);
  EXPECT_EQ(items[1].id, bt::idFromPath("y.wav"));
  EXPECT_EQ(*items[1].options.preset, "Warm Pad");
  EXPECT_FALSE(items[1].options.model);
}

TEST(BatchManifest, MalformedManifestsFailWithTheLine) {
  EXPECT_NE(errorOf("{\"path\": \"a.wav\"}\nb.wav\n").find("m.txt:2: not a JSON object"), std::string::npos);
  EXPECT_NE(errorOf("{\"path\": \"a.wav\", \"id\": \"../x\"}\n").find("m.txt:1: \"id\""), std::string::npos);
  EXPECT_NE(errorOf("{\"path\": \"a.wav\", \"modle\": \"dsp\"}\n").find("unknown key \"modle\""), std::string::npos);
  EXPECT_NE(errorOf("{\"path\": 3}\n").find("\"path\" must be a string"), std::string::npos);
  EXPECT_NE(errorOf("{\"id\": \"a\"}\n").find("no \"path\""), std::string::npos);
  EXPECT_NE(errorOf("{\"path\": \"a\", \"sample_rate\": 1e9}\n").find("sample_rate"), std::string::npos);
  EXPECT_NE(errorOf("{\"path\": \"a\", \"outputs\": \"all-of-it\"}\n").find("outputs"), std::string::npos);
  EXPECT_NE(errorOf("a.wav\nb.wav\na.wav\n").find("m.txt:3: item id"), std::string::npos);
  EXPECT_NE(errorOf("a.wav\n" + std::string(bt::kMaxLineBytes + 1, 'x') + "\n").find("m.txt:2: line longer"),
            std::string::npos);
  EXPECT_NE(errorOf("# nothing\n\n").find("lists no items"), std::string::npos);
  EXPECT_NE(errorOf(std::string("a\0b.wav\n", 8)).find("NUL"), std::string::npos);
  // Deep nesting is refused as a bad line, not a crash.
  EXPECT_NE(errorOf("{\"path\": " + std::string(8000, '[') + "\n").find("m.txt:1:"), std::string::npos);
}

TEST(BatchManifest, ItemCountIsBounded) {
  EXPECT_EQ(bt::parseManifest("a\nb\n# c\nc\n", "", "m.txt", 3).size(), 3u);
  try {
    bt::parseManifest("a\nb\nc\nd\n", "", "m.txt", 3);
    ADD_FAILURE() << "a fourth item was accepted";
  } catch (const midistems::Error& e) {
    EXPECT_NE(std::string(e.what()).find("m.txt:4: more than 3 items"), std::string::npos) << e.what();
  }
}

TEST(BatchManifest, ReadsFromAFileRelativeToItsFolder) {
  const auto dir = scratchDir("batch-manifest");
  writeText(dir / "list.txt", "a.wav\n");
  const auto items = bt::readManifest(dir / "list.txt");
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0].input, dir / "a.wav");
  EXPECT_THROW(bt::readManifest(dir / "missing.txt"), midistems::Error);
  fs::remove_all(dir);
}

TEST(BatchShard, FlagSlurmKubernetesOrWhole) {
  const auto none = envOf({});
  EXPECT_EQ(bt::resolveShard("", 0, none).count, 1u);
  const bt::Shard s = bt::resolveShard("3/16", 0, none);
  EXPECT_EQ(s.index, 3u);
  EXPECT_EQ(s.count, 16u);
  EXPECT_TRUE(s.owns(3));
  EXPECT_TRUE(s.owns(19));
  EXPECT_FALSE(s.owns(4));
  const bt::Shard slurm = bt::resolveShard(
      "", 0, envOf({{"SLURM_ARRAY_TASK_ID", "5"}, {"SLURM_ARRAY_TASK_MIN", "1"}, {"SLURM_ARRAY_TASK_MAX", "16"},
                    {"SLURM_ARRAY_TASK_COUNT", "16"}}));
  EXPECT_EQ(slurm.index, 4u);
  EXPECT_EQ(slurm.count, 16u);
  // The flag wins over the environment.
  EXPECT_EQ(bt::resolveShard("0/2", 0, envOf({{"SLURM_ARRAY_TASK_ID", "1"}, {"SLURM_ARRAY_TASK_COUNT", "2"}})).index,
            0u);
  const bt::Shard k8s = bt::resolveShard("", 8, envOf({{"JOB_COMPLETION_INDEX", "7"}}));
  EXPECT_EQ(k8s.index, 7u);
  EXPECT_EQ(k8s.count, 8u);
}

TEST(BatchShard, InconsistentShardsAreErrors) {
  const auto none = envOf({});
  for (const std::string& bad : std::vector<std::string>{"3", "3/", "/3", "a/b", "-1/2", "2/2", "0/0", "1/2/3", " 1/2", "99999999/100000000"})
    EXPECT_THROW(bt::resolveShard(bad, 0, none), midistems::Error) << bad;
  EXPECT_THROW(bt::resolveShard("", 4, none), midistems::Error);
  EXPECT_THROW(bt::resolveShard("", 0, envOf({{"JOB_COMPLETION_INDEX", "1"}})), midistems::Error);
  EXPECT_THROW(bt::resolveShard("", 4, envOf({{"JOB_COMPLETION_INDEX", "4"}})), midistems::Error);
  EXPECT_THROW(bt::resolveShard("", 0, envOf({{"SLURM_ARRAY_TASK_ID", "x"}, {"SLURM_ARRAY_TASK_COUNT", "2"}})),
               midistems::Error);
  // An array with steps: task ids 0, 2, 4, 6 give 4 tasks but MAX - MIN + 1 = 7.
  EXPECT_THROW(bt::resolveShard("", 0, envOf({{"SLURM_ARRAY_TASK_ID", "2"}, {"SLURM_ARRAY_TASK_MIN", "0"},
                                              {"SLURM_ARRAY_TASK_MAX", "6"}, {"SLURM_ARRAY_TASK_COUNT", "4"}})),
               midistems::Error);
}

TEST(BatchShard, EveryItemBelongsToExactlyOneShard) {
  for (size_t n : {1u, 2u, 3u, 7u, 16u}) {
    std::vector<int> owners(100, 0);
    for (size_t i = 0; i < n; ++i) {
      const bt::Shard s = bt::resolveShard(std::to_string(i) + "/" + std::to_string(n), 0, envOf({}));
      for (size_t k = 0; k < owners.size(); ++k) owners[k] += s.owns(k);
    }
    for (int o : owners) EXPECT_EQ(o, 1);
  }
}

TEST(BatchCompletion, RecordMatchesOnlyTheSameInputOptionsVersionAndOutputs) {
  const auto dir = scratchDir("batch-record");
  writeText(dir / "song.wav", "song bytes");
  fs::create_directories(dir / "item" / "stems");
  writeText(dir / "item" / "a..b.mid", "midi");  // '..' inside a name is no escape
  writeText(dir / "item" / "stems" / "bass.wav", "bass");
  const bt::InputFingerprint input = bt::fingerprintInput(dir / "song.wav");
  EXPECT_EQ(input.size, 10u);
  const nlohmann::json options = {{"separator", "dsp"}};
  bt::CompletionRecord record{"item", "song.wav", input, options, "1.0", bt::hashOutputs(dir / "item"), 1.5};
  ASSERT_EQ(record.outputs.size(), 2u);
  EXPECT_EQ(record.outputs[0].path, "a..b.mid");
  EXPECT_EQ(record.outputs[1].path, "stems/bass.wav");
  EXPECT_EQ(bt::checkCompletion(dir / "item", input, options, "1.0").why, "no completion record");
  bt::writeRecord(dir / "item", record);
  EXPECT_EQ(bt::hashOutputs(dir / "item").size(), 2u) << "the record is not an output";
  EXPECT_TRUE(bt::checkCompletion(dir / "item", input, options, "1.0").done);
  EXPECT_EQ(bt::checkCompletion(dir / "item", input, {{"separator", "htdemucs"}}, "1.0").why, "the options changed");
  EXPECT_EQ(bt::checkCompletion(dir / "item", input, options, "1.1").why, "made by another program version");
  writeText(dir / "song.wav", "song bytez");
  EXPECT_EQ(bt::checkCompletion(dir / "item", bt::fingerprintInput(dir / "song.wav"), options, "1.0").why,
            "the input changed");
  writeText(dir / "item" / "stems" / "bass.wav", "bas");
  EXPECT_FALSE(bt::checkCompletion(dir / "item", input, options, "1.0").done);
  writeText(dir / "item" / bt::kRecordName, "{\"format\": 1, \"input\": 7}");
  EXPECT_EQ(bt::checkCompletion(dir / "item", input, options, "1.0").why, "the completion record is malformed");
  writeText(dir / "item" / bt::kRecordName, "{");
  EXPECT_EQ(bt::checkCompletion(dir / "item", input, options, "1.0").why, "the completion record is malformed");
  EXPECT_THROW(bt::fingerprintInput(dir / "none.wav"), midistems::Error);
  fs::remove_all(dir);
}

TEST(BatchItemFolder, CommitReplacesAndAbandonedBuildsLeaveNothing) {
  const auto dir = scratchDir("batch-folder");
  {
    bt::ItemBuild build(dir, "a");
    writeText(build.temp() / "x", "first");
    build.commit();
  }
  EXPECT_EQ(midistems::testing::slurp(dir / "a" / "x"), "first");
  {
    bt::ItemBuild build(dir, "a");
    writeText(build.temp() / "y", "second");
    build.commit();
  }
  EXPECT_FALSE(fs::exists(dir / "a" / "x")) << "a replaced folder keeps nothing of the old one";
  EXPECT_EQ(midistems::testing::slurp(dir / "a" / "y"), "second");
  {
    bt::ItemBuild build(dir, "b");
    writeText(build.temp() / "z", "abandoned");
  }
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.insert(e.path().filename().string());
  EXPECT_EQ(names, (std::set<std::string>{"a"}));
  fs::remove_all(dir);
}

TEST(BatchItemFolder, LeftoversOfGoneProcessesAreRemovedOnlyForOwnItems) {
  const auto dir = scratchDir("batch-leftovers");
  const std::string host = bt::hostName();
  // A process number no process has (above the kernel's pid_max of 2^22).
  const std::string dead = std::to_string(1 << 23);
  for (const std::string& name : std::vector<std::string>{".a~partial~" + host + "~" + dead, ".a~old~" + host + "~" + dead,
                                 ".a~partial~elsewhere~1", ".b~partial~" + host + "~" + dead,
                                 ".a~partial~" + host + "~" + std::to_string(::getpid()), "a", ".batch"})
    fs::create_directories(dir / name);
  EXPECT_EQ(bt::removeLeftovers(dir, {"a"}), 4u);
  std::set<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.insert(e.path().filename().string());
  EXPECT_EQ(names, (std::set<std::string>{".b~partial~" + host + "~" + dead, "a", ".batch"}));
  fs::remove_all(dir);
}

TEST(BatchReport, MergeTakesEachItemsLatestLine) {
  const auto dir = scratchDir("batch-report");
  const bt::ReportWriter s0(dir, bt::resolveShard("0/2", 0, envOf({})));
  const bt::ReportWriter s1(dir, bt::resolveShard("1/2", 0, envOf({})));
  s0.append({{"id", "a"}, {"input", "a.wav"}, {"status", "failed"}, {"error", "a.wav: bad"}});
  s0.append({{"id", "a"}, {"input", "a.wav"}, {"status", "done"}, {"seconds", 10.0}, {"audio_seconds", 100.0}});
  s1.append({{"id", "b"}, {"input", "b.wav"}, {"status", "interrupted"}});
  s1.append({{"id", "c"}, {"input", "c.wav"}, {"status", "failed"}, {"error", "c.wav: not audio"}});
  s1.append({{"id", "d"}, {"input", "d.wav"}, {"status", "skipped"}});
  s1.append({{"id", "e"}, {"input", "e.wav"}, {"status", "done"}, {"seconds", 30.0}, {"audio_seconds", 200.0}});
  {
    std::ofstream cut(s1.path(), std::ios::app);
    cut << "{\"id\": \"f\", \"stat";  // a line cut short by a kill
  }
  const bt::MergedReport m = bt::mergeReports(dir);
  EXPECT_EQ(m.reports, 2u);
  EXPECT_EQ(m.items, 5u);
  EXPECT_EQ(m.done, 3u);
  EXPECT_EQ(m.failed, 1u);
  EXPECT_EQ(m.interrupted, 1u);
  EXPECT_EQ(m.damagedLines, 1u);
  EXPECT_EQ(m.madeNow, 2u);
  EXPECT_DOUBLE_EQ(m.itemSeconds, 40.0);
  ASSERT_EQ(m.failures.size(), 1u);
  EXPECT_EQ(m.failures[0]["error"], "c.wav: not audio");
  const nlohmann::json j = bt::mergedToJson(m);
  EXPECT_DOUBLE_EQ(j["songs_per_hour_per_task"].get<double>(), 3600.0 * 2 / 40);
  EXPECT_NE(bt::mergedToText(m).find("failed: c (c.wav): c.wav: not audio"), std::string::npos);
  EXPECT_THROW(bt::mergeReports(dir / "none"), midistems::Error);
  fs::remove_all(dir);
}

TEST(BatchCliUsage, MalformedManifestsAndOptionsAreUsageErrors) {
  const auto dir = scratchDir("batch-cli-usage");
  writeText(dir / "bad.jsonl", "{\"path\": \"a.wav\"}\n{\"path\": \"b.wav\", \"id\": \"../up\"}\n");
  expectOneLineError(runMidistems(dir, "batch " + quoted(dir / "bad.jsonl") + " -o " + quoted(dir / "out")),
                     {"bad.jsonl:2", "\"id\"", "safe folder name"});
  EXPECT_FALSE(fs::exists(dir / "out")) << "nothing is created for a bad manifest";
  writeText(dir / "long.txt", std::string(20000, 'a') + "\n");
  expectOneLineError(runMidistems(dir, "batch " + quoted(dir / "long.txt") + " -o " + quoted(dir / "out")),
                     {"long.txt:1", "line longer"});
  expectOneLineError(runMidistems(dir, "batch " + quoted(dir / "none.txt") + " -o " + quoted(dir / "out")),
                     {"none.txt", "manifest not found"});
  writeText(dir / "ok.txt", "a.wav\n");
  expectOneLineError(runMidistems(dir, "batch " + quoted(dir / "ok.txt") + " -o " + quoted(dir / "out") +
                                           " --shard 2/2"),
                     {"--shard 2/2", "outside"});
  expectOneLineError(runMidistems(dir, "batch " + quoted(dir / "ok.txt")), {"-o OUT"});
  expectOneLineError(runMidistems(dir, "batch " + quoted(dir / "ok.txt") + " -o " + quoted(dir / "out") +
                                           " --model nosuchmodel --offline"),
                     {"--model nosuchmodel", "unknown model"});
  expectOneLineError(runMidistems(dir, "batch " + quoted(dir / "ok.txt") + " -o " + quoted(dir / "out") + " --shards 3",
                                  "JOB_COMPLETION_INDEX=5"),
                     {"outside"});
  expectOneLineError(runMidistems(dir, "batch report " + quoted(dir / "out2")), {"no batch reports"});
  fs::remove_all(dir);
}


TEST(BatchManifest, HostileManifestsStayWithinTheBudgets) {
  const auto dir = scratchDir("batch-hostile");
  // Larger than the budget (sparse: costs no disk): refused before anything is read.
  fs::resize_file((writeText(dir / "huge.txt", "a.wav\n"), dir / "huge.txt"), bt::kMaxManifestBytes + 1);
  // A line of nested arrays as deep as a line allows.
  writeText(dir / "deep.jsonl", "{\"path\": " + std::string(bt::kMaxLineBytes - 20, '[') + "\n");
  const std::map<std::string, std::string> expected = {{"huge.txt", "manifest larger than 256 MiB"},
                                                       {"deep.jsonl", "deep.jsonl:1: not a JSON object"}};
  for (const auto& [name, error] : expected) {
    const auto run = midistems::testing::runBounded([&] {
      try {
        bt::readManifest(dir / name);
      } catch (const midistems::Error& e) {
        return std::string(e.what());
      }
      return std::string("accepted");
    });
    EXPECT_EQ(run.exitStatus, 0) << name;
    EXPECT_NE(run.output.find(error), std::string::npos) << run.output;
    EXPECT_LT(run.peakRssMiB, 200) << name;
  }
  fs::remove_all(dir);
}
