#pragma once
// A section of the editor (Oscillators, Filter, ...): a titled panel whose groups (Osc 1, Amp env,
// one modulation slot, one effect, ...) flow left to right and wrap, inside a viewport that
// scrolls when a section holds more than its area shows (the modulation matrix, many LFOs or
// effects). Sizes come from the groups' parameters, so a longer table needs no change here.
#include <juce_gui_basics/juce_gui_basics.h>

#include <array>
#include <memory>
#include <vector>

#include "plugin/editor_model.h"
#include "plugin/gui/param_control.h"
#include "plugin/gui/param_groups.h"

namespace midistems::plugin::gui {

// The shape of an ADSR envelope from its group's attack, decay, sustain, release (and curve).
class EnvelopeView : public juce::Component {
 public:
  EnvelopeView(const ParamGroup& group, juce::Colour accent);
  bool hasShape() const { return attack_ && decay_ && sustain_ && release_; }
  void refresh();  // repaints when a value changed
  void paint(juce::Graphics&) override;

 private:
  juce::Colour accent_;
  juce::RangedAudioParameter* attack_ = nullptr;
  juce::RangedAudioParameter* decay_ = nullptr;
  juce::RangedAudioParameter* sustain_ = nullptr;
  juce::RangedAudioParameter* release_ = nullptr;
  juce::RangedAudioParameter* curve_ = nullptr;
  std::array<float, 5> shown_{-1, -1, -1, -1, -1};
  std::array<float, 5> values() const;
};

// The magnitude response of a filter group's type, cutoff and resonance (the analog prototype:
// 12 dB/octave sections, squared for 24 dB types), 20 Hz to 20 kHz, -36 to +18 dB.
class FilterResponseView : public juce::Component {
 public:
  FilterResponseView(const ParamGroup& group, juce::Colour accent);
  bool hasResponse() const { return type_ && cutoff_ && resonance_; }
  void refresh();
  void paint(juce::Graphics&) override;
  // The response in dB at `hz` for a type name ("lp24", "bp12", "notch24", "ladder24", ...).
  static float responseDb(const juce::String& type, float cutoffHz, float resonance, float hz);

 private:
  juce::Colour accent_;
  juce::RangedAudioParameter* type_ = nullptr;
  juce::RangedAudioParameter* cutoff_ = nullptr;
  juce::RangedAudioParameter* resonance_ = nullptr;
  std::array<float, 3> shown_{-1, -1, -1};
};

class GroupPanel : public juce::Component {
 public:
  GroupPanel(EditorModel& model, const ParamGroup& group, juce::Colour accent);
  int preferredWidth() const;
  int heightFor(int width) const;
  const ParamGroup& group() const { return group_; }
  std::vector<ParamControl*> controls();
  void refresh(const juce::String& learningId);
  void resized() override;
  void paint(juce::Graphics&) override;

 private:
  static constexpr int kHeader = 18;
  static constexpr int kPad = 5;
  static constexpr int kEnvelopeHeight = 52;
  static constexpr int kRowHeight = 26;
  ParamGroup group_;
  juce::Colour accent_;
  std::vector<std::unique_ptr<ParamControl>> controls_;
  ParamControl* headerSwitch_ = nullptr;
  std::unique_ptr<EnvelopeView> envelope_;
  std::unique_ptr<FilterResponseView> response_;
  // Lays the cells out from (x0, y0) within `width`; returns the height used.
  int layoutCells(int x0, int y0, int width, bool apply) const;
};

class SectionPanel : public juce::Component {
 public:
  SectionPanel(EditorModel& model, const Section& section);
  SectionKind kind() const { return kind_; }
  std::vector<ParamControl*> controls();
  juce::Viewport& viewport() { return viewport_; }
  void refresh(const juce::String& learningId);
  void resized() override;
  void paint(juce::Graphics&) override;

 private:
  static constexpr int kTitle = 24;
  SectionKind kind_;
  juce::String title_;
  juce::Colour accent_;
  juce::Viewport viewport_;
  juce::Component content_;
  std::vector<std::unique_ptr<GroupPanel>> groups_;
};

}  // namespace midistems::plugin::gui
