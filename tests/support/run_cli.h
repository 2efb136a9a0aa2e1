#pragma once
// Running a program from a test and capturing its exit status and output, and checking the error
// contract of its failures; runMidistems runs the
// built `midistems` command (its path comes from the MIDISTEMS_CLI definition the test's
// CMakeLists.txt sets).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

namespace midistems::testing {

struct CommandResult {
  int status = -1;
  std::string out, err;
};

inline std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

// A path in single quotes for the shell.
inline std::string quoted(const std::filesystem::path& p) {
  std::string s = "'";  // built up, not with operator+ (GCC 12 warns falsely on "'" + string)
  s += p.string();
  s += "'";
  return s;
}

// Runs `[env] program <args>`, with standard output and error captured through files in
// `scratch` (removed afterwards).
inline CommandResult runProgram(const std::filesystem::path& scratch, const std::filesystem::path& program,
                                const std::string& args, const std::string& env = "") {
  const auto out = scratch / "stdout.txt", err = scratch / "stderr.txt";
  const std::string command = env + " " + quoted(program) + " " + args + " >" + quoted(out) + " 2>" + quoted(err);
  const int raw = std::system(command.c_str());
  CommandResult r;
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  std::filesystem::remove(out);
  std::filesystem::remove(err);
  return r;
}

// The command line's error contract: status 2 and a single line of error text (a note may come
// before it) that holds every one of `mentions`.
inline void expectOneLineError(const CommandResult& r, const std::vector<std::string>& mentions) {
  EXPECT_EQ(r.status, 2) << r.out << r.err;
  const size_t at = r.err.find("error:");
  ASSERT_NE(at, std::string::npos) << r.err;
  const std::string line = r.err.substr(at);
  EXPECT_EQ(std::count(line.begin(), line.end(), '\n'), 1) << r.err;
  for (const auto& m : mentions) EXPECT_NE(line.find(m), std::string::npos) << "no '" << m << "' in " << r.err;
}

#ifdef MIDISTEMS_CLI
// Runs `[env] midistems <args>` (the built command).
inline CommandResult runMidistems(const std::filesystem::path& scratch, const std::string& args,
                                  const std::string& env = "") {
  return runProgram(scratch, MIDISTEMS_CLI, args, env);
}
#endif

}  // namespace midistems::testing
