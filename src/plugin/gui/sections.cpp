#include "plugin/gui/sections.h"

#include <algorithm>
#include <cmath>
#include <complex>

#include "plugin/gui/look.h"

namespace midistems::plugin::gui {
namespace {

juce::RangedAudioParameter* findByLabel(const ParamGroup& group, const char* label) {
  for (const auto& p : group.params)
    if (p.label == label) return p.param;
  return nullptr;
}

bool isHeaderSwitch(const ParamRef& p) {
  return p.kind == ControlKind::Toggle && (p.label == "on" || p.label == "enabled");
}

float plainValue(juce::RangedAudioParameter* p) { return p->convertFrom0to1(p->getValue()); }

}  // namespace

// ---------------------------------------------------------------------------------------------
EnvelopeView::EnvelopeView(const ParamGroup& group, juce::Colour accent)
    : accent_(accent),
      attack_(findByLabel(group, "attack")),
      decay_(findByLabel(group, "decay")),
      sustain_(findByLabel(group, "sustain")),
      release_(findByLabel(group, "release")),
      curve_(findByLabel(group, "curve")) {
  setInterceptsMouseClicks(false, false);
}

std::array<float, 5> EnvelopeView::values() const {
  // Times on the parameters' own (skewed) 0..1 scale read better than seconds: 20 s would
  // otherwise flatten every short envelope into a spike.
  return {attack_->getValue(), decay_->getValue(), plainValue(sustain_), release_->getValue(),
          curve_ != nullptr ? plainValue(curve_) : 0.5f};
}

void EnvelopeView::refresh() {
  if (!hasShape()) return;
  const auto now = values();
  if (now != shown_) {
    shown_ = now;
    repaint();
  }
}

void EnvelopeView::paint(juce::Graphics& g) {
  auto area = getLocalBounds().toFloat().reduced(1.0f);
  g.setColour(palette::background.withAlpha(0.6f));
  g.fillRoundedRectangle(area, 3.0f);
  if (!hasShape()) return;
  shown_ = values();
  const auto [a, d, s, r, c] = shown_;
  area = area.reduced(4.0f, 5.0f);
  const float hold = 0.35f;
  const float total = (0.04f + a) + (0.04f + d) + hold + (0.04f + r);
  const float unit = area.getWidth() / total;
  // Curve 0.5 draws straight segments; towards 0 or 1 the segments bow one way or the other.
  const float bend = std::pow(4.0f, 1.0f - 2.0f * std::clamp(c, 0.0f, 1.0f));
  const float sustain = std::clamp(s, 0.0f, 1.0f);
  auto yOf = [&](float level) { return area.getBottom() - level * area.getHeight(); };

  juce::Path shape;
  float x = area.getX();
  shape.startNewSubPath(x, yOf(0));
  const int steps = 24;
  const float aw = (0.04f + a) * unit, dw = (0.04f + d) * unit, rw = (0.04f + r) * unit;
  for (int i = 1; i <= steps; ++i) {
    const float t = float(i) / steps;
    shape.lineTo(x + aw * t, yOf(std::pow(t, bend)));
  }
  x += aw;
  for (int i = 1; i <= steps; ++i) {
    const float t = float(i) / steps;
    shape.lineTo(x + dw * t, yOf(sustain + (1.0f - sustain) * std::pow(1.0f - t, 1.0f / bend)));
  }
  x += dw;
  shape.lineTo(x + hold * unit, yOf(sustain));
  x += hold * unit;
  for (int i = 1; i <= steps; ++i) {
    const float t = float(i) / steps;
    shape.lineTo(x + rw * t, yOf(sustain * std::pow(1.0f - t, 1.0f / bend)));
  }
  juce::Path fill(shape);
  fill.lineTo(x + rw, yOf(0));
  fill.closeSubPath();
  g.setGradientFill(juce::ColourGradient(accent_.withAlpha(0.35f), 0, area.getY(), accent_.withAlpha(0.02f), 0,
                                         area.getBottom(), false));
  g.fillPath(fill);
  g.setColour(accent_);
  g.strokePath(shape, juce::PathStrokeType(1.6f, juce::PathStrokeType::curved, juce::PathStrokeType::rounded));
}

// ---------------------------------------------------------------------------------------------
FilterResponseView::FilterResponseView(const ParamGroup& group, juce::Colour accent)
    : accent_(accent),
      type_(findByLabel(group, "type")),
      cutoff_(findByLabel(group, "cutoff")),
      resonance_(findByLabel(group, "resonance")) {
  setInterceptsMouseClicks(false, false);
}

float FilterResponseView::responseDb(const juce::String& type, float cutoffHz, float resonance, float hz) {
  // Second-order sections H(s) at s = j w / wc: the first with Q from 0.71 (no peak) to 5 by the
  // resonance, the second (24 dB types) a plain Butterworth section.
  auto sectionDb = [&](float q) {
    const std::complex<float> s(0.0f, hz / std::max(cutoffHz, 1.0f));
    const auto denominator = s * s + s / q + 1.0f;
    std::complex<float> h;
    if (type.startsWith("hp"))
      h = s * s / denominator;
    else if (type.startsWith("bp"))
      h = (s / q) / denominator;
    else if (type.startsWith("notch"))
      h = (s * s + 1.0f) / denominator;
    else
      h = 1.0f / denominator;
    return 20.0f * std::log10(std::max(std::abs(h), 1e-6f));
  };
  const float r = std::clamp(resonance, 0.0f, 1.0f);
  float db = sectionDb(0.7071f + 4.3f * r * r);
  if (type.endsWith("24")) db += sectionDb(0.7071f);
  return db;
}

void FilterResponseView::refresh() {
  if (!hasResponse()) return;
  const std::array<float, 3> now{type_->getValue(), cutoff_->getValue(), resonance_->getValue()};
  if (now != shown_) {
    shown_ = now;
    repaint();
  }
}

void FilterResponseView::paint(juce::Graphics& g) {
  auto area = getLocalBounds().toFloat().reduced(1.0f);
  g.setColour(palette::background.withAlpha(0.6f));
  g.fillRoundedRectangle(area, 3.0f);
  if (!hasResponse()) return;
  shown_ = {type_->getValue(), cutoff_->getValue(), resonance_->getValue()};
  area = area.reduced(4.0f, 4.0f);
  const auto type = type_->getCurrentValueAsText();
  const float cutoff = plainValue(cutoff_);
  const float resonance = resonance_->getValue();
  constexpr float kLowDb = -36.0f, kHighDb = 18.0f;
  auto yOf = [&](float db) {
    return area.getY() + (kHighDb - std::clamp(db, kLowDb, kHighDb)) / (kHighDb - kLowDb) * area.getHeight();
  };
  g.setColour(palette::track.withAlpha(0.6f));
  g.drawHorizontalLine(int(yOf(0.0f)), area.getX(), area.getRight());
  for (float hz : {100.0f, 1000.0f, 10000.0f}) {
    const float x = area.getX() + std::log(hz / 20.0f) / std::log(1000.0f) * area.getWidth();
    g.drawVerticalLine(int(x), area.getY(), area.getBottom());
  }
  juce::Path curve;
  const int steps = std::max(2, int(area.getWidth() / 2));
  for (int i = 0; i <= steps; ++i) {
    const float t = float(i) / steps;
    const float hz = 20.0f * std::pow(1000.0f, t);
    const juce::Point<float> p(area.getX() + t * area.getWidth(), yOf(responseDb(type, cutoff, resonance, hz)));
    if (i == 0)
      curve.startNewSubPath(p);
    else
      curve.lineTo(p);
  }
  juce::Path fill(curve);
  fill.lineTo(area.getRight(), area.getBottom());
  fill.lineTo(area.getX(), area.getBottom());
  fill.closeSubPath();
  g.setGradientFill(juce::ColourGradient(accent_.withAlpha(0.3f), 0, area.getY(), accent_.withAlpha(0.02f), 0,
                                         area.getBottom(), false));
  g.fillPath(fill);
  g.setColour(accent_);
  g.strokePath(curve, juce::PathStrokeType(1.6f, juce::PathStrokeType::curved, juce::PathStrokeType::rounded));
}

// ---------------------------------------------------------------------------------------------
GroupPanel::GroupPanel(EditorModel& model, const ParamGroup& group, juce::Colour accent)
    : group_(group), accent_(accent) {
  setComponentID("group:" + group_.key);
  for (const auto& ref : group_.params) {
    auto layout = ParamControl::Layout::Cell;
    if (group_.style == GroupStyle::MatrixRow) layout = ParamControl::Layout::Bare;
    if (group_.style == GroupStyle::Effect && headerSwitch_ == nullptr && isHeaderSwitch(ref))
      layout = ParamControl::Layout::Switch;
    auto control = std::make_unique<ParamControl>(model, ref, accent_, layout);
    if (layout == ParamControl::Layout::Switch) headerSwitch_ = control.get();
    addAndMakeVisible(*control);
    controls_.push_back(std::move(control));
  }
  if (group_.style == GroupStyle::Filter) {
    response_ = std::make_unique<FilterResponseView>(group_, accent_);
    if (response_->hasResponse())
      addAndMakeVisible(*response_);
    else
      response_.reset();
  }
  if (group_.style == GroupStyle::Envelope) {
    envelope_ = std::make_unique<EnvelopeView>(group_, accent_);
    if (envelope_->hasShape())
      addAndMakeVisible(*envelope_);
    else
      envelope_.reset();
  }
}

std::vector<ParamControl*> GroupPanel::controls() {
  std::vector<ParamControl*> out;
  for (auto& c : controls_) out.push_back(c.get());
  return out;
}

int GroupPanel::preferredWidth() const {
  if (group_.style == GroupStyle::MatrixRow) return 100000;  // a row of its own
  int width = 2 * kPad;
  for (const auto& c : controls_)
    if (c.get() != headerSwitch_) width += c->preferredWidth() + 2;
  return std::max(width, 96);
}

int GroupPanel::layoutCells(int x0, int y0, int width, bool apply) const {
  int x = x0, y = y0;
  const int right = x0 + width;
  bool rowUsed = false;
  for (const auto& c : controls_) {
    if (c.get() == headerSwitch_) continue;
    const int w = c->preferredWidth();
    if (rowUsed && x + w > right) {
      x = x0;
      y += ParamControl::kCellHeight + 2;
    }
    if (apply) c->setBounds(x, y, w, ParamControl::kCellHeight);
    x += w + 2;
    rowUsed = true;
  }
  return rowUsed ? y - y0 + ParamControl::kCellHeight : 0;
}

int GroupPanel::heightFor(int width) const {
  if (group_.style == GroupStyle::MatrixRow) return kRowHeight;
  int h = kHeader + kPad + layoutCells(kPad, 0, width - 2 * kPad, false);
  if (envelope_ || response_) h += kEnvelopeHeight + 4;
  return h;
}

void GroupPanel::resized() {
  auto area = getLocalBounds();
  if (group_.style == GroupStyle::MatrixRow) {
    // Slot number, then source, destination and amount sharing the rest.
    area.removeFromLeft(26);
    area = area.reduced(2, 2);
    const int n = int(controls_.size());
    int fixed = 0;
    for (auto& c : controls_) fixed += c->preferredWidth();
    const float scale = fixed > 0 ? float(area.getWidth() - 4 * (n - 1)) / float(fixed) : 1.0f;
    for (auto& c : controls_) {
      c->setBounds(area.removeFromLeft(int(std::floor(c->preferredWidth() * scale))));
      area.removeFromLeft(4);
    }
    return;
  }
  auto header = area.removeFromTop(kHeader);
  if (headerSwitch_ != nullptr) headerSwitch_->setBounds(header.removeFromRight(kHeader + 4).reduced(2, 1));
  area.reduce(kPad, 0);
  if (envelope_) {
    envelope_->setBounds(area.removeFromTop(kEnvelopeHeight));
    area.removeFromTop(4);
  }
  if (response_) {
    response_->setBounds(area.removeFromTop(kEnvelopeHeight));
    area.removeFromTop(4);
  }
  // Centre the cells when the group is wider than they need.
  int used = 0;
  for (auto& c : controls_)
    if (c.get() != headerSwitch_) used += c->preferredWidth() + 2;
  const int slack = std::max(0, area.getWidth() - used) / 2;
  layoutCells(area.getX() + (layoutCells(0, 0, area.getWidth(), false) > ParamControl::kCellHeight ? 0 : slack),
              area.getY(), area.getWidth(), true);
}

void GroupPanel::paint(juce::Graphics& g) {
  const auto bounds = getLocalBounds().toFloat();
  if (group_.style == GroupStyle::MatrixRow) {
    g.setColour(palette::group.withAlpha(0.7f));
    g.fillRoundedRectangle(bounds.reduced(0.5f), 3.0f);
    g.setColour(accent_.withAlpha(0.8f));
    g.setFont(Look::titleFont(11.0f));
    g.drawText(group_.title, getLocalBounds().removeFromLeft(26), juce::Justification::centred);
    return;
  }
  g.setColour(palette::group);
  g.fillRoundedRectangle(bounds.reduced(0.5f), 5.0f);
  g.setColour(palette::panelEdge.withAlpha(0.7f));
  g.drawRoundedRectangle(bounds.reduced(0.5f), 5.0f, 1.0f);
  auto header = getLocalBounds().removeFromTop(kHeader).reduced(kPad + 2, 0);
  g.setColour(accent_.withAlpha(0.9f));
  g.fillRoundedRectangle(float(header.getX()), header.getCentreY() - 3.0f, 3.0f, 6.0f, 1.5f);
  g.setColour(palette::text.withAlpha(0.9f));
  g.setFont(Look::titleFont(11.5f));
  g.drawText(group_.title, header.withTrimmedLeft(7), juce::Justification::centredLeft);
}

void GroupPanel::refresh(const juce::String& learningId) {
  for (auto& c : controls_) c->refreshLearnState(learningId);
  if (envelope_) envelope_->refresh();
  if (response_) response_->refresh();
}

// ---------------------------------------------------------------------------------------------
SectionPanel::SectionPanel(EditorModel& model, const Section& section)
    : kind_(section.kind), title_(section.title), accent_(accentOf(section.kind)) {
  setComponentID(juce::String("section:") + section.id);
  setTitle(section.title);
  setFocusContainerType(juce::Component::FocusContainerType::focusContainer);
  for (const auto& group : section.groups) {
    auto panel = std::make_unique<GroupPanel>(model, group, accent_);
    content_.addAndMakeVisible(*panel);
    groups_.push_back(std::move(panel));
  }
  viewport_.setViewedComponent(&content_, false);
  viewport_.setScrollBarsShown(true, false, true, false);
  viewport_.setScrollBarThickness(8);
  addAndMakeVisible(viewport_);
}

std::vector<ParamControl*> SectionPanel::controls() {
  std::vector<ParamControl*> out;
  for (auto& g : groups_)
    for (auto* c : g->controls()) out.push_back(c);
  return out;
}

void SectionPanel::refresh(const juce::String& learningId) {
  for (auto& g : groups_) g->refresh(learningId);
}

void SectionPanel::resized() {
  auto area = getLocalBounds().reduced(6);
  area.removeFromTop(kTitle);
  viewport_.setBounds(area);
  // Flow the groups into rows; a row's spare width goes to its groups in proportion.
  auto layout = [&](int width) {
    const int gap = 5;
    int y = 0;
    size_t i = 0;
    while (i < groups_.size()) {
      size_t end = i;
      int used = 0;
      while (end < groups_.size()) {
        const int w = std::min(groups_[end]->preferredWidth(), width);
        if (end > i && used + gap + w > width) break;
        used += (end > i ? gap : 0) + w;
        ++end;
      }
      const float stretch = used > 0 ? float(width - gap * int(end - i - 1)) / float(used - gap * int(end - i - 1)) : 1.0f;
      int x = 0, rowHeight = 0;
      for (size_t k = i; k < end; ++k) {
        const int w = k + 1 == end ? width - x
                                   : int(std::floor(std::min(groups_[k]->preferredWidth(), width) * stretch));
        const int h = groups_[k]->heightFor(w);
        groups_[k]->setBounds(x, y, w, h);
        rowHeight = std::max(rowHeight, h);
        x += w + gap;
      }
      y += rowHeight + gap;
      i = end;
    }
    return std::max(0, y - gap);
  };
  const int full = area.getWidth();
  int height = layout(full);
  if (height > area.getHeight()) height = layout(full - viewport_.getScrollBarThickness() - 2);
  content_.setSize(height > area.getHeight() ? full - viewport_.getScrollBarThickness() - 2 : full, height);
}

void SectionPanel::paint(juce::Graphics& g) {
  const auto bounds = getLocalBounds().toFloat().reduced(1.0f);
  g.setGradientFill(juce::ColourGradient(palette::panel.brighter(0.04f), 0, bounds.getY(), palette::panel, 0,
                                         bounds.getBottom(), false));
  g.fillRoundedRectangle(bounds, 7.0f);
  g.setColour(palette::panelEdge);
  g.drawRoundedRectangle(bounds, 7.0f, 1.0f);
  auto titleArea = getLocalBounds().reduced(12, 6).removeFromTop(kTitle - 2);
  g.setColour(accent_);
  g.setFont(Look::titleFont(12.5f).withExtraKerningFactor(0.12f));
  g.drawText(title_, titleArea, juce::Justification::centredLeft);
  g.setColour(accent_.withAlpha(0.55f));
  g.fillRect(juce::Rectangle<float>(bounds.getX() + 12, float(titleArea.getBottom()), 28.0f, 2.0f));
  if (groups_.empty()) {
    g.setColour(palette::dimText);
    g.setFont(Look::labelFont(11.0f));
    g.drawText("no parameters", getLocalBounds().withTrimmedTop(kTitle), juce::Justification::centred);
  }
}

}  // namespace midistems::plugin::gui
