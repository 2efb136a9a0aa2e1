#include "core/progress.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdio>

namespace midistems {

namespace {
std::atomic<bool> gForced{false};
std::atomic<bool> gSilenced{false};
}  // namespace

void ProgressBar::setForced(bool forced) { gForced = forced; }
void ProgressBar::setSilenced(bool silenced) { gSilenced = silenced; }

ProgressBar::ProgressBar(std::string label, bool enabled)
    : label_(std::move(label)),
      enabled_(enabled && !gSilenced && (gForced || ::isatty(STDERR_FILENO))),
      start_(std::chrono::steady_clock::now()),
      lastDraw_(start_ - std::chrono::seconds(1)) {}

ProgressBar::~ProgressBar() {
  if (drawn_ && !finished_) std::fputc('\n', stderr);
}

void ProgressBar::update(double fraction) {
  if (!enabled_ || finished_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - lastDraw_ < std::chrono::milliseconds(100)) return;
  lastDraw_ = now;
  draw(fraction);
}

void ProgressBar::finish() {
  if (!enabled_ || finished_) return;
  draw(1.0);
  std::fputc('\n', stderr);
  finished_ = true;
}

void ProgressBar::draw(double fraction) {
  fraction = std::clamp(fraction, 0.0, 1.0);
  constexpr int kWidth = 30;
  const int filled = int(fraction * kWidth + 0.5);
  char bar[kWidth + 1];
  for (int i = 0; i < kWidth; ++i) bar[i] = i < filled ? '#' : '-';
  bar[kWidth] = 0;
  const double elapsed =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  std::fprintf(stderr, "\r%s [%s] %3d%%  %.1fs", label_.c_str(), bar, int(fraction * 100 + 0.5),
               elapsed);
  std::fflush(stderr);
  drawn_ = true;
}

}  // namespace midistems
