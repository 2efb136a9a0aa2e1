// `midistems models list|fetch NAME|verify [NAME]`: the released separation models, where they
// are installed, downloading them, and checking installed files against their published hashes.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <string>

#include "cli/command_registry.h"
#include "core/error.h"
#include "core/progress.h"
#include "separate/architectures/architectures.h"
#include "separate/models/model_registry.h"

namespace {

namespace sep = midistems::separate;

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& s : items) out += (out.empty() ? "" : ",") + s;
  return out;
}

std::string megabytes(uintmax_t bytes) { return fmt::format("{:.1f} MB", double(bytes) / 1e6); }

const sep::ModelEntry& modelNamed(const std::string& name) {
  const sep::ModelEntry* model = sep::findModel(name);
  if (!model) {
    std::vector<std::string> names;
    for (const auto& m : sep::knownModels()) names.push_back(m.name);
    throw midistems::Error(fmt::format("unknown model '{}' (known: {})", name, join(names)));
  }
  return *model;
}

void listModels() {
  const auto& models = sep::knownModels();
  const auto dir = sep::modelsDir();
  size_t width = 4, sourcesWidth = 7;
  for (const auto& m : models) {
    width = std::max(width, m.name.size());
    sourcesWidth = std::max(sourcesWidth, join(m.sources).size());
  }
  fmt::print("models folder: {}\n", dir.string());
  fmt::print("{:<{}}  {:<17}  {:<{}}  {:<13}  {}\n", "NAME", width, "ARCHITECTURE", "SOURCES", sourcesWidth, "STATUS",
             "SIZE");
  for (const auto& m : models) {
    const size_t installed = sep::countInstalledFiles(m);
    uintmax_t bytes = 0;
    for (const auto& f : m.files) {
      std::error_code ec;
      const auto size = std::filesystem::file_size(dir / f, ec);
      if (!ec) bytes += size;
    }
    uint64_t published = 0;
    for (const uint64_t size : m.sizes) published += size;
    // A model counts as installed only with all its files (a RoFormer: checkpoint and config).
    const std::string status = !m.supported                 ? "unsupported"
                               : installed == m.files.size() ? "installed"
                               : installed == 0              ? "not installed"
                                                             : fmt::format("partial {}/{}", installed, m.files.size());
    const std::string size = installed == m.files.size() ? megabytes(bytes)
                             : published                 ? megabytes(published) + " download"
                                                         : "-";
    fmt::print("{:<{}}  {:<17}  {:<{}}  {:<13}  {}\n", m.name, width,
               m.supported ? sep::architectureName(m.architecture) : "-", join(m.sources), sourcesWidth, status, size);
  }
}

void fetch(const std::string& name, const std::string& url) {
  const sep::ModelEntry& model = modelNamed(name);
  std::unique_ptr<midistems::ProgressBar> bar;
  std::string current;
  sep::fetchModel(model, url, [&](const std::string& file, uint64_t received, uint64_t total) {
    if (file != current) {
      if (bar) bar->finish();
      bar = std::make_unique<midistems::ProgressBar>(fmt::format("{} {}", name, file));
      current = file;
    }
    if (total > 0) bar->update(double(received) / double(total));
  });
  if (bar) bar->finish();
  const auto files = sep::installedModelFiles(model);
  for (const auto& f : files) fmt::print("{}\n", f.string());
  fmt::print("model '{}' is installed ({} file{})\n", name, files.size(), files.size() == 1 ? "" : "s");
}

// Checks every installed file of `model`; returns how many fail.
int verifyModel(const sep::ModelEntry& model) {
  int bad = 0;
  const auto dir = sep::modelsDir();
  for (size_t i = 0; i < model.files.size(); ++i) {
    const auto path = dir / model.files[i];
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
      fmt::print("{} {}  missing\n", model.name, model.files[i]);
      ++bad;
      continue;
    }
    const bool ok = sep::verifyFile(path, model.sha256Prefixes[i]);
    fmt::print("{} {}  {}\n", model.name, model.files[i], ok ? "ok" : "CHECKSUM MISMATCH");
    bad += ok ? 0 : 1;
  }
  return bad;
}

void verify(const std::string& name) {
  if (!name.empty()) {
    const sep::ModelEntry& model = modelNamed(name);
    if (sep::countInstalledFiles(model) == 0) sep::installedModelFiles(model);  // throws "not installed"
    if (verifyModel(model))
      throw midistems::Error(fmt::format("model '{}' is damaged or incomplete; run: midistems models fetch {}",
                                         name, name));
    return;
  }
  std::vector<std::string> damaged;
  int checked = 0;
  for (const auto& m : sep::knownModels()) {
    if (sep::countInstalledFiles(m) == 0) continue;
    ++checked;
    if (verifyModel(m)) damaged.push_back(m.name);
  }
  if (checked == 0) fmt::print("no models installed in {}\n", sep::modelsDir().string());
  if (!damaged.empty())
    throw midistems::Error(fmt::format("damaged or incomplete: {}; run: midistems models fetch NAME", join(damaged)));
}

midistems::cli::CommandRegistration reg{70, [](CLI::App& app) {
  auto* models = app.add_subcommand("models", "List, download and verify separation models");
  models->require_subcommand(1);
  models->footer(
      "Models live in $MIDISTEMS_MODELS_DIR, else $XDG_DATA_HOME/midistems/models, else\n"
      "~/.local/share/midistems/models. $MIDISTEMS_MODELS_URL replaces the download location (a\n"
      "folder holding every file under its installed name); $MIDISTEMS_MODELS_REGISTRY adds the models\n"
      "of a JSON file; MIDISTEMS_OFFLINE=1 forbids downloads.");

  auto* list = models->add_subcommand("list", "Show the known models and whether they are installed");
  list->callback([] { listModels(); });

  auto* fetchCmd = models->add_subcommand("fetch", "Download a model (a RoFormer: checkpoint and config) and check "
                                                   "each file's size and SHA-256");
  auto name = std::make_shared<std::string>();
  auto url = std::make_shared<std::string>();
  fetchCmd->add_option("name", *name, "Model name (see: midistems models list)")->required();
  fetchCmd->add_option("--url", *url, "Download from this folder URL instead of the release");
  fetchCmd->callback([name, url] { fetch(*name, *url); });

  auto* verifyCmd = models->add_subcommand("verify", "Check installed model files against their SHA-256");
  auto verifyName = std::make_shared<std::string>();
  verifyCmd->add_option("name", *verifyName, "Model name (default: every installed model)");
  verifyCmd->callback([verifyName] { verify(*verifyName); });
}};

}  // namespace
