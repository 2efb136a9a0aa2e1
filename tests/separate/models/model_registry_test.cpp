// The registry's facts, the install folder rules, and downloads against a local HTTP server
// (success, wrong checksum, truncated, 404, unreachable, offline): a failed fetch never leaves a
// file behind.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "core/error.h"
#include "local_http_server.h"
#include "support/bounded_run.h"
#include "separate/models/model_registry.h"
#include "separate/models/sha256.h"
#include "support/fixtures.h"
#include "support/scoped_env.h"

namespace {

namespace fs = std::filesystem;
using midistems::separate::ModelEntry;
using midistems::testing::ScopedEnv;

std::string errorOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const midistems::Error& e) {
    return e.what();
  }
  return "";
}

std::vector<std::string> filesIn(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

TEST(ModelRegistry, KnowsTheDemucsV4Releases) {
  const ModelEntry* ht = midistems::separate::findModel("htdemucs");
  ASSERT_NE(ht, nullptr);
  EXPECT_EQ(ht->files, std::vector<std::string>{"955717e8-8726e21a.th"});
  EXPECT_EQ(ht->sha256Prefixes, std::vector<std::string>{"8726e21a"});
  EXPECT_EQ(ht->sources, (std::vector<std::string>{"drums", "bass", "other", "vocals"}));
  EXPECT_TRUE(ht->bagWeights.empty());
  EXPECT_TRUE(ht->supported);

  const ModelEntry* ft = midistems::separate::findModel("htdemucs_ft");
  ASSERT_NE(ft, nullptr);
  ASSERT_EQ(ft->files.size(), 4u);
  EXPECT_EQ(ft->files[0], "f7e0c4bc-ba3fe64a.th");
  EXPECT_EQ(ft->sha256Prefixes[3], "f3cf25b2");
  // Model m contributes only source m (remote/htdemucs_ft.yaml).
  ASSERT_EQ(ft->bagWeights.size(), 4u);
  for (size_t m = 0; m < 4; ++m)
    for (size_t s = 0; s < 4; ++s) EXPECT_EQ(ft->bagWeights[m][s], m == s ? 1.0f : 0.0f);

  const ModelEntry* six = midistems::separate::findModel("htdemucs_6s");
  ASSERT_NE(six, nullptr);
  EXPECT_EQ(six->sources.size(), 6u);
  EXPECT_EQ(six->sources[4], "guitar");
  EXPECT_EQ(six->sha256Prefixes, std::vector<std::string>{"34c22ccb"});

  const ModelEntry* mmi = midistems::separate::findModel("hdemucs_mmi");
  ASSERT_NE(mmi, nullptr);
  EXPECT_FALSE(mmi->supported);
  EXPECT_EQ(midistems::separate::findModel("no_such_model"), nullptr);
  for (const auto& m : midistems::separate::knownModels()) {
    EXPECT_EQ(m.files.size(), m.sha256Prefixes.size()) << m.name;
    // Demucs release names carry 8 hex digits of the SHA-256; the others publish all of it.
    for (const auto& p : m.sha256Prefixes) EXPECT_EQ(p.size(), m.urls.empty() ? 8u : 64u) << m.name;
  }
}

// Each RoFormer release is its checkpoint and its YAML config, each with its own URL, published
// size and whole SHA-256; the config's URL is pinned to a commit, so its bytes cannot change.
TEST(ModelRegistry, KnowsTheRoformerReleasesAsCheckpointAndConfig) {
  size_t roformers = 0;
  for (const auto& m : midistems::separate::knownModels()) {
    if (m.architecture == midistems::separate::Architecture::kHTDemucs) continue;
    ++roformers;
    ASSERT_EQ(m.files, (std::vector<std::string>{m.name + ".ckpt", m.name + ".yaml"})) << m.name;
    ASSERT_EQ(m.urls.size(), 2u) << m.name;
    ASSERT_EQ(m.sizes.size(), 2u) << m.name;
    for (size_t i = 0; i < 2; ++i) {
      EXPECT_EQ(m.urls[i].rfind("https://", 0), 0u) << m.urls[i];
      EXPECT_GT(m.sizes[i], i == 0 ? 100000000u : 1000u) << m.name;
      EXPECT_EQ(m.sha256Prefixes[i].find_first_not_of("0123456789abcdef"), std::string::npos) << m.name;
      // The URL of each file is the place its size and hash were published for.
      midistems::testing::ScopedEnv mirror("MIDISTEMS_MODELS_URL", nullptr);
      EXPECT_EQ(midistems::separate::modelFileUrl(m, i, ""), m.urls[i]);
    }
    EXPECT_NE(m.urls[1].find("/ccc011abf7f89dd7922bb2888d48493b575c0289/configs/"), std::string::npos) << m.urls[1];
    EXPECT_EQ(m.sources, std::vector<std::string>{"vocals"}) << m.name;
  }
  EXPECT_EQ(roformers, 3u);
  const ModelEntry* bs = midistems::separate::findModel("bs_roformer_vocals_viperx");
  ASSERT_NE(bs, nullptr);
  EXPECT_EQ(bs->architecture, midistems::separate::Architecture::kBSRoformer);
  EXPECT_EQ(bs->sizes[0], 639331213u);
  EXPECT_EQ(bs->sha256Prefixes[0], "5b84f37e8d444c8cb30c79d77f613a41c05868ff9c9ac6c7049c00aefae115aa");
  const ModelEntry* kj = midistems::separate::findModel("mel_roformer_vocals_kj");
  ASSERT_NE(kj, nullptr);
  EXPECT_EQ(kj->architecture, midistems::separate::Architecture::kMelBandRoformer);
  EXPECT_EQ(kj->sha256Prefixes[0], "87201f4d31afb5bc79993230fc49446918425574db48c01c405e44f365c7559e");
}

// A file is fetched from the folder given to `models fetch --url`, else the mirror folder of
// $MIDISTEMS_MODELS_URL, else its own published URL, else the Demucs release folder.
TEST(ModelRegistry, FileUrlPrefersTheGivenFolderThenTheMirrorThenItsOwn) {
  const ModelEntry& bs = *midistems::separate::findModel("bs_roformer_vocals_viperx");
  const ModelEntry& ht = *midistems::separate::findModel("htdemucs");
  ScopedEnv none("MIDISTEMS_MODELS_URL", nullptr);
  EXPECT_EQ(midistems::separate::modelFileUrl(bs, 1, "http://h/x"), "http://h/x/bs_roformer_vocals_viperx.yaml");
  EXPECT_EQ(midistems::separate::modelFileUrl(ht, 0, ""),
            "https://dl.fbaipublicfiles.com/demucs/hybrid_transformer/955717e8-8726e21a.th");
  ScopedEnv mirror("MIDISTEMS_MODELS_URL", "http://m/models");
  EXPECT_EQ(midistems::separate::modelFileUrl(bs, 0, ""), "http://m/models/bs_roformer_vocals_viperx.ckpt");
  EXPECT_EQ(midistems::separate::modelFileUrl(bs, 0, "http://h/x/"), "http://h/x/bs_roformer_vocals_viperx.ckpt");
}

TEST(ModelRegistry, ModelsDirFollowsOverrideThenXdgThenHome) {
  ScopedEnv home("HOME", "/home/someone");
  {
    ScopedEnv over("MIDISTEMS_MODELS_DIR", "/data/models");
    ScopedEnv xdg("XDG_DATA_HOME", "/xdg");
    EXPECT_EQ(midistems::separate::modelsDir(), fs::path("/data/models"));
  }
  ScopedEnv over("MIDISTEMS_MODELS_DIR", nullptr);
  {
    ScopedEnv xdg("XDG_DATA_HOME", "/xdg");
    EXPECT_EQ(midistems::separate::modelsDir(), fs::path("/xdg/midistems/models"));
  }
  {
    ScopedEnv xdg("XDG_DATA_HOME", "relative/ignored");
    EXPECT_EQ(midistems::separate::modelsDir(), fs::path("/home/someone/.local/share/midistems/models"));
  }
  ScopedEnv xdg("XDG_DATA_HOME", nullptr);
  EXPECT_EQ(midistems::separate::modelsDir(), fs::path("/home/someone/.local/share/midistems/models"));
  {
    ScopedEnv url("MIDISTEMS_MODELS_URL", "http://127.0.0.1:1/x");
    EXPECT_EQ(midistems::separate::modelsBaseUrl(), "http://127.0.0.1:1/x/");
  }
}

TEST(ModelRegistry, MissingModelNamesTheFetchCommand) {
  const auto dir = midistems::testing::scratchDir("models-missing");
  ScopedEnv over("MIDISTEMS_MODELS_DIR", dir.c_str());
  const ModelEntry& ht = *midistems::separate::findModel("htdemucs");
  EXPECT_EQ(errorOf([&] { midistems::separate::installedModelFiles(ht); }),
            "model 'htdemucs' is not installed; run: midistems models fetch htdemucs");
  EXPECT_EQ(midistems::separate::countInstalledFiles(ht), 0u);
  std::ofstream(dir / "955717e8-8726e21a.th") << "x";
  EXPECT_EQ(midistems::separate::installedModelFiles(ht), std::vector<fs::path>{dir / "955717e8-8726e21a.th"});
  EXPECT_NE(errorOf([&] {
              midistems::separate::installedModelFiles(*midistems::separate::findModel("hdemucs_mmi"));
            }).find("not supported"),
            std::string::npos);
  fs::remove_all(dir);
}

TEST(ModelRegistry, OfflineByEnvironment) {
  const std::pair<const char*, bool> cases[] = {{nullptr, false}, {"", false},     {"0", false},
                                                {"false", false}, {"No", false},   {"OFF", false},
                                                {"1", true},      {"true", true},  {"yes", true}};
  for (const auto& [value, offline] : cases) {
    ScopedEnv env("MIDISTEMS_OFFLINE", value);
    EXPECT_EQ(midistems::separate::offlineByEnvironment(), offline) << (value ? value : "(unset)");
  }
}

// A made-up two-file model served by the local server. Constructing it also keeps any proxy
// settings of the environment away from 127.0.0.1 and allows downloads (the test suite runs with
// MIDISTEMS_OFFLINE=1).
struct ServedModel {
  ScopedEnv noProxy{"no_proxy", "*"};
  ScopedEnv online{"MIDISTEMS_OFFLINE", nullptr};
  std::string first = std::string(200000, 'm') + "first model file";
  std::string second = "second model file";
  ModelEntry entry;
  ServedModel() {
    entry.name = "tiny";
    entry.files = {"aaaa0001-x.th", "aaaa0002-y.th"};
    entry.sha256Prefixes = {midistems::separate::sha256Hex(first.data(), first.size()).substr(0, 8),
                            midistems::separate::sha256Hex(second.data(), second.size()).substr(0, 10)};
    entry.sources = {"drums", "bass", "other", "vocals"};
  }
};

TEST(ModelDownload, FetchesVerifiesAndSkipsWhatIsAlreadyThere) {
  const auto dir = midistems::testing::scratchDir("models-fetch") / "nested" / "models";
  ScopedEnv over("MIDISTEMS_MODELS_DIR", dir.c_str());
  ServedModel model;
  midistems::testing::LocalHttpServer server({{"aaaa0001-x.th", model.first}, {"aaaa0002-y.th", model.second}});
  uint64_t lastReceived = 0, lastTotal = 0;
  midistems::separate::fetchModel(model.entry, server.url(), [&](const std::string& file, uint64_t r, uint64_t t) {
    if (file == "aaaa0001-x.th") lastReceived = r, lastTotal = t;
  });
  EXPECT_EQ(lastReceived, model.first.size());
  EXPECT_EQ(lastTotal, model.first.size());
  EXPECT_EQ(filesIn(dir), (std::vector<std::string>{"aaaa0001-x.th", "aaaa0002-y.th"}));
  EXPECT_TRUE(midistems::separate::verifyFile(dir / "aaaa0001-x.th", model.entry.sha256Prefixes[0]));
  EXPECT_FALSE(midistems::separate::verifyFile(dir / "aaaa0001-x.th", "00000000"));
  EXPECT_FALSE(midistems::separate::verifyFile(dir / "absent.th", "00000000"));
  std::ifstream in(dir / "aaaa0001-x.th", std::ios::binary);
  EXPECT_EQ(std::string(std::istreambuf_iterator<char>(in), {}), model.first);
  EXPECT_EQ(server.requests(), 2);
  // Intact files are not downloaded again; a damaged one is replaced.
  std::ofstream(dir / "aaaa0002-y.th", std::ios::binary) << "damaged";
  midistems::separate::fetchModel(model.entry, server.url());
  EXPECT_EQ(server.requests(), 3);
  EXPECT_TRUE(midistems::separate::verifyFile(dir / "aaaa0002-y.th", model.entry.sha256Prefixes[1]));
  EXPECT_EQ(midistems::separate::installedModelFiles(model.entry).size(), 2u);
  fs::remove_all(dir.parent_path().parent_path());
}

TEST(ModelDownload, EmptyBaseUrlMeansTheEnvironmentOverride) {
  const auto dir = midistems::testing::scratchDir("models-envurl");
  ScopedEnv over("MIDISTEMS_MODELS_DIR", dir.c_str());
  ServedModel model;
  midistems::testing::LocalHttpServer server({{"aaaa0001-x.th", model.first}, {"aaaa0002-y.th", model.second}});
  ScopedEnv url("MIDISTEMS_MODELS_URL", server.url().c_str());
  midistems::separate::fetchModel(model.entry, "");
  EXPECT_EQ(server.requests(), 2);
  EXPECT_EQ(filesIn(dir), (std::vector<std::string>{"aaaa0001-x.th", "aaaa0002-y.th"}));
  fs::remove_all(dir);
}

TEST(ModelDownload, WrongChecksumLeavesNoFile) {
  const auto dir = midistems::testing::scratchDir("models-badsum");
  ScopedEnv over("MIDISTEMS_MODELS_DIR", dir.c_str());
  ServedModel model;
  model.entry.sha256Prefixes[0] = "deadbeef";
  midistems::testing::LocalHttpServer server({{"aaaa0001-x.th", model.first}, {"aaaa0002-y.th", model.second}});
  const std::string message = errorOf([&] { midistems::separate::fetchModel(model.entry, server.url()); });
  EXPECT_EQ(message.rfind(server.url() + "aaaa0001-x.th: checksum mismatch (expected sha256 deadbeef..., got ", 0), 0u)
      << message;
  EXPECT_TRUE(filesIn(dir).empty());
  fs::remove_all(dir);
}

// A connection that closes before the announced length arrived: curl reports it, and neither
// the file nor its temporary copy stays, so the model does not count as installed.
TEST(ModelDownload, TruncatedBodyLeavesNoFile) {
  const auto dir = midistems::testing::scratchDir("models-truncated");
  ScopedEnv over("MIDISTEMS_MODELS_DIR", dir.c_str());
  ServedModel model;
  midistems::testing::LocalHttpServer server({{"aaaa0001-x.th", model.first}, {"aaaa0002-y.th", model.second}});
  server.truncateBodiesTo(model.first.size() / 2);
  const std::string message = errorOf([&] { midistems::separate::fetchModel(model.entry, server.url()); });
  EXPECT_EQ(message.rfind(server.url() + "aaaa0001-x.th: download failed (", 0), 0u) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos);
  EXPECT_EQ(server.requests(), 1);
  EXPECT_TRUE(filesIn(dir).empty());
  EXPECT_EQ(midistems::separate::countInstalledFiles(model.entry), 0u);
  fs::remove_all(dir);
}

