#pragma once
// The instrument's editor. Everything is laid out once on a fixed design canvas (kDesignWidth x
// kDesignHeight) and scaled as a whole, so the window keeps its aspect ratio between kMinScale
// and kMaxScale and every section keeps its place. Sections come from groupParameters(): one
// control per host parameter, whatever the engine's table holds. A 30 Hz timer feeds the meter,
// the xrun counter, the envelope and filter drawings, the preset list and the MIDI learn marks;
// nothing here runs on, or waits for, the audio thread.
#include <juce_audio_processors/juce_audio_processors.h>
#include <juce_audio_utils/juce_audio_utils.h>

#include <memory>
#include <vector>

#include "plugin/editor_model.h"
#include "plugin/gui/look.h"
#include "plugin/gui/output_meter.h"
#include "plugin/gui/preset_browser.h"
#include "plugin/gui/sections.h"

namespace midistems::plugin::gui {

class Editor : public juce::AudioProcessorEditor, private juce::Timer {
 public:
  static constexpr int kDesignWidth = 1400;
  static constexpr int kDesignHeight = 960;
  static constexpr double kMinScale = 0.6;
  static constexpr double kMaxScale = 1.6;
  static constexpr double kDefaultScale = 0.8;
  static constexpr int kTimerHz = 30;

  explicit Editor(EditorModel& model);
  ~Editor() override;

  double scale() const;
  // The design canvas holding every section (scaled by the editor's size).
  juce::Component& canvas();
  std::vector<ParamControl*> controls();
  std::vector<SectionPanel*> sections();
  juce::MidiKeyboardComponent& keyboard() { return keyboard_; }
  PresetBrowser& presets() { return presets_; }
  OutputMeter& meter() { return meter_; }
  juce::Label& xruns() { return xruns_; }
  // One timer tick, `seconds` after the previous one.
  void tick(float seconds);

  void resized() override;
  void paint(juce::Graphics&) override;
  bool keyPressed(const juce::KeyPress&) override;
  bool keyStateChanged(bool isKeyDown) override;
  void visibilityChanged() override;

 private:
  class Canvas;
  void timerCallback() override;
  void layoutCanvas();

  EditorModel& model_;
  Look look_;
  std::unique_ptr<Canvas> canvas_;
  std::vector<std::unique_ptr<SectionPanel>> sections_;
  PresetBrowser presets_;
  juce::MidiKeyboardComponent keyboard_;
  OutputMeter meter_;
  juce::Label xruns_;
  juce::Label presetName_;
  juce::TooltipWindow tooltips_{this, 700};
  int ticks_ = 0;
};

}  // namespace midistems::plugin::gui
