#pragma once
// Scoring MIDI against the songgen songs' ground truth from a test: ../shared/tools/songgen's
// evaluate.py (mir_eval note scores) run on a folder of stem-named MIDI files.
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <string>

#include "support/fixtures.h"
#include "support/run_cli.h"

namespace midistems::testing {

// The songgen songs ($MIDISTEMS_SONGS_DIR, rendered by the CTest fixture `songgen`) when they and
// evaluate.py are at hand; otherwise nothing, and `missing` says what is missing (to skip with).
inline std::optional<std::filesystem::path> songgenSongs(std::string& missing) {
  const char* songs = std::getenv("MIDISTEMS_SONGS_DIR");
  if (!songs || !std::filesystem::exists(std::filesystem::path(songs) / "song_00")) {
    missing = "MIDISTEMS_SONGS_DIR does not hold the songgen songs";
    return std::nullopt;
  }
  const std::filesystem::path evaluate = sharedDir() / "tools/songgen/evaluate.py";
  if (!std::filesystem::exists(evaluate)) {
    missing = evaluate.string() + " not found";
    return std::nullopt;
  }
  return std::filesystem::path(songs);
}

// The exit status of a shell command (-1 when it did not exit normally).
inline int runShell(const std::string& command) {
  const int raw = std::system(command.c_str());
  return WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
}

// evaluate.py writes Python's JSON, which may hold NaN or Infinity.
inline nlohmann::json readPythonJson(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), {});
  text = std::regex_replace(text, std::regex(R"(-?\bInfinity\b|\bNaN\b)"), "null");
  return nlohmann::json::parse(text);
}

// evaluate.py's "midi" scores of the stem-named MIDI files in `estimates` against the song folder
// `song`, through the JSON file `scores`; an empty object (and a test failure) when it fails.
inline nlohmann::json songgenMidiScores(const std::filesystem::path& song, const std::filesystem::path& estimates,
                                        const std::filesystem::path& scores) {
  const std::filesystem::path evaluate = sharedDir() / "tools/songgen/evaluate.py";
  const std::string command = "/usr/bin/python3 " + quoted(evaluate) + " --ref " + quoted(song) +
                              " --est-midi " + quoted(estimates) + " --json " + quoted(scores) + " >/dev/null";
  if (runShell(command) != 0) {
    ADD_FAILURE() << command;
    return nlohmann::json::object();
  }
  return readPythonJson(scores)["midi"];
}

}  // namespace midistems::testing