// MIDISTEMS_OFFLINE=1: a model with a missing file is refused without a connection or a folder
// being made; an intact one is accepted.
TEST(ModelDownload, OfflineEnvironmentDownloadsNothing) {
  const auto dir = midistems::testing::scratchDir("models-offline") / "models";
  ScopedEnv over("MIDISTEMS_MODELS_DIR", dir.c_str());
  ServedModel model;
  midistems::testing::LocalHttpServer server({{"aaaa0001-x.th", model.first}, {"aaaa0002-y.th", model.second}});
  {
    ScopedEnv offline("MIDISTEMS_OFFLINE", "1");
    EXPECT_EQ(errorOf([&] { midistems::separate::fetchModel(model.entry, server.url()); }),
              "model 'tiny' is not installed and downloads are off (MIDISTEMS_OFFLINE is set)");
    EXPECT_FALSE(fs::exists(dir));
  }
  EXPECT_EQ(server.requests(), 0);
  midistems::separate::fetchModel(model.entry, server.url());
  EXPECT_EQ(server.requests(), 2);
  ScopedEnv offline("MIDISTEMS_OFFLINE", "1");
  EXPECT_EQ(errorOf([&] { midistems::separate::fetchModel(model.entry, server.url()); }), "");
  EXPECT_EQ(server.requests(), 2);
  fs::remove_all(dir.parent_path());
}

