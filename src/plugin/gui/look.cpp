#include "plugin/gui/look.h"

#include <algorithm>
#include <cmath>

namespace midistems::plugin::gui {

juce::Colour accentOf(SectionKind kind) {
  switch (kind) {
    case SectionKind::Oscillators: return juce::Colour(0xff4fc3f7);
    case SectionKind::Filter: return juce::Colour(0xffffa94d);
    case SectionKind::Voice: return juce::Colour(0xffb0bec5);
    case SectionKind::Envelopes: return juce::Colour(0xff7ed67f);
    case SectionKind::Lfos: return juce::Colour(0xffc084fc);
    case SectionKind::Modulation: return juce::Colour(0xfff472b6);
    case SectionKind::Effects: return juce::Colour(0xff2dd4bf);
  }
  return palette::text;
}

Look::Look() {
  using namespace palette;
  setColour(juce::ResizableWindow::backgroundColourId, background);
  setColour(juce::Label::textColourId, text);
  setColour(juce::Slider::textBoxTextColourId, text);
  setColour(juce::Slider::textBoxOutlineColourId, juce::Colours::transparentBlack);
  setColour(juce::Slider::textBoxBackgroundColourId, juce::Colours::transparentBlack);
  setColour(juce::Slider::textBoxHighlightColourId, presets.withAlpha(0.4f));
  setColour(juce::ComboBox::backgroundColourId, track.darker(0.35f));
  setColour(juce::ComboBox::outlineColourId, panelEdge);
  setColour(juce::ComboBox::textColourId, text);
  setColour(juce::ComboBox::arrowColourId, dimText);
  setColour(juce::PopupMenu::backgroundColourId, panel.brighter(0.05f));
  setColour(juce::PopupMenu::textColourId, text);
  setColour(juce::PopupMenu::highlightedBackgroundColourId, presets.withAlpha(0.35f));
  setColour(juce::PopupMenu::highlightedTextColourId, juce::Colours::white);
  setColour(juce::PopupMenu::headerTextColourId, dimText);
  setColour(juce::TextEditor::backgroundColourId, track.darker(0.35f));
  setColour(juce::TextEditor::outlineColourId, panelEdge);
  setColour(juce::TextEditor::focusedOutlineColourId, presets);
  setColour(juce::TextEditor::textColourId, text);
  setColour(juce::CaretComponent::caretColourId, presets);
  setColour(juce::ListBox::backgroundColourId, juce::Colours::transparentBlack);
  setColour(juce::ListBox::outlineColourId, juce::Colours::transparentBlack);
  setColour(juce::ScrollBar::thumbColourId, track.brighter(0.3f));
  setColour(juce::TooltipWindow::backgroundColourId, panel.brighter(0.15f));
  setColour(juce::TooltipWindow::textColourId, text);
  setColour(juce::TooltipWindow::outlineColourId, panelEdge);
  setColour(juce::TextButton::buttonColourId, track.darker(0.2f));
  setColour(juce::TextButton::textColourOffId, text);
  setColour(juce::MidiKeyboardComponent::whiteNoteColourId, juce::Colour(0xffe9ecf1));
  setColour(juce::MidiKeyboardComponent::blackNoteColourId, juce::Colour(0xff1a1d23));
  setColour(juce::MidiKeyboardComponent::keySeparatorLineColourId, juce::Colour(0xff9aa3b2));
  setColour(juce::MidiKeyboardComponent::mouseOverKeyOverlayColourId, presets.withAlpha(0.25f));
  setColour(juce::MidiKeyboardComponent::keyDownOverlayColourId, presets.withAlpha(0.75f));
  setColour(juce::MidiKeyboardComponent::shadowColourId, juce::Colours::black.withAlpha(0.4f));
  setColour(juce::MidiKeyboardComponent::upDownButtonBackgroundColourId, panel);
  setColour(juce::MidiKeyboardComponent::upDownButtonArrowColourId, text);
  setDefaultSansSerifTypefaceName("DejaVu Sans");
}

juce::Font Look::labelFont(float height) { return juce::Font(height); }
juce::Font Look::titleFont(float height) { return juce::Font(height, juce::Font::bold); }

void Look::drawRotarySlider(juce::Graphics& g, int x, int y, int width, int height, float pos,
                            float startAngle, float endAngle, juce::Slider& slider) {
  const auto accent = slider.findColour(juce::Slider::rotarySliderFillColourId);
  const auto area = juce::Rectangle<int>(x, y, width, height).toFloat().reduced(3.0f);
  const float radius = std::min(area.getWidth(), area.getHeight()) / 2.0f;
  const auto centre = area.getCentre();
  const float arcRadius = radius - 2.0f;
  const float angle = startAngle + pos * (endAngle - startAngle);
  const bool enabled = slider.isEnabled();

  juce::Path track;
  track.addCentredArc(centre.x, centre.y, arcRadius, arcRadius, 0, startAngle, endAngle, true);
  g.setColour(palette::track);
  g.strokePath(track, juce::PathStrokeType(3.0f, juce::PathStrokeType::curved, juce::PathStrokeType::rounded));

  // Bipolar ranges (fine tune, pan, amounts) fill from the centre.
  const bool bipolar = slider.getMinimum() < 0.0 && slider.getMaximum() > 0.0;
  const float from = bipolar ? (startAngle + endAngle) / 2.0f : startAngle;
  juce::Path value;
  value.addCentredArc(centre.x, centre.y, arcRadius, arcRadius, 0, std::min(from, angle), std::max(from, angle), true);
  g.setColour(enabled ? accent : accent.withSaturation(0.1f));
  g.strokePath(value, juce::PathStrokeType(3.0f, juce::PathStrokeType::curved, juce::PathStrokeType::rounded));

  const float bodyRadius = arcRadius - 5.0f;
  const auto body = juce::Rectangle<float>(bodyRadius * 2, bodyRadius * 2).withCentre(centre);
  g.setGradientFill(juce::ColourGradient(juce::Colour(0xff3a404c), centre.x, body.getY(),
                                         juce::Colour(0xff1d2027), centre.x, body.getBottom(), false));
  g.fillEllipse(body);
  g.setColour(juce::Colours::black.withAlpha(0.5f));
  g.drawEllipse(body, 1.0f);
  if (slider.hasKeyboardFocus(true)) {
    g.setColour(accent.withAlpha(0.8f));
    g.drawEllipse(body.expanded(1.5f), 1.2f);
  }

  const auto tip = centre.getPointOnCircumference(bodyRadius - 2.0f, angle);
  const auto inner = centre.getPointOnCircumference(bodyRadius * 0.35f, angle);
  g.setColour(enabled ? palette::text : palette::dimText);
  g.drawLine({inner, tip}, 2.0f);
}

void Look::drawLinearSlider(juce::Graphics& g, int x, int y, int width, int height, float pos,
                            float minPos, float maxPos, juce::Slider::SliderStyle style, juce::Slider& slider) {
  if (style != juce::Slider::LinearHorizontal) {
    LookAndFeel_V4::drawLinearSlider(g, x, y, width, height, pos, minPos, maxPos, style, slider);
    return;
  }
  const auto accent = slider.findColour(juce::Slider::rotarySliderFillColourId);
  const auto bar = juce::Rectangle<float>(float(x), y + height / 2.0f - 3.0f, float(width), 6.0f);
  g.setColour(palette::track);
  g.fillRoundedRectangle(bar, 3.0f);
  const bool bipolar = slider.getMinimum() < 0.0 && slider.getMaximum() > 0.0;
  const float from = bipolar ? bar.getCentreX() : bar.getX();
  g.setColour(accent);
  g.fillRoundedRectangle(juce::Rectangle<float>(std::min(from, pos), bar.getY(), std::abs(pos - from), bar.getHeight()), 3.0f);
  g.setColour(palette::text);
  g.fillEllipse(juce::Rectangle<float>(9.0f, 9.0f).withCentre({pos, bar.getCentreY()}));
  if (slider.hasKeyboardFocus(true)) {
    g.setColour(accent);
    g.drawRoundedRectangle(bar.expanded(2.0f), 4.0f, 1.0f);
  }
}

juce::Label* Look::createSliderTextBox(juce::Slider& slider) {
  auto* label = LookAndFeel_V4::createSliderTextBox(slider);
  label->setFont(labelFont(10.5f));
  label->setColour(juce::Label::textColourId, palette::text.withAlpha(0.85f));
  label->setColour(juce::Label::backgroundColourId, juce::Colours::transparentBlack);
  label->setColour(juce::Label::outlineColourId, juce::Colours::transparentBlack);
  label->setColour(juce::TextEditor::backgroundColourId, palette::background);
  label->setColour(juce::TextEditor::outlineColourId, juce::Colours::transparentBlack);
  label->setColour(juce::TextEditor::focusedOutlineColourId, juce::Colours::transparentBlack);
  return label;
}

juce::Slider::SliderLayout Look::getSliderLayout(juce::Slider& slider) {
  juce::Slider::SliderLayout layout;
  auto bounds = slider.getLocalBounds();
  if (slider.getSliderStyle() == juce::Slider::LinearHorizontal) {
    layout.textBoxBounds = bounds.removeFromRight(std::min(64, bounds.getWidth() / 2));
    layout.sliderBounds = bounds.reduced(4, 0);
    return layout;
  }
  layout.textBoxBounds = bounds.removeFromBottom(14);
  layout.sliderBounds = bounds;
  return layout;
}

void Look::drawToggleButton(juce::Graphics& g, juce::ToggleButton& button, bool highlighted, bool) {
  const auto accent = button.findColour(juce::ToggleButton::tickColourId);
  const bool on = button.getToggleState();
  auto area = button.getLocalBounds().toFloat().reduced(1.5f);
  const bool compact = button.getButtonText().isEmpty();
  if (compact) {
    // A power switch in a group's title bar.
    const auto circle = area.withSizeKeepingCentre(area.getHeight(), area.getHeight()).reduced(1.0f);
    g.setColour(on ? accent : palette::track);
    g.fillEllipse(circle);
    g.setColour(on ? juce::Colours::black.withAlpha(0.7f) : palette::dimText);
    const auto c = circle.getCentre();
    const float r = circle.getWidth() * 0.28f;
    juce::Path p;
    p.addCentredArc(c.x, c.y, r, r, 0, 0.7f, juce::MathConstants<float>::twoPi - 0.7f, true);
    g.strokePath(p, juce::PathStrokeType(1.4f));
    g.drawLine(c.x, c.y - r * 1.25f, c.x, c.y - r * 0.2f, 1.4f);
  } else {
    g.setColour(on ? accent.withAlpha(0.9f) : palette::track.darker(0.2f));
    g.fillRoundedRectangle(area, 4.0f);
    g.setColour(highlighted ? accent : palette::panelEdge);
    g.drawRoundedRectangle(area, 4.0f, 1.0f);
    g.setColour(on ? juce::Colours::black.withAlpha(0.85f) : palette::text);
    g.setFont(labelFont(10.5f));
    g.drawFittedText(button.getButtonText(), area.toNearestInt().reduced(3, 0), juce::Justification::centred, 2);
  }
  if (button.hasKeyboardFocus(false)) {
    g.setColour(accent);
    g.drawRoundedRectangle(area.expanded(1.0f), 4.0f, 1.0f);
  }
}

void Look::drawComboBox(juce::Graphics& g, int width, int height, bool, int, int, int, int, juce::ComboBox& box) {
  const auto area = juce::Rectangle<float>(0, 0, float(width), float(height)).reduced(0.5f);
  g.setColour(box.findColour(juce::ComboBox::backgroundColourId));
  g.fillRoundedRectangle(area, 4.0f);
  const auto accent = box.findColour(juce::ComboBox::focusedOutlineColourId);
  g.setColour(box.hasKeyboardFocus(true) ? accent : box.findColour(juce::ComboBox::outlineColourId));
  g.drawRoundedRectangle(area, 4.0f, 1.0f);
  juce::Path arrow;
  const float ax = width - 11.0f, ay = height / 2.0f;
  arrow.addTriangle(ax - 4.0f, ay - 2.0f, ax + 4.0f, ay - 2.0f, ax, ay + 3.0f);
  g.setColour(accent.withAlpha(0.9f));
  g.fillPath(arrow);
}

juce::Font Look::getComboBoxFont(juce::ComboBox&) { return labelFont(11.5f); }

void Look::positionComboBoxText(juce::ComboBox& box, juce::Label& label) {
  label.setBounds(4, 1, box.getWidth() - 22, box.getHeight() - 2);
  label.setFont(getComboBoxFont(box));
}

juce::Font Look::getPopupMenuFont() { return labelFont(13.0f); }

juce::Component* Look::getParentComponentForMenuOptions(const juce::PopupMenu::Options& options) {
  if (auto* parent = options.getParentComponent()) return parent;
  if (auto* target = options.getTargetComponent())
    return target->findParentComponentOfClass<juce::AudioProcessorEditor>();
  return nullptr;
}

void Look::drawScrollbar(juce::Graphics& g, juce::ScrollBar&, int x, int y, int width, int height,
                         bool vertical, int thumbStart, int thumbSize, bool over, bool) {
  auto thumb = vertical ? juce::Rectangle<int>(x, thumbStart, width, thumbSize)
                        : juce::Rectangle<int>(thumbStart, y, thumbSize, height);
  g.setColour(palette::track.brighter(over ? 0.5f : 0.25f));
  g.fillRoundedRectangle(thumb.reduced(2).toFloat(), 2.5f);
}

void Look::drawTooltip(juce::Graphics& g, const juce::String& text, int width, int height) {
  const auto area = juce::Rectangle<float>(0, 0, float(width), float(height));
  g.setColour(findColour(juce::TooltipWindow::backgroundColourId));
  g.fillRoundedRectangle(area, 4.0f);
  g.setColour(findColour(juce::TooltipWindow::outlineColourId));
  g.drawRoundedRectangle(area.reduced(0.5f), 4.0f, 1.0f);
  g.setColour(findColour(juce::TooltipWindow::textColourId));
  g.setFont(labelFont(12.5f));
  g.drawFittedText(text, area.toNearestInt().reduced(6, 2), juce::Justification::centredLeft, 3);
}

}  // namespace midistems::plugin::gui
