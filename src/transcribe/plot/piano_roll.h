#pragma once
// The picture of a transcription: one panel per stem, stacked top to bottom in the order the stems
// were added and sharing one time axis, each showing the stem's log-frequency spectrogram
// (log_spectrogram.h; dark to light over a fixed -80..0 dB range) with the transcribed notes drawn
// on top as outlined boxes whose opacity grows with velocity, and pitch bends as a line through
// the box. The pitch axis is the spectrogram's: MIDI pitch p sits at 440 * 2^((p - 69) / 12) Hz,
// so a correct note covers the bright line of its fundamental. Labels: the stem's name and note
// count, a line at each C with its name (C4 = MIDI 60), seconds along the bottom.
//
// Pitched panels show whole octaves (C to B) around the stem's notes with at least two semitones
// to spare, at least three octaves (C3 to B5 when there are no notes). The drums panel shows the
// spectrogram from C1 (33 Hz) to B9 (15.8 kHz) and the hits in one lane per General MIDI drum
// key present, kick at the bottom and cymbals at the top, each lane named on the left.
//
// Sizes: 100 px per second, fewer when the longest stem would pass 4000 px (then the whole song
// fits in 4000 px); each panel 240 px tall. PNG output through cairo.
#include <cstddef>
#include <string>
#include <vector>

#include "core/audio_buffer.h"
#include "transcribe/notes/note_export.h"
#include "transcribe/plot/log_spectrogram.h"

namespace midistems::transcribe::plot {

inline constexpr double kPixelsPerSecond = 100;
inline constexpr int kMaxPlotWidth = 4000;  // the time axis, without the margins
inline constexpr int kMinPlotWidth = 400;   // short clips still get room for their labels
inline constexpr int kPanelHeight = 240;
inline constexpr size_t kMaxPanels = 24;    // 24 panels are about 6,700 px tall

// Where things are in the picture (pixels, y downwards; x and y of a pixel's upper-left corner).
struct PanelLayout {
  std::string name;
  bool drums = false;
  int top = 0;          // first row of the panel's plot area
  int height = 0;
  int lowPitch = 0;     // lowest and highest MIDI pitch shown (pitched panels), each one
  int highPitch = 0;    //   height / (highPitch - lowPitch + 1) px tall
  std::vector<int> lanes;  // drums: the drum keys present, bottom lane first

  // Vertical centre of pitch p (pitched panels) or of lane i (drums) in picture coordinates.
  double pitchY(double pitch) const;
  double laneY(size_t lane) const;
  double rowHeight() const;  // a semitone (pitched) or a lane (drums)
};

struct PianoRollLayout {
  double seconds = 0;       // the longest stem
  double pixelsPerSecond = 0;
  int plotLeft = 0;         // x of time 0
  int plotWidth = 0;
  int width = 0;            // the whole picture
  int height = 0;
  std::vector<PanelLayout> panels;

  double timeX(double seconds) const { return plotLeft + seconds * pixelsPerSecond; }
};

// Collects the stems of one transcription (its spectrogram is computed as each stem is added, so
// that only one stem's audio need be in memory at a time) and renders them into one PNG.
class PianoRoll {
 public:
  // Throws midistems::Error when more than kMaxPanels stems are to be drawn, before any work.
  explicit PianoRoll(size_t stems);
  PianoRoll(PianoRoll&&) noexcept;
  PianoRoll& operator=(PianoRoll&&) noexcept;
  ~PianoRoll();

  void addStem(const StemTranscription& stem, const AudioBuffer& audio);

  PianoRollLayout layout() const;
  // The picture as PNG bytes. Throws midistems::Error if cairo fails (out of memory).
  std::string png() const;

 private:
  struct Stem;
  size_t expected_;
  std::vector<Stem> stems_;
};

}  // namespace midistems::transcribe::plot