TEST(ModelDownload, NotFoundIsAClearErrorAndLeavesNoFile) {
  const auto dir = midistems::testing::scratchDir("models-404");
  ScopedEnv over("MIDISTEMS_MODELS_DIR", dir.c_str());
  ServedModel model;
  midistems::testing::LocalHttpServer server({{"aaaa0001-x.th", model.first}});  // second is absent
  EXPECT_EQ(errorOf([&] { midistems::separate::fetchModel(model.entry, server.url()); }),
            server.url() + "aaaa0002-y.th: HTTP 404 (no such file on the server)");
  // The first file was complete and verified, so it stays; nothing partial does.
  EXPECT_EQ(filesIn(dir), std::vector<std::string>{"aaaa0001-x.th"});
  fs::remove_all(dir);
}

// A published size that the server contradicts (it announces another length): cut off before the
// body, one line, nothing left; the same file with the right size installs.
TEST(ModelDownload, SizeOtherThanPublishedLeavesNoFile) {
  const auto dir = midistems::testing::scratchDir("models-size");
  ScopedEnv over("MIDISTEMS_MODELS_DIR", dir.c_str());
  ServedModel model;
  midistems::testing::LocalHttpServer server({{"aaaa0001-x.th", model.first}, {"aaaa0002-y.th", model.second}});
  for (const uint64_t published : {uint64_t(model.first.size() - 1), uint64_t(model.first.size() + 1)}) {
    model.entry.sizes = {published, model.second.size()};
    const std::string message = errorOf([&] { midistems::separate::fetchModel(model.entry, server.url()); });
    EXPECT_EQ(message, server.url() + "aaaa0001-x.th: " + std::to_string(model.first.size()) +
                           " bytes, the published size is " + std::to_string(published) + "; download discarded");
    EXPECT_TRUE(filesIn(dir).empty());
  }
  uint64_t lastTotal = 0;
  model.entry.sizes = {model.first.size(), model.second.size()};
  midistems::separate::fetchModel(model.entry, server.url(), [&](const std::string& file, uint64_t, uint64_t t) {
    if (file == "aaaa0001-x.th") lastTotal = t;
  });
  EXPECT_EQ(lastTotal, model.first.size());
  EXPECT_EQ(filesIn(dir), (std::vector<std::string>{"aaaa0001-x.th", "aaaa0002-y.th"}));
  fs::remove_all(dir);
}

