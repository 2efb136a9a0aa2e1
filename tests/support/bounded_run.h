#pragma once
// Running code or a command in a child process with a limited address space, for
// tests of memory budgets: if a budget is missing, the runaway allocation fails in the child (as
// std::bad_alloc, or the child dies) instead of exhausting the machine, and the test fails.
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <functional>
#include <new>
#include <string>

namespace midistems::testing {

// Room for any honest parse the tests make and for the libraries the command maps (it starts
// within 256 MiB), far below what an unbounded explosion would take.
constexpr rlim_t kBoundedAddressSpace = rlim_t(4) << 30;
// CPU seconds before the child is killed: a backstop for loops that do not allocate. Tests expect
// well under this (60 s of wall time).
constexpr rlim_t kBoundedCpuSeconds = 120;

struct BoundedRun {
  int exitStatus = -1;  // -1 when the child did not exit normally
  int signal = 0;       // the signal that ended it, if any
  std::string output;   // what the child's body returned (runBounded only)
  double seconds = 0;   // wall clock
  long peakRssMiB = 0;  // the child's peak resident memory
};

namespace bounded_detail {

inline void limitThisProcess() {
  const rlimit space{kBoundedAddressSpace, kBoundedAddressSpace};
  const rlimit cpu{kBoundedCpuSeconds, kBoundedCpuSeconds};
  if (::setrlimit(RLIMIT_AS, &space) != 0 || ::setrlimit(RLIMIT_CPU, &cpu) != 0) ::_exit(125);
}

// Forks; the child limits itself and runs `child` (which must not return); the parent reads
// what the child writes to the pipe until it closes, then waits for it.
inline BoundedRun forkBounded(const std::function<void(int writeFd)>& child) {
  int fds[2];
  BoundedRun run;
  if (::pipe(fds) != 0) return run;
  const auto start = std::chrono::steady_clock::now();
  const pid_t pid = ::fork();
  if (pid < 0) return run;
  if (pid == 0) {
    ::close(fds[0]);
    limitThisProcess();
    child(fds[1]);
    ::_exit(126);
  }
  ::close(fds[1]);
  char buffer[4096];
  for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) != 0;)
    if (n > 0) run.output.append(buffer, size_t(n));
    else if (errno != EINTR) break;
  ::close(fds[0]);
  int status = 0;
  rusage usage{};
  while (::wait4(pid, &status, 0, &usage) < 0 && errno == EINTR) {
  }
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  run.peakRssMiB = usage.ru_maxrss / 1024;
  if (WIFEXITED(status)) run.exitStatus = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) run.signal = WTERMSIG(status);
  return run;
}

}  // namespace bounded_detail

// Runs `body` in a limited child; its result comes back in `output`. An exception other than
// std::bad_alloc ends the child abnormally; std::bad_alloc comes back as "std::bad_alloc".
inline BoundedRun runBounded(const std::function<std::string()>& body) {
  return bounded_detail::forkBounded([&](int writeFd) {
    std::string result;
    try {
      result = body();
    } catch (const std::bad_alloc&) {
      result = "std::bad_alloc";
    }
    for (size_t done = 0; done < result.size();) {
      const ssize_t n = ::write(writeFd, result.data() + done, result.size() - done);
      if (n <= 0) ::_exit(124);
      done += size_t(n);
    }
    ::_exit(0);
  });
}

// Runs a shell command in a limited child (its output goes wherever the command redirects it).
inline BoundedRun runCommandBounded(const std::string& command) {
  return bounded_detail::forkBounded([&](int) {
    ::execl("/bin/sh", "sh", "-c", command.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  });
}

}  // namespace midistems::testing
