#include "plugin/gui/param_control.h"

#include <algorithm>

#include "plugin/gui/look.h"

namespace midistems::plugin::gui {
namespace {

bool isMenuKey(const juce::KeyPress& key) {
  return (key.getKeyCode() == juce::KeyPress::F10Key && key.getModifiers().isShiftDown()) ||
         (key.getKeyCode() == 'M' && key.getModifiers().isCtrlDown()) ||
         (key.getKeyCode() == 'm' && key.getModifiers().isCtrlDown());
}

// A widget whose right-click and menu keys open the owner's MIDI learn menu instead of acting.
template <class Base>
class WithLearnMenu : public Base {
 public:
  using Base::Base;
  std::function<void()> onMenu;

  void mouseDown(const juce::MouseEvent& e) override {
    if (e.mods.isPopupMenu()) {
      if (onMenu) onMenu();
      return;
    }
    Base::mouseDown(e);
  }
  void mouseDrag(const juce::MouseEvent& e) override {
    if (!e.mods.isPopupMenu()) Base::mouseDrag(e);
  }
  void mouseUp(const juce::MouseEvent& e) override {
    if (!e.mods.isPopupMenu()) Base::mouseUp(e);
  }
  bool keyPressed(const juce::KeyPress& key) override {
    if (isMenuKey(key)) {
      if (onMenu) onMenu();
      return true;
    }
    return Base::keyPressed(key);
  }
};

using LearnSlider = WithLearnMenu<juce::Slider>;
using LearnCombo = WithLearnMenu<juce::ComboBox>;
using LearnToggle = WithLearnMenu<juce::ToggleButton>;

}  // namespace

ParamControl::ParamControl(EditorModel& model, const ParamRef& ref, juce::Colour accent, Layout layout)
    : model_(model), ref_(ref), accent_(accent), layout_(layout) {
  auto& param = *ref_.param;
  const auto tooltip = param.getName(80) + "  (right-click or Shift+F10: MIDI learn)";
  setComponentID("param:" + ref_.id);
  auto openMenu = [this] { showLearnMenu(); };

  switch (ref_.kind) {
    case ControlKind::Knob: {
      auto slider = std::make_unique<LearnSlider>(
          layout_ == Layout::Bare ? juce::Slider::LinearHorizontal : juce::Slider::RotaryHorizontalVerticalDrag,
          juce::Slider::TextBoxBelow);
      slider->onMenu = openMenu;
      slider->setColour(juce::Slider::rotarySliderFillColourId, accent_);
      slider->setTooltip(tooltip);
      slider->setWantsKeyboardFocus(true);
      slider->setScrollWheelEnabled(true);
      sliderAttachment_ = std::make_unique<juce::SliderParameterAttachment>(param, *slider);
      // The parameter's own value-to-text, with its unit when the text lacks one.
      const auto unit = param.getLabel().trim();
      slider->textFromValueFunction = [&param, unit](double value) {
        auto text = param.getText(param.convertTo0to1(float(value)), 0);
        if (unit.isNotEmpty() && !text.trimEnd().endsWithIgnoreCase(unit)) text << " " << unit;
        return text;
      };
      slider->valueFromTextFunction = [&param, unit](const juce::String& typed) {
        auto text = typed.trim();
        if (unit.isNotEmpty() && text.endsWithIgnoreCase(unit)) text = text.dropLastCharacters(unit.length()).trim();
        return double(param.convertFrom0to1(param.getValueForText(text)));
      };
      slider->setDoubleClickReturnValue(true, param.convertFrom0to1(param.getDefaultValue()));
      slider->updateText();
      widget_ = std::move(slider);
      break;
    }
    case ControlKind::Choice: {
      auto combo = std::make_unique<LearnCombo>();
      combo->onMenu = openMenu;
      combo->addItemList(param.getAllValueStrings(), 1);
      combo->setTooltip(tooltip);
      combo->setColour(juce::ComboBox::focusedOutlineColourId, accent_);
      combo->setWantsKeyboardFocus(true);
      comboAttachment_ = std::make_unique<juce::ComboBoxParameterAttachment>(param, *combo);
      widget_ = std::move(combo);
      break;
    }
    case ControlKind::Toggle: {
      auto toggle = std::make_unique<LearnToggle>(layout_ == Layout::Switch ? juce::String() : ref_.label);
      toggle->onMenu = openMenu;
      toggle->setColour(juce::ToggleButton::tickColourId, accent_);
      toggle->setTooltip(tooltip);
      toggle->setWantsKeyboardFocus(true);
      buttonAttachment_ = std::make_unique<juce::ButtonParameterAttachment>(param, *toggle);
      widget_ = std::move(toggle);
      break;
    }
  }
  widget_->setTitle(param.getName(80));
  addAndMakeVisible(*widget_);
  refreshLearnState(model_.midiLearnTarget());
}

ParamControl::~ParamControl() {
  // Attachments first: they detach from the widget they point at.
  sliderAttachment_.reset();
  comboAttachment_.reset();
  buttonAttachment_.reset();
}

juce::Component& ParamControl::widget() { return *widget_; }

int ParamControl::preferredWidth() const {
  if (layout_ == Layout::Switch) return 20;
  switch (ref_.kind) {
    case ControlKind::Knob: return layout_ == Layout::Bare ? 150 : 56;
    case ControlKind::Choice: return 104;
    case ControlKind::Toggle: return 68;
  }
  return 56;
}

juce::PopupMenu ParamControl::learnMenu() {
  juce::PopupMenu menu;
  menu.addSectionHeader(ref_.param->getName(60) + (cc_ >= 0 ? "  (CC " + juce::String(cc_) + ")" : ""));
  if (learning_)
    menu.addItem(kCancelLearn, "Cancel MIDI learn");
  else
    menu.addItem(kLearn, "MIDI learn");
  menu.addItem(kClearLearn, cc_ >= 0 ? "Clear MIDI learn (CC " + juce::String(cc_) + ")" : "Clear MIDI learn",
               cc_ >= 0);
  return menu;
}

void ParamControl::handleLearnMenu(int item) {
  switch (item) {
    case kLearn: model_.beginMidiLearn(ref_.id); break;
    case kCancelLearn: model_.cancelMidiLearn(); break;
    case kClearLearn: model_.clearMidiLearn(ref_.id); break;
    default: return;
  }
  refreshLearnState(model_.midiLearnTarget());
}

void ParamControl::showLearnMenu() {
  refreshLearnState(model_.midiLearnTarget());
  juce::Component::SafePointer<ParamControl> self(this);
  auto menu = learnMenu();
  menu.setLookAndFeel(&getLookAndFeel());
  // Inside the editor, so that the menu scales with it.
  menu.showMenuAsync(juce::PopupMenu::Options()
                         .withTargetComponent(widget_.get())
                         .withParentComponent(findParentComponentOfClass<juce::AudioProcessorEditor>()),
                     [self](int item) {
                       if (self != nullptr) self->handleLearnMenu(item);
                     });
}

void ParamControl::refreshLearnState(const juce::String& learningId) {
  const bool learning = learningId == ref_.id;
  const int cc = model_.midiLearnCc(ref_.id);
  if (learning == learning_ && cc == cc_) return;
  learning_ = learning;
  cc_ = cc;
  repaint();
}

void ParamControl::resized() {
  auto area = getLocalBounds();
  if (layout_ != Layout::Cell) {
    if (ref_.kind == ControlKind::Choice)
      widget_->setBounds(area.withSizeKeepingCentre(area.getWidth(), std::min(area.getHeight(), 22)));
    else
      widget_->setBounds(area);
    return;
  }
  area.removeFromTop(14);
  switch (ref_.kind) {
    case ControlKind::Knob: widget_->setBounds(area); break;
    case ControlKind::Choice: widget_->setBounds(area.withHeight(22).translated(0, 8).reduced(2, 0)); break;
    case ControlKind::Toggle: widget_->setBounds(area.withHeight(24).translated(0, 7).reduced(3, 0)); break;
  }
}

void ParamControl::paint(juce::Graphics& g) {
  if (learning_) {
    g.setColour(accent_.withAlpha(0.18f));
    g.fillRoundedRectangle(getLocalBounds().toFloat(), 4.0f);
    g.setColour(accent_);
    g.drawRoundedRectangle(getLocalBounds().toFloat().reduced(0.5f), 4.0f, 1.0f);
  }
  if (layout_ != Layout::Cell) {
    if (cc_ >= 0 || learning_) {
      g.setColour(accent_);
      g.fillEllipse(float(getWidth() - 5), 1.0f, 4.0f, 4.0f);
    }
    return;
  }
  auto top = getLocalBounds().removeFromTop(14);
  juce::String text = ref_.kind == ControlKind::Toggle ? juce::String() : ref_.label;
  if (learning_)
    text = "learning...";
  else if (cc_ >= 0)
    text = (text.isEmpty() ? juce::String() : text + " ") + "CC" + juce::String(cc_);
  g.setFont(Look::labelFont(10.5f));
  g.setColour(learning_ || cc_ >= 0 ? accent_ : palette::dimText);
  g.drawFittedText(text, top, juce::Justification::centred, 1, 0.8f);
}

}  // namespace midistems::plugin::gui