// A server that announces no length: the body is cut off as soon as it passes the published size,
// and one that ends short of it is refused; nothing is left either way.
TEST(ModelDownload, BodyWithoutALengthIsHeldToThePublishedSize) {
  const auto dir = midistems::testing::scratchDir("models-nolength");
  ScopedEnv over("MIDISTEMS_MODELS_DIR", dir.c_str());
  ServedModel model;
  midistems::testing::LocalHttpServer server({{"aaaa0001-x.th", model.first}, {"aaaa0002-y.th", model.second}});
  server.omitContentLength();
  model.entry.sizes = {1000, model.second.size()};
  uint64_t mostReceived = 0;
  EXPECT_EQ(errorOf([&] {
              midistems::separate::fetchModel(model.entry, server.url(), [&](const std::string&, uint64_t r, uint64_t) {
                mostReceived = std::max(mostReceived, r);
              });
            }),
            server.url() + "aaaa0001-x.th: more than the published 1000 bytes; download discarded");
  EXPECT_TRUE(filesIn(dir).empty());
  // Stopped within one network read of the published size, not at the end of the 200 kB body.
  EXPECT_LT(mostReceived, 100000u);
  model.entry.sizes = {model.first.size() + 10, model.second.size()};
  EXPECT_EQ(errorOf([&] { midistems::separate::fetchModel(model.entry, server.url()); }),
            server.url() + "aaaa0001-x.th: " + std::to_string(model.first.size()) + " bytes, the published size is " +
                std::to_string(model.first.size() + 10) + "; download discarded");
  EXPECT_TRUE(filesIn(dir).empty());
  model.entry.sizes = {model.first.size(), model.second.size()};
  midistems::separate::fetchModel(model.entry, server.url());
  EXPECT_EQ(filesIn(dir), (std::vector<std::string>{"aaaa0001-x.th", "aaaa0002-y.th"}));
  fs::remove_all(dir);
}

