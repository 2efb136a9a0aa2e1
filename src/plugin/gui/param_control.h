#pragma once
// One host parameter's control: a knob (value shown in its unit by the parameter's own
// value-to-text), a combo box of its choice names or a switch, bound by JUCE's parameter
// attachments so that host automation and change gestures work. Right-click, Shift+F10 or Ctrl+M
// opens its MIDI learn menu; the bound CC shows beside the label.
#include <juce_audio_processors/juce_audio_processors.h>
#include <juce_gui_basics/juce_gui_basics.h>

#include <functional>
#include <memory>

#include "plugin/editor_model.h"
#include "plugin/gui/param_groups.h"

namespace midistems::plugin::gui {

class ParamControl : public juce::Component {
 public:
  enum class Layout {
    Cell,     // label over the widget (knobs, combo boxes, labelled switches)
    Bare,     // the widget alone; a knob becomes a horizontal bar (matrix rows)
    Switch,   // a round power switch (an effect's on/bypass in its title bar)
  };
  enum MenuItem { kLearn = 1, kCancelLearn = 2, kClearLearn = 3 };
  static constexpr int kCellHeight = 74;

  ParamControl(EditorModel& model, const ParamRef& ref, juce::Colour accent, Layout layout);
  ~ParamControl() override;

  const juce::String& paramId() const { return ref_.id; }
  const ParamRef& ref() const { return ref_; }
  ControlKind kind() const { return ref_.kind; }
  int preferredWidth() const;
  // The focusable widget (slider, combo box or button) inside.
  juce::Component& widget();

  juce::PopupMenu learnMenu();
  void handleLearnMenu(int item);
  void showLearnMenu();
  // Reads the model's MIDI learn state and repaints when it changed.
  void refreshLearnState(const juce::String& learningId);
  int boundCc() const { return cc_; }
  bool learning() const { return learning_; }

  void resized() override;
  void paint(juce::Graphics&) override;

 private:
  EditorModel& model_;
  ParamRef ref_;
  juce::Colour accent_;
  Layout layout_;
  int cc_ = -1;
  bool learning_ = false;
  std::unique_ptr<juce::Component> widget_;
  std::unique_ptr<juce::SliderParameterAttachment> sliderAttachment_;
  std::unique_ptr<juce::ComboBoxParameterAttachment> comboAttachment_;
  std::unique_ptr<juce::ButtonParameterAttachment> buttonAttachment_;
};

}  // namespace midistems::plugin::gui
