// The piano-roll picture, read back from its PNG with cairo: it is not blank, each sine tone is a
// bright line at the row of its pitch while it sounds (and only then), and each note's box
// outline lies at the pixel its start time and pitch map to, in pitched and drum panels alike.
// Pixel positions are computed here from the layout's documented numbers (time 0 at plotLeft,
// pixelsPerSecond, a pitch's row band), not with the layout's own helpers.
#include <cairo.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <numbers>

#include "core/atomic_file.h"
#include "core/error.h"
#include "support/fixtures.h"
#include "transcribe/plot/piano_roll.h"

namespace midistems::transcribe::plot {
namespace {

namespace fs = std::filesystem;

// A sine at MIDI `pitch` from `start` to `end` seconds with 10 ms raised-cosine edges.
void addTone(AudioBuffer& b, double pitch, double start, double end, double amplitude) {
  const double hz = 440.0 * std::pow(2.0, (pitch - 69) / 12.0);
  for (auto i = int64_t(start * b.sampleRate); i < int64_t(end * b.sampleRate); ++i) {
    const double t = double(i) / b.sampleRate;
    const double edge = std::clamp(std::min((t - start) / 0.01, (end - t) / 0.01), 0.0, 1.0);
    b.channels[0][size_t(i)] +=
        float(amplitude * (0.5 - 0.5 * std::cos(std::numbers::pi * edge)) * std::sin(2 * std::numbers::pi * hz * t));
  }
}

// A decaying noise burst (a drum hit) at `start`.
void addHit(AudioBuffer& b, double start, uint32_t seed) {
  for (int64_t i = 0; i < int64_t(0.15 * b.sampleRate); ++i) {
    seed = seed * 1664525u + 1013904223u;
    const double t = double(i) / b.sampleRate;
    b.channels[0][size_t(int64_t(start * b.sampleRate) + i)] +=
        float(0.6 * std::exp(-t * 30) * ((seed >> 8) / double(1 << 24) - 0.5));
  }
}

ExportNote note(int pitch, double start, double end, int velocity, std::vector<int> bends = {}) {
  ExportNote n;
  n.pitch = pitch;
  n.startSeconds = start;
  n.endSeconds = end;
  n.velocity = velocity;
  n.amplitude = velocity / 127.0;
  n.pitchBends = std::move(bends);
  return n;
}

struct Rgb {
  int r, g, b;
  double luminance() const { return 0.299 * r + 0.587 * g + 0.114 * b; }
  // The notes' outline colour (cyan) blended over any level of the dark-to-light colour map,
  // whose green never exceeds its red.
  bool isOutline() const { return g - r > 80 && b > 150; }
};

struct Picture {
  int width = 0, height = 0;
  std::vector<Rgb> pixels;
  const Rgb& at(double x, double y) const {
    const int ix = int(std::floor(x)), iy = int(std::floor(y));
    EXPECT_TRUE(ix >= 0 && ix < width && iy >= 0 && iy < height) << ix << "," << iy;
    return pixels[size_t(std::clamp(iy, 0, height - 1)) * size_t(width) + size_t(std::clamp(ix, 0, width - 1))];
  }
};

// Writes the PNG to a file and loads it again with cairo's PNG reader.
Picture readBack(const std::string& png, const fs::path& file) {
  writeFileAtomically(file, png.data(), png.size());
  std::unique_ptr<cairo_surface_t, decltype(&cairo_surface_destroy)> s(
      cairo_image_surface_create_from_png(file.c_str()), cairo_surface_destroy);
  EXPECT_EQ(cairo_surface_status(s.get()), CAIRO_STATUS_SUCCESS) << file;
  Picture p;
  if (cairo_surface_status(s.get()) != CAIRO_STATUS_SUCCESS) return p;
  p.width = cairo_image_surface_get_width(s.get());
  p.height = cairo_image_surface_get_height(s.get());
  const int stride = cairo_image_surface_get_stride(s.get());
  const unsigned char* data = cairo_image_surface_get_data(s.get());
  for (int y = 0; y < p.height; ++y)
    for (int x = 0; x < p.width; ++x) {
      uint32_t v;
      std::memcpy(&v, data + size_t(y) * size_t(stride) + size_t(x) * 4, 4);
      p.pixels.push_back({int(v >> 16 & 0xff), int(v >> 8 & 0xff), int(v & 0xff)});
    }
  return p;
}

class PianoRollPicture : public ::testing::Test {
 protected:
  void SetUp() override {
    AudioBuffer bass(1, 44100 * 4, 44100);
    addTone(bass, 45, 0.5, 1.5, 0.3);  // A2, 110 Hz, with a note
    addTone(bass, 52, 2.0, 3.0, 0.3);  // E3, 165 Hz, without one
    StemTranscription pitched{"bass", false, {note(45, 0.5, 1.5, 100), note(60, 3.1, 3.7, 60, {0, 1, 2, 3, 3})}};
    AudioBuffer drums(1, 44100 * 4, 44100);
    for (double t : {0.5, 1.5, 2.5}) addHit(drums, t, uint32_t(t * 10));
    StemTranscription kit{"drums", true, {note(36, 0.5, 0.6, 110), note(38, 1.5, 1.6, 90), note(42, 2.5, 2.6, 70)}};

    PianoRoll roll(2);
    roll.addStem(pitched, bass);
    roll.addStem(kit, drums);
    layout = roll.layout();
    picture = readBack(roll.png(), testing::scratchDir("piano-roll") / "roll.png");
  }