TEST(ModelDownload, UnreachableServerNamesTheHost) {
  const auto dir = midistems::testing::scratchDir("models-unreachable");
  ScopedEnv over("MIDISTEMS_MODELS_DIR", dir.c_str());
  std::string url;
  {
    midistems::testing::LocalHttpServer server({});
    url = server.url();
  }  // closed: nothing listens on that port any more
  ServedModel model;
  const std::string message = errorOf([&] { midistems::separate::fetchModel(model.entry, url); });
  EXPECT_EQ(message.rfind("cannot reach 127.0.0.1: ", 0), 0u) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos);
  EXPECT_TRUE(filesIn(dir).empty());
  fs::remove_all(dir);
}

// A registry file (JSON, $MIDISTEMS_MODELS_REGISTRY): its entries join the built-in ones with
// the same fields, every field checked.
const char* kRegistry = R"({"models": [{"name": "tiny_bs", "description": "a test model",
  "architecture": "bs_roformer", "sources": ["vocals"],
  "files": [{"name": "tiny_weights.ckpt", "url": "http://127.0.0.1:1/w.ckpt", "size": 3558537,
             "sha256": "AB0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd"},
            {"name": "tiny_config.yaml", "url": "https://example.org/c.yaml", "size": 1665,
             "sha256": "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"}]}]})";

