#pragma once
// A one-line progress bar on standard error, drawn only when standard error is a terminal (or
// when forced), redrawn at most ten times a second.
#include <chrono>
#include <string>

namespace midistems {

class ProgressBar {
 public:
  explicit ProgressBar(std::string label, bool enabled = true);
  ~ProgressBar();
  ProgressBar(const ProgressBar&) = delete;
  ProgressBar& operator=(const ProgressBar&) = delete;

  // fraction in [0, 1]; cheap to call often.
  void update(double fraction);
  void finish();
  static void setForced(bool forced);  // draw even without a terminal (tests, logs)
  static void setSilenced(bool silenced);  // never draw (--quiet, --json)

 private:
  void draw(double fraction);
  std::string label_;
  bool enabled_;
  bool drawn_ = false;
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point lastDraw_;
};

}  // namespace midistems