  double x(double seconds) const { return layout.plotLeft + seconds * layout.pixelsPerSecond; }
  // Centre of pitch p's row band in the pitched panel: the panel spans highPitch + 0.5 (top) to
  // lowPitch - 0.5 (bottom).
  double y(double pitch) const {
    const PanelLayout& p = layout.panels[0];
    return p.top + (p.highPitch + 0.5 - pitch) * p.height / double(p.highPitch - p.lowPitch + 1);
  }
  double semitone() const { return layout.panels[0].height / double(layout.panels[0].highPitch - layout.panels[0].lowPitch + 1); }

  PianoRollLayout layout;
  Picture picture;
};

TEST_F(PianoRollPicture, LayoutAndSize) {
  EXPECT_EQ(layout.pixelsPerSecond, 100);
  EXPECT_EQ(layout.plotWidth, 400);
  ASSERT_EQ(layout.panels.size(), 2u);
  // Whole octaves with two semitones to spare around A2 and C4: C2 (36) to B4 (71).
  EXPECT_EQ(layout.panels[0].lowPitch, 36);
  EXPECT_EQ(layout.panels[0].highPitch, 71);
  EXPECT_EQ(layout.panels[1].lanes, (std::vector<int>{36, 38, 42}));
  EXPECT_GE(layout.panels[1].top, layout.panels[0].top + layout.panels[0].height);
  EXPECT_EQ(picture.width, layout.width);
  EXPECT_EQ(picture.height, layout.height);
  EXPECT_GE(layout.width, layout.plotLeft + layout.plotWidth);
  EXPECT_GE(layout.height, layout.panels[1].top + layout.panels[1].height);
}

TEST_F(PianoRollPicture, IsNotBlank) {
  ASSERT_FALSE(picture.pixels.empty());
  double sum = 0, sumSquares = 0;
  for (const Rgb& p : picture.pixels) {
    sum += p.luminance();
    sumSquares += p.luminance() * p.luminance();
  }
  const double n = double(picture.pixels.size());
  const double deviation = std::sqrt(sumSquares / n - (sum / n) * (sum / n));
  std::printf("[ measured ] %dx%d picture, luminance mean %.1f, deviation %.1f\n", picture.width, picture.height,
              sum / n, deviation);
  EXPECT_GT(deviation, 20.0);
}

TEST_F(PianoRollPicture, ToneIsABrightLineAtItsRowOnlyWhileItSounds) {
  // E3 has no note drawn over it: this is the spectrogram alone.
  for (double t : {2.25, 2.5, 2.75}) {
    SCOPED_TRACE(t);
    EXPECT_GT(picture.at(x(t), y(52)).luminance(), 150.0);
    // The brightest row of the panel in this column is E3's, to the pixel.
    const PanelLayout& p = layout.panels[0];
    int brightest = p.top;
    for (int row = p.top; row < p.top + p.height; ++row)
      if (picture.at(x(t), row).luminance() > picture.at(x(t), brightest).luminance()) brightest = row;
    EXPECT_NEAR(brightest, y(52), 1.0);
    // Six semitones away: dark.
    EXPECT_LT(picture.at(x(t), y(46)).luminance(), 60.0);
    EXPECT_LT(picture.at(x(t), y(58)).luminance(), 60.0);
  }
  // Its row before and after: dark.
  for (double t : {0.2, 1.75, 3.3, 3.9}) EXPECT_LT(picture.at(x(t), y(52)).luminance(), 60.0) << t;
  // The line starts at 2.0 s, within the 93 ms window's half width.
  int onset = int(x(0));
  while (onset < int(x(4)) && picture.at(onset, y(52)).luminance() < 100) ++onset;
  EXPECT_NEAR(onset, x(2.0), 6.0);
  // A2 shows through its note's box.
  EXPECT_GT(picture.at(x(1.0), y(45)).luminance(), 150.0);
  EXPECT_LT(picture.at(x(0.2), y(45)).luminance(), 60.0);
}

TEST_F(PianoRollPicture, NoteOutlineAtItsTimeAndPitch) {
  // Left edge at the start time, on the pitch's row; top edge half a semitone above the centre.
  EXPECT_TRUE(picture.at(x(0.5), y(45)).isOutline());
  EXPECT_TRUE(picture.at(x(1.0), y(45) - semitone() / 2).isOutline());
  EXPECT_TRUE(picture.at(x(1.0), y(45) + semitone() / 2).isOutline());
  // Not two semitones off, nor a few pixels before the start.
  EXPECT_FALSE(picture.at(x(0.5), y(47)).isOutline());
  EXPECT_FALSE(picture.at(x(0.5), y(43)).isOutline());
  EXPECT_FALSE(picture.at(x(0.5) - 3, y(45)).isOutline());
  // The quieter C4 note: outline too (its bottom edge: the bend line starts on its left edge
  // and rises).
  EXPECT_TRUE(picture.at(x(3.4), y(60) + semitone() / 2).isOutline());
  // No outline colour where there is no note (1.6 to 3.0 s in the pitched panel).
  const PanelLayout& p = layout.panels[0];
  int outlined = 0;
  for (int row = p.top; row < p.top + p.height; ++row)
    for (double t = 1.6; t < 3.0; t += 0.01) outlined += picture.at(x(t), row).isOutline();
  EXPECT_EQ(outlined, 0);
}

TEST_F(PianoRollPicture, DrumHitsInTheirLanes) {
  // Lanes bottom up: kick, snare, closed hat; each a third of the panel.
  const PanelLayout& p = layout.panels[1];
  const double lane = p.height / 3.0;
  const auto laneCentre = [&](int i) { return p.top + p.height - (i + 0.5) * lane; };
  EXPECT_TRUE(picture.at(x(0.5), laneCentre(0)).isOutline());
  EXPECT_TRUE(picture.at(x(1.5), laneCentre(1)).isOutline());
  EXPECT_TRUE(picture.at(x(2.5), laneCentre(2)).isOutline());
  EXPECT_FALSE(picture.at(x(1.5), laneCentre(0)).isOutline());
  EXPECT_FALSE(picture.at(x(0.5), laneCentre(2)).isOutline());
}

TEST(PianoRoll, LongSongsAreCompressedToTheMaximumWidth) {
  PianoRoll roll(1);
  roll.addStem({"other", false, {}}, AudioBuffer(1, 22050 * 100, 22050));  // 100 s of silence
  const PianoRollLayout l = roll.layout();
  EXPECT_EQ(l.plotWidth, kMaxPlotWidth);
  EXPECT_DOUBLE_EQ(l.pixelsPerSecond, kMaxPlotWidth / 100.0);
  // No notes: C3 to B5.
  EXPECT_EQ(l.panels[0].lowPitch, 48);
  EXPECT_EQ(l.panels[0].highPitch, 83);
  const std::string png = roll.png();
  EXPECT_EQ(png.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
}

TEST(PianoRoll, TooManyStemsFailBeforeAnyWork) {
  EXPECT_THROW(PianoRoll(kMaxPanels + 1), Error);
  PianoRoll roll(1);
  roll.addStem({"bass", false, {}}, AudioBuffer(1, 100, 44100));
  EXPECT_THROW(roll.addStem({"bass", false, {}}, AudioBuffer(1, 100, 44100)), Error);
}

}  // namespace
}  // namespace midistems::transcribe::plot