TEST(ModelRegistryFile, AddsItsModels) {
  const auto models = midistems::separate::parseModelRegistry(kRegistry, "r.json");
  ASSERT_EQ(models.size(), 1u);
  const ModelEntry& m = models[0];
  EXPECT_EQ(m.name, "tiny_bs");
  EXPECT_EQ(m.description, "a test model");
  EXPECT_EQ(m.architecture, midistems::separate::Architecture::kBSRoformer);
  EXPECT_EQ(m.sources, std::vector<std::string>{"vocals"});
  EXPECT_EQ(m.files, (std::vector<std::string>{"tiny_weights.ckpt", "tiny_config.yaml"}));
  EXPECT_EQ(m.urls, (std::vector<std::string>{"http://127.0.0.1:1/w.ckpt", "https://example.org/c.yaml"}));
  EXPECT_EQ(m.sizes, (std::vector<uint64_t>{3558537, 1665}));
  EXPECT_EQ(m.sha256Prefixes[0], "ab0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcd");

  const auto dir = midistems::testing::scratchDir("models-registry-file");
  std::ofstream(dir / "registry.json") << kRegistry;
  {
    ScopedEnv file("MIDISTEMS_MODELS_REGISTRY", (dir / "registry.json").c_str());
    const ModelEntry* found = midistems::separate::findModel("tiny_bs");
    ASSERT_NE(found, nullptr);
    EXPECT_EQ(found->files[1], "tiny_config.yaml");
    EXPECT_NE(midistems::separate::findModel("htdemucs"), nullptr);
  }
  EXPECT_EQ(midistems::separate::findModel("tiny_bs"), nullptr);
  ScopedEnv missing("MIDISTEMS_MODELS_REGISTRY", (dir / "absent.json").c_str());
  EXPECT_EQ(errorOf([] { midistems::separate::findModel("x"); })
                .rfind((dir / "absent.json").string() + ": cannot read the models registry ($MIDISTEMS_MODELS_REGISTRY): ", 0),
            0u);
  fs::remove_all(dir);
}

