#pragma once
// The one exception type a user sees. Its message is a single line that names the file (or the
// option) and the problem, e.g. "song.wav: not a readable audio file (File contains data in an
// unknown format.)". The CLI prints it and exits with status 2.
#include <stdexcept>
#include <string>

namespace midistems {

class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace midistems
