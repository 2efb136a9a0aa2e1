#pragma once
// The instrument's look: a dark panel, one accent colour per section, knobs with a value arc (from
// the centre for bipolar ranges), flat combo boxes and power-style switches.
#include <juce_audio_utils/juce_audio_utils.h>
#include <juce_gui_basics/juce_gui_basics.h>

#include "plugin/gui/param_groups.h"

namespace midistems::plugin::gui {

namespace palette {
inline const juce::Colour background{0xff121419};
inline const juce::Colour panel{0xff1b1e25};
inline const juce::Colour panelEdge{0xff2a2f3a};
inline const juce::Colour group{0xff22262f};
inline const juce::Colour track{0xff303642};
inline const juce::Colour text{0xffdde2ea};
inline const juce::Colour dimText{0xff8b93a3};
inline const juce::Colour presets{0xff8c9eff};
inline const juce::Colour meterLow{0xff5ad27a};
inline const juce::Colour meterMid{0xffe8d25a};
inline const juce::Colour meterHigh{0xffef5350};
}  // namespace palette

juce::Colour accentOf(SectionKind kind);

class Look : public juce::LookAndFeel_V4 {
 public:
  Look();

  void drawRotarySlider(juce::Graphics&, int x, int y, int width, int height, float sliderPos,
                        float startAngle, float endAngle, juce::Slider&) override;
  void drawLinearSlider(juce::Graphics&, int x, int y, int width, int height, float sliderPos,
                        float minPos, float maxPos, juce::Slider::SliderStyle, juce::Slider&) override;
  juce::Label* createSliderTextBox(juce::Slider&) override;
  juce::Slider::SliderLayout getSliderLayout(juce::Slider&) override;
  void drawToggleButton(juce::Graphics&, juce::ToggleButton&, bool highlighted, bool down) override;
  void drawComboBox(juce::Graphics&, int width, int height, bool down, int buttonX, int buttonY,
                    int buttonW, int buttonH, juce::ComboBox&) override;
  juce::Font getComboBoxFont(juce::ComboBox&) override;
  void positionComboBoxText(juce::ComboBox&, juce::Label&) override;
  juce::Font getPopupMenuFont() override;
  // Menus open inside the editor (they scale with it, and need no window of their own).
  juce::Component* getParentComponentForMenuOptions(const juce::PopupMenu::Options&) override;
  void drawScrollbar(juce::Graphics&, juce::ScrollBar&, int x, int y, int width, int height,
                     bool vertical, int thumbStart, int thumbSize, bool over, bool down) override;
  int getDefaultScrollbarWidth() override { return 8; }
  void drawTooltip(juce::Graphics&, const juce::String& text, int width, int height) override;

  static juce::Font labelFont(float height = 11.0f);
  static juce::Font titleFont(float height = 12.5f);
};

}  // namespace midistems::plugin::gui