// Each field of a registry file that is not what it must be: one line naming the file and the
// field, before anything is allocated from it.
TEST(ModelRegistryFile, RefusesWhatItCannotUse) {
  const auto refusal = [](const std::string& from, const std::string& to) {
    std::string text = kRegistry;
    const size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
    return errorOf([&] { midistems::separate::parseModelRegistry(text, "r.json"); });
  };
  EXPECT_EQ(errorOf([] { midistems::separate::parseModelRegistry("{\"models\": [", "r.json"); }).rfind("r.json: not valid JSON (", 0), 0u);
  EXPECT_EQ(errorOf([] { midistems::separate::parseModelRegistry("[]", "r.json"); }),
            "r.json: file: not a JSON object with a \"models\" list");
  EXPECT_EQ(errorOf([] { midistems::separate::parseModelRegistry("{\"models\": []}", "r.json"); }),
            "r.json: file.models: must be a list of 1 to 256 items");
  EXPECT_EQ(errorOf([] { midistems::separate::parseModelRegistry(std::string(1 << 20, ' ') + "{}", "r.json"); }),
            "r.json: file: larger than 1024 KiB");
  EXPECT_EQ(refusal("\"tiny_bs\"", "\"htdemucs\""),
            "r.json: models[0].name: 'htdemucs' is taken (a built-in model or an earlier entry)");
  EXPECT_EQ(refusal("\"tiny_bs\"", "\"dsp\""), "r.json: models[0].name: 'dsp' is taken (a built-in model or an earlier entry)");
  EXPECT_EQ(refusal("\"tiny_weights.ckpt\"", "\"../weights.ckpt\""),
            "r.json: models[0].files[0].name: '../weights.ckpt' is not a plain name (1 to 128 letters, digits, _ - .; "
            "not starting with . or -)");
  EXPECT_EQ(refusal("\"tiny_weights.ckpt\"", "\"bs_roformer_vocals_viperx.ckpt\""),
            "r.json: models[0].files[0].name: 'bs_roformer_vocals_viperx.ckpt' is a file of model "
            "'bs_roformer_vocals_viperx'");
  EXPECT_EQ(refusal("\"tiny_config.yaml\"", "\"tiny_weights.ckpt\""),
            "r.json: models[0].files[1].name: 'tiny_weights.ckpt' is named twice");
  EXPECT_EQ(refusal("\"bs_roformer\"", "\"roformer\""),
            "r.json: models[0].architecture: 'roformer' is not htdemucs, bs_roformer or mel_band_roformer");
  EXPECT_EQ(refusal("\"vocals\"]", "\"vocals\", \"vocals\"]"), "r.json: models[0].sources[1]: 'vocals' is named twice");
  EXPECT_EQ(refusal("\"size\": 1665", "\"size\": 0"), "r.json: models[0].files[1].size: must be a whole number of bytes from 1 to 2^40");
  EXPECT_EQ(refusal("\"size\": 1665", "\"size\": -5"), "r.json: models[0].files[1].size: must be a whole number of bytes from 1 to 2^40");
  EXPECT_EQ(refusal("\"size\": 1665", "\"size\": 1e300"), "r.json: models[0].files[1].size: must be a whole number of bytes from 1 to 2^40");
  EXPECT_EQ(refusal("\"size\": 1665", "\"size\": 2199023255553"),
            "r.json: models[0].files[1].size: must be a whole number of bytes from 1 to 2^40");
  EXPECT_EQ(refusal("\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"", "\"0123\""),
            "r.json: models[0].files[1].sha256: must be 64 hexadecimal digits");
  EXPECT_EQ(refusal("\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"",
                    "\"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdeg\""),
            "r.json: models[0].files[1].sha256: must be 64 hexadecimal digits");
  EXPECT_EQ(refusal("https://example.org/c.yaml", "file:///etc/passwd"), "r.json: models[0].files[1].url: not an http(s) URL");
  EXPECT_EQ(refusal("\"tiny_config.yaml\"", "\"tiny_config.txt\""),
            "r.json: models[0].files: a RoFormer model is two files: its .ckpt, then its .yaml config");
  EXPECT_EQ(refusal("\"bs_roformer\"", "\"htdemucs\""),
            "r.json: models[0].files: an htdemucs model is .th or .safetensors files, not 'tiny_weights.ckpt'");
  EXPECT_EQ(refusal("\"sources\": [\"vocals\"]", "\"sources\": \"vocals\""),
            "r.json: models[0].sources: must be a list of 1 to 16 items");
  EXPECT_EQ(refusal("\"url\": \"http://127.0.0.1:1/w.ckpt\", ", ""), "r.json: models[0].files[0]: 'url' is missing");
}

