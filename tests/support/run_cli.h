#pragma once
// Running a program from a test and capturing its exit status and output; runMidistems runs the
// built `midistems` command (its path comes from the MIDISTEMS_CLI definition the test's
// CMakeLists.txt sets).
#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>

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

#ifdef MIDISTEMS_CLI
// Runs `[env] midistems <args>` (the built command).
inline CommandResult runMidistems(const std::filesystem::path& scratch, const std::string& args,
                                  const std::string& env = "") {
  return runProgram(scratch, MIDISTEMS_CLI, args, env);
}
#endif

}  // namespace midistems::testing
