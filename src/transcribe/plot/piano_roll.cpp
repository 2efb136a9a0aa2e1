// See piano_roll.h.
#include "transcribe/plot/piano_roll.h"

#include <cairo.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <memory>

#include "core/error.h"

namespace midistems::transcribe::plot {

namespace {

constexpr int kMarginLeft = 76;  // room for "closed hat" and "C4"
constexpr int kMarginRight = 12;
constexpr int kMarginTop = 6;
constexpr int kPanelGap = 6;
constexpr int kMarginBottom = 30;  // the time labels
constexpr float kFloorDb = -80, kCeilingDb = 0;
constexpr int kDrumLowPitch = 24, kDrumHighPitch = 131;  // C1 .. B9
constexpr double kFontSize = 11;

struct Rgb {
  double r, g, b;
};

// Dark to light through purple, red and orange (after matplotlib's "magma"); green never exceeds
// red, so the notes' cyan stands apart from every level.
constexpr std::array<Rgb, 5> kColourMap = {{{0.0, 0.0, 0.016},
                                            {0.31, 0.07, 0.48},
                                            {0.72, 0.22, 0.47},
                                            {0.99, 0.54, 0.38},
                                            {0.99, 0.99, 0.75}}};
constexpr Rgb kNoteColour = {0.25, 0.88, 1.0};
constexpr Rgb kBackground = {0.086, 0.086, 0.10};
constexpr Rgb kPastTheEnd = {0.16, 0.16, 0.18};  // plot area after a stem's audio ends
constexpr Rgb kText = {0.88, 0.88, 0.88};

uint8_t levelOf(float db) {
  const float t = (db - kFloorDb) / (kCeilingDb - kFloorDb);
  return uint8_t(std::lround(std::clamp(t, 0.0f, 1.0f) * 255.0f));
}

uint32_t colourOf(uint8_t level) {
  const double x = level / 255.0 * double(kColourMap.size() - 1);
  const size_t i = std::min(kColourMap.size() - 2, size_t(x));
  const double f = x - double(i);
  const Rgb& a = kColourMap[i];
  const Rgb& b = kColourMap[i + 1];
  const auto channel = [f](double u, double v) { return uint32_t(std::lround((u + f * (v - u)) * 255.0)); };
  return 0xff000000u | channel(a.r, b.r) << 16 | channel(a.g, b.g) << 8 | channel(a.b, b.b);
}

// General MIDI drum keys: lane group (kick at the bottom, cymbals at the top) and a short name.
int drumGroup(int key) {
  switch (key) {
    case 35: case 36: return 0;
    case 37: case 38: case 39: case 40: return 1;
    case 41: case 43: case 45: case 47: case 48: case 50: return 2;
    case 42: case 44: case 46: return 3;
    default: return 4;
  }
}

std::string drumName(int key) {
  switch (key) {
    case 35: case 36: return "kick";
    case 37: return "side stick";
    case 38: case 40: return "snare";
    case 39: return "clap";
    case 41: case 43: return "low tom";
    case 45: case 47: return "mid tom";
    case 48: case 50: return "high tom";
    case 42: return "closed hat";
    case 44: return "pedal hat";
    case 46: return "open hat";
    case 49: case 57: return "crash";
    case 51: case 59: return "ride";
    case 53: return "ride bell";
    default: return fmt::format("key {}", key);
  }
}

std::string noteName(int pitch) {
  static const char* kNames[] = {"C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"};
  return fmt::format("{}{}", kNames[pitch % 12], pitch / 12 - 1);
}

// Whole octaves around the notes, two semitones to spare, at least three octaves.
std::pair<int, int> pitchRange(const std::vector<ExportNote>& notes) {
  if (notes.empty()) return {48, 83};
  int lo = 127, hi = 0;
  for (const auto& n : notes) {
    lo = std::min(lo, std::clamp(n.pitch, 0, 127));
    hi = std::max(hi, std::clamp(n.pitch, 0, 127));
  }
  lo = std::max(0, lo - 2) / 12 * 12;
  hi = (std::min(131, hi + 2) / 12 + 1) * 12 - 1;
  for (bool up = true; hi - lo + 1 < 36; up = !up) {
    if (up && hi + 12 <= 131)
      hi += 12;
    else if (lo >= 12)
      lo -= 12;
    else
      hi += 12;
  }
  return {lo, hi};
}

std::vector<int> drumLanes(const std::vector<ExportNote>& hits) {
  std::vector<int> keys;
  for (const auto& h : hits)
    if (std::find(keys.begin(), keys.end(), h.pitch) == keys.end()) keys.push_back(h.pitch);
  std::sort(keys.begin(), keys.end(), [](int a, int b) {
    return drumGroup(a) != drumGroup(b) ? drumGroup(a) < drumGroup(b) : a < b;
  });
  return keys;
}

double pixelsPerSecondFor(double seconds) {
  return seconds * kPixelsPerSecond > kMaxPlotWidth ? kMaxPlotWidth / seconds : kPixelsPerSecond;
}

void setColour(cairo_t* cr, const Rgb& c, double alpha = 1.0) { cairo_set_source_rgba(cr, c.r, c.g, c.b, alpha); }

// Text with its right edge (align 1), left edge (0) or centre (0.5) at x, vertically centred on y.
void text(cairo_t* cr, const std::string& s, double x, double y, double align) {
  cairo_text_extents_t e;
  cairo_text_extents(cr, s.c_str(), &e);
  cairo_move_to(cr, x - align * e.x_advance, y - e.y_bearing - e.height / 2);
  cairo_show_text(cr, s.c_str());
}

// A tick step (seconds) at least 70 px apart.
double tickStep(double pixelsPerSecond) {
  static const double kSteps[] = {0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1200, 3600};
  for (double s : kSteps)
    if (s * pixelsPerSecond >= 70) return s;
  return 7200;
}

std::string tickLabel(double t, double step, double total) {
  if (step < 1) return fmt::format("{:.1f}", t);
  if (total < 60) return fmt::format("{:.0f}", t);
  const auto s = int64_t(std::lround(t));
  return fmt::format("{}:{:02d}", s / 60, s % 60);
}

struct SurfaceDeleter {
  void operator()(cairo_surface_t* s) const { cairo_surface_destroy(s); }
};
struct ContextDeleter {
  void operator()(cairo_t* c) const { cairo_destroy(c); }
};
using Surface = std::unique_ptr<cairo_surface_t, SurfaceDeleter>;
using Context = std::unique_ptr<cairo_t, ContextDeleter>;

Surface imageSurface(cairo_format_t format, int width, int height) {
  Surface s(cairo_image_surface_create(format, width, height));
  if (cairo_surface_status(s.get()) != CAIRO_STATUS_SUCCESS)
    throw Error(fmt::format("--plot: cannot make a {}x{} picture (cairo: {})", width, height,
                            cairo_status_to_string(cairo_surface_status(s.get()))));
  return s;
}

}  // namespace

struct PianoRoll::Stem {
  StemTranscription transcription;
  double seconds = 0;
  int lowPitch = 0, highPitch = 0;
  std::vector<int> lanes;
  int columns = 0;
  double columnsPerSecond = 0;
  std::vector<uint8_t> levels;  // kPanelHeight x columns, row 0 at the top
};

double PanelLayout::rowHeight() const {
  return drums ? double(height) / double(std::max<size_t>(1, lanes.size()))
               : double(height) / double(highPitch - lowPitch + 1);
}

double PanelLayout::pitchY(double pitch) const { return top + (highPitch + 0.5 - pitch) * rowHeight(); }

double PanelLayout::laneY(size_t lane) const { return top + height - (double(lane) + 0.5) * rowHeight(); }

PianoRoll::PianoRoll(size_t stems) : expected_(stems) {
  if (stems > kMaxPanels)
    throw Error(fmt::format("--plot: {} stems are more than the {} panels one picture shows", stems, kMaxPanels));
  stems_.reserve(stems);
}

PianoRoll::PianoRoll(PianoRoll&&) noexcept = default;
PianoRoll& PianoRoll::operator=(PianoRoll&&) noexcept = default;
PianoRoll::~PianoRoll() = default;

void PianoRoll::addStem(const StemTranscription& stem, const AudioBuffer& audio) {
  if (stems_.size() >= expected_)
    throw Error(fmt::format("--plot: more stems than the {} announced", expected_));
  Stem s;
  s.transcription = stem;
  s.seconds = audio.durationSeconds();
  if (stem.drums) {
    s.lowPitch = kDrumLowPitch;
    s.highPitch = kDrumHighPitch;
    s.lanes = drumLanes(stem.notes);
  } else {
    std::tie(s.lowPitch, s.highPitch) = pitchRange(stem.notes);
  }
  s.columnsPerSecond = pixelsPerSecondFor(s.seconds);
  const LogSpectrogram spec =
      logSpectrogram(audio, s.columnsPerSecond, kPanelHeight, s.lowPitch - 0.5, s.highPitch + 0.5);
  s.columns = spec.columns;
  s.levels.resize(spec.db.size());
  std::transform(spec.db.begin(), spec.db.end(), s.levels.begin(), levelOf);
  stems_.push_back(std::move(s));
}

PianoRollLayout PianoRoll::layout() const {
  PianoRollLayout l;
  for (const auto& s : stems_) l.seconds = std::max(l.seconds, s.seconds);
  l.pixelsPerSecond = pixelsPerSecondFor(std::max(l.seconds, 1e-3));
  l.plotLeft = kMarginLeft;
  l.plotWidth = std::max(kMinPlotWidth, int(std::ceil(l.seconds * l.pixelsPerSecond)));
  l.width = kMarginLeft + l.plotWidth + kMarginRight;
  int y = kMarginTop;
  for (const auto& s : stems_) {
    PanelLayout p;
    p.name = s.transcription.name;
    p.drums = s.transcription.drums;
    p.top = y;
    p.height = kPanelHeight;
    p.lowPitch = s.lowPitch;
    p.highPitch = s.highPitch;
    p.lanes = s.lanes;
    l.panels.push_back(std::move(p));
    y += kPanelHeight + kPanelGap;
  }
  l.height = y - kPanelGap + kMarginBottom;
  return l;
}

namespace {

void drawSpectrogram(cairo_t* cr, const PianoRollLayout& l, const PanelLayout& p, int columns,
                     double columnsPerSecond, const std::vector<uint8_t>& levels) {
  setColour(cr, kPastTheEnd);
  cairo_rectangle(cr, l.plotLeft, p.top, l.plotWidth, p.height);
  cairo_fill(cr);
  if (columns == 0) return;
  Surface image = imageSurface(CAIRO_FORMAT_RGB24, columns, p.height);
  cairo_surface_flush(image.get());
  unsigned char* data = cairo_image_surface_get_data(image.get());
  const int stride = cairo_image_surface_get_stride(image.get());
  for (int r = 0; r < p.height; ++r) {
    auto* row = reinterpret_cast<uint32_t*>(data + size_t(r) * size_t(stride));
    for (int c = 0; c < columns; ++c) row[c] = colourOf(levels[size_t(r) * size_t(columns) + size_t(c)]);
  }
  cairo_surface_mark_dirty(image.get());
  cairo_save(cr);
  cairo_rectangle(cr, l.plotLeft, p.top, l.plotWidth, p.height);
  cairo_clip(cr);
  cairo_translate(cr, l.plotLeft, p.top);
  cairo_scale(cr, l.pixelsPerSecond / columnsPerSecond, 1.0);
  cairo_set_source_surface(cr, image.get(), 0, 0);
  cairo_pattern_set_filter(cairo_get_source(cr), CAIRO_FILTER_NEAREST);
  cairo_rectangle(cr, 0, 0, columns, p.height);
  cairo_fill(cr);
  cairo_restore(cr);
}

void drawPitchAxis(cairo_t* cr, const PianoRollLayout& l, const PanelLayout& p) {
  for (int pitch = (p.lowPitch + 11) / 12 * 12; pitch <= p.highPitch; pitch += 12) {
    const double y = std::floor(p.pitchY(pitch)) + 0.5;
    setColour(cr, kText, 0.3);
    cairo_set_line_width(cr, 1.0);
    cairo_move_to(cr, l.plotLeft, y);
    cairo_line_to(cr, l.plotLeft + l.plotWidth, y);
    cairo_stroke(cr);
    setColour(cr, kText);
    text(cr, noteName(pitch), l.plotLeft - 6, y, 1.0);
  }
}

void drawLanes(cairo_t* cr, const PianoRollLayout& l, const PanelLayout& p) {
  for (size_t i = 0; i < p.lanes.size(); ++i) {
    const double y = p.laneY(i);
    if (i > 0) {
      const double edge = std::floor(y + p.rowHeight() / 2) + 0.5;
      setColour(cr, kText, 0.2);
      cairo_set_line_width(cr, 1.0);
      cairo_move_to(cr, l.plotLeft, edge);
      cairo_line_to(cr, l.plotLeft + l.plotWidth, edge);
      cairo_stroke(cr);
    }
    setColour(cr, kText);
    text(cr, drumName(p.lanes[i]), l.plotLeft - 6, y, 1.0);
  }
}

// A box from start to end around the note's row, its edges on pixel centres so that its 1 px
// outline is crisp; fill and outline more opaque the louder the note.
void drawNote(cairo_t* cr, const PianoRollLayout& l, double centreY, double rowHeight, double boxHeight,
              const ExportNote& n) {
  const double x0 = std::floor(l.timeX(n.startSeconds)) + 0.5;
  const double x1 = std::max(x0 + 2, std::floor(l.timeX(n.endSeconds)) + 0.5);
  const double y0 = std::floor(centreY - boxHeight / 2) + 0.5;
  const double y1 = std::max(y0 + 2, std::floor(centreY + boxHeight / 2) + 0.5);
  const double loudness = std::clamp(n.velocity, 1, 127) / 127.0;
  cairo_rectangle(cr, x0, y0, x1 - x0, y1 - y0);
  setColour(cr, kNoteColour, 0.08 + 0.3 * loudness);
  cairo_fill_preserve(cr);
  setColour(cr, kNoteColour, 0.55 + 0.45 * loudness);
  cairo_set_line_width(cr, 1.0);
  cairo_stroke(cr);
  if (std::none_of(n.pitchBends.begin(), n.pitchBends.end(), [](int b) { return b != 0; })) return;
  // Bends are in thirds of a semitone, evenly spaced from start to end.
  const size_t count = n.pitchBends.size();
  for (size_t i = 0; i < count; ++i) {
    const double t = count == 1 ? n.startSeconds
                                : n.startSeconds + (n.endSeconds - n.startSeconds) * double(i) / double(count - 1);
    const double y = centreY - n.pitchBends[i] / 3.0 * rowHeight;
    if (i == 0)
      cairo_move_to(cr, l.timeX(t), y);
    else
      cairo_line_to(cr, l.timeX(t), y);
  }
  cairo_set_source_rgba(cr, 1, 1, 1, 0.85);
  cairo_set_line_width(cr, 1.2);
  cairo_stroke(cr);
}

void drawTitle(cairo_t* cr, const PianoRollLayout& l, const PanelLayout& p, size_t notes) {
  std::string title = fmt::format("{}  {} {}", p.name, notes, p.drums ? (notes == 1 ? "hit" : "hits")
                                                                      : (notes == 1 ? "note" : "notes"));
  if (p.drums) title += "  (33 Hz - 16 kHz)";
  cairo_text_extents_t e;
  cairo_text_extents(cr, title.c_str(), &e);
  cairo_rectangle(cr, l.plotLeft + 4, p.top + 4, e.x_advance + 10, kFontSize + 8);
  setColour(cr, kBackground, 0.75);
  cairo_fill(cr);
  setColour(cr, kText);
  text(cr, title, l.plotLeft + 9, p.top + 8 + kFontSize / 2, 0.0);
}

// Faint lines at the time ticks through one panel, under the notes.
void drawTimeGrid(cairo_t* cr, const PianoRollLayout& l, const PanelLayout& p) {
  const double step = tickStep(l.pixelsPerSecond);
  setColour(cr, kText, 0.15);
  cairo_set_line_width(cr, 1.0);
  for (int i = 1; i * step * l.pixelsPerSecond < l.plotWidth; ++i) {
    const double x = std::floor(l.timeX(i * step)) + 0.5;
    cairo_move_to(cr, x, p.top);
    cairo_line_to(cr, x, p.top + p.height);
  }
  cairo_stroke(cr);
}

void drawTimeLabels(cairo_t* cr, const PianoRollLayout& l) {
  if (l.panels.empty()) return;
  const double step = tickStep(l.pixelsPerSecond);
  const int bottom = l.panels.back().top + l.panels.back().height;
  setColour(cr, kText);
  cairo_set_line_width(cr, 1.0);
  for (int i = 0; i * step * l.pixelsPerSecond <= l.plotWidth; ++i) {
    const double x = std::floor(l.timeX(i * step)) + 0.5;
    cairo_move_to(cr, x, bottom);
    cairo_line_to(cr, x, bottom + 4);
    cairo_stroke(cr);
    text(cr, tickLabel(i * step, step, l.seconds), x, bottom + 13, 0.5);
  }
  text(cr, l.seconds < 60 || step < 1 ? "seconds" : "min:s", l.plotLeft - 6, bottom + 13, 1.0);
}

cairo_status_t appendBytes(void* closure, const unsigned char* data, unsigned int length) {
  static_cast<std::string*>(closure)->append(reinterpret_cast<const char*>(data), length);
  return CAIRO_STATUS_SUCCESS;
}

}  // namespace

std::string PianoRoll::png() const {
  const PianoRollLayout l = layout();
  Surface surface = imageSurface(CAIRO_FORMAT_RGB24, l.width, l.height);
  Context context(cairo_create(surface.get()));
  cairo_t* cr = context.get();
  setColour(cr, kBackground);
  cairo_paint(cr);
  cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size(cr, kFontSize);

  for (size_t i = 0; i < stems_.size(); ++i) {
    const Stem& s = stems_[i];
    const PanelLayout& p = l.panels[i];
    drawSpectrogram(cr, l, p, s.columns, s.columnsPerSecond, s.levels);
    drawTimeGrid(cr, l, p);
    if (p.drums)
      drawLanes(cr, l, p);
    else
      drawPitchAxis(cr, l, p);
    cairo_save(cr);
    cairo_rectangle(cr, l.plotLeft, p.top, l.plotWidth, p.height);
    cairo_clip(cr);
    for (const auto& n : s.transcription.notes) {
      if (p.drums) {
        const auto lane = size_t(std::find(p.lanes.begin(), p.lanes.end(), n.pitch) - p.lanes.begin());
        drawNote(cr, l, p.laneY(lane), p.rowHeight(), 0.6 * p.rowHeight(), n);
      } else {
        drawNote(cr, l, p.pitchY(n.pitch), p.rowHeight(), p.rowHeight(), n);
      }
    }
    cairo_restore(cr);
    drawTitle(cr, l, p, s.transcription.notes.size());
    setColour(cr, kText, 0.4);
    cairo_set_line_width(cr, 1.0);
    cairo_rectangle(cr, l.plotLeft - 0.5, p.top - 0.5, l.plotWidth + 1, p.height + 1);
    cairo_stroke(cr);
  }
  drawTimeLabels(cr, l);

  if (cairo_status(cr) != CAIRO_STATUS_SUCCESS)
    throw Error(fmt::format("--plot: drawing failed (cairo: {})", cairo_status_to_string(cairo_status(cr))));
  std::string bytes;
  const cairo_status_t status = cairo_surface_write_to_png_stream(surface.get(), appendBytes, &bytes);
  if (status != CAIRO_STATUS_SUCCESS)
    throw Error(fmt::format("--plot: PNG encoding failed (cairo: {})", cairo_status_to_string(status)));
  return bytes;
}

}  // namespace midistems::transcribe::plot