// Crafted registry files at the size limit (1 MiB): deep nesting and wide lists are refused with
// one line, within a 4 GiB address space and in bounded memory.
TEST(ModelRegistryFile, CraftedFilesStayWithinBudget) {
  const size_t depth = 400000;
  std::string wide = "{\"models\": [";
  while (wide.size() < (1u << 20) - 8) wide += "{},";
  wide += "{}]}";
  const std::pair<std::string, std::string> cases[] = {
      {std::string(depth, '[') + std::string(depth, ']'), "r.json: file: not a JSON object with a \"models\" list"},
      {"{\"models\": " + std::string(depth, '[') + std::string(depth, ']') + "}",
       "r.json: models[0]: not an object"},
      {wide, "r.json: file.models: must be a list of 1 to 256 items"},
  };
  for (const auto& [text, message] : cases) {
    ASSERT_LE(text.size(), size_t(1) << 20);
    const midistems::testing::BoundedRun run = midistems::testing::runBounded(
        [&] { return errorOf([&] { midistems::separate::parseModelRegistry(text, "r.json"); }); });
    EXPECT_EQ(run.exitStatus, 0) << "signal " << run.signal;
    EXPECT_EQ(run.output, message);
    EXPECT_LT(run.peakRssMiB, 512) << message;
    EXPECT_LT(run.seconds, 30.0) << message;
    std::printf("    %s: %.2f s, peak %ld MiB\n", message.c_str(), run.seconds, run.peakRssMiB);
  }
}

}  // namespace
