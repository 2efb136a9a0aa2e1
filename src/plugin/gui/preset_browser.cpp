#include "plugin/gui/preset_browser.h"

#include <algorithm>

#include "plugin/gui/look.h"

namespace midistems::plugin::gui {

PresetBrowser::PresetBrowser(EditorModel& model) : model_(model) {
  setComponentID("section:presets");
  setTitle("Presets");
  setFocusContainerType(juce::Component::FocusContainerType::focusContainer);
  categoryBox_.setTooltip("Preset category");
  categoryBox_.setColour(juce::ComboBox::focusedOutlineColourId, palette::presets);
  categoryBox_.onChange = [this] {
    setCategory(categoryBox_.getSelectedId() <= 1 ? juce::String() : categoryBox_.getText());
  };
  search_.setTextToShowWhenEmpty("search presets", palette::dimText);
  search_.setTooltip("Search by name, category or tag");
  search_.setFont(Look::labelFont(13.0f));
  search_.onTextChange = [this] { setSearch(search_.getText()); };
  search_.onReturnKey = [this] { loadRow(std::max(0, list_.getSelectedRow())); };
  list_.setModel(this);
  list_.setRowHeight(22);
  list_.setTitle("Preset list");
  list_.setWantsKeyboardFocus(true);
  previous_.setTooltip("Previous preset");
  next_.setTooltip("Next preset");
  previous_.onClick = [this] { step(-1); };
  next_.onClick = [this] { step(1); };
  error_.setFont(Look::labelFont(11.0f));
  error_.setColour(juce::Label::textColourId, palette::meterHigh);
  error_.setMinimumHorizontalScale(0.6f);
  for (auto* c : std::initializer_list<juce::Component*>{&categoryBox_, &search_, &list_, &previous_, &next_, &error_})
    addAndMakeVisible(*c);
  reload();
}

PresetBrowser::~PresetBrowser() { list_.setModel(nullptr); }

void PresetBrowser::reload() {
  all_ = model_.presets();
  categoryBox_.clear(juce::dontSendNotification);
  categoryBox_.addItem("All categories", 1);
  int id = 2;
  for (const auto& c : categories()) categoryBox_.addItem(c, id++);
  categoryBox_.setSelectedId(1, juce::dontSendNotification);
  category_.clear();
  current_ = model_.currentPresetName();
  applyFilter();
}

juce::StringArray PresetBrowser::categories() const {
  juce::StringArray out;
  for (const auto& p : all_)
    if (p.category.isNotEmpty()) out.addIfNotAlreadyThere(p.category);
  return out;
}

void PresetBrowser::setCategory(const juce::String& category) {
  category_ = category;
  if (category.isEmpty())
    categoryBox_.setSelectedId(1, juce::dontSendNotification);
  else
    categoryBox_.setText(category, juce::dontSendNotification);
  applyFilter();
}

void PresetBrowser::setSearch(const juce::String& text) {
  if (search_.getText() != text) search_.setText(text, false);
  applyFilter();
}

void PresetBrowser::applyFilter() {
  juce::StringArray words;
  words.addTokens(search_.getText().toLowerCase(), " \t", "");
  words.removeEmptyStrings();
  shown_.clear();
  for (size_t i = 0; i < all_.size(); ++i) {
    const auto& p = all_[i];
    if (category_.isNotEmpty() && p.category != category_) continue;
    const auto haystack = (p.name + " " + p.category + " " + p.tags.joinIntoString(" ")).toLowerCase();
    bool all = true;
    for (const auto& w : words) all = all && haystack.contains(w);
    if (all) shown_.push_back(i);
  }
  list_.updateContent();
  int selected = -1;
  for (size_t r = 0; r < shown_.size(); ++r)
    if (all_[shown_[r]].name == current_) selected = int(r);
  if (selected >= 0)
    list_.selectRow(selected, true, true);
  else
    list_.deselectAllRows();
  list_.repaint();
}

juce::StringArray PresetBrowser::shownNames() const {
  juce::StringArray out;
  for (auto i : shown_) out.add(all_[i].name);
  return out;
}

bool PresetBrowser::load(const juce::String& name) {
  juce::String error;
  const bool ok = model_.loadPreset(name, error);
  // One line, whatever the model sends.
  error_.setText(ok ? juce::String() : name + ": " + error.upToFirstOccurrenceOf("\n", false, false),
                 juce::dontSendNotification);
  if (ok) current_ = name;
  applyFilter();
  return ok;
}

void PresetBrowser::step(int delta) {
  if (shown_.empty()) return;
  int row = -1;
  for (size_t r = 0; r < shown_.size(); ++r)
    if (all_[shown_[r]].name == current_) row = int(r);
  const int n = int(shown_.size());
  row = row < 0 ? (delta > 0 ? 0 : n - 1) : ((row + delta) % n + n) % n;
  load(all_[shown_[size_t(row)]].name);
}

void PresetBrowser::refresh() {
  const auto current = model_.currentPresetName();
  if (current != current_) {
    current_ = current;
    applyFilter();
  }
}

int PresetBrowser::getNumRows() { return int(shown_.size()); }

void PresetBrowser::paintListBoxItem(int row, juce::Graphics& g, int width, int height, bool selected) {
  if (row < 0 || row >= int(shown_.size())) return;
  const auto& p = all_[shown_[size_t(row)]];
  const bool current = p.name == current_;
  auto area = juce::Rectangle<int>(0, 0, width, height).reduced(2, 1);
  if (selected || current) {
    g.setColour(palette::presets.withAlpha(current ? 0.28f : 0.14f));
    g.fillRoundedRectangle(area.toFloat(), 3.0f);
  }
  g.setColour(current ? juce::Colours::white : palette::text);
  g.setFont(Look::labelFont(12.5f));
  g.drawText(p.name, area.reduced(6, 0).withTrimmedRight(56), juce::Justification::centredLeft, true);
  g.setColour(palette::dimText);
  g.setFont(Look::labelFont(10.0f));
  g.drawText(p.factory ? p.category : p.category + " *", area.reduced(6, 0), juce::Justification::centredRight, true);
}

void PresetBrowser::loadRow(int row) {
  if (row >= 0 && row < int(shown_.size())) load(all_[shown_[size_t(row)]].name);
}

void PresetBrowser::listBoxItemClicked(int row, const juce::MouseEvent&) { loadRow(row); }

void PresetBrowser::returnKeyPressed(int row) { loadRow(row); }

void PresetBrowser::resized() {
  auto area = getLocalBounds().reduced(8);
  area.removeFromTop(22);
  auto top = area.removeFromTop(24);
  next_.setBounds(top.removeFromRight(24));
  top.removeFromRight(3);
  previous_.setBounds(top.removeFromRight(24));
  top.removeFromRight(6);
  categoryBox_.setBounds(top);
  area.removeFromTop(6);
  search_.setBounds(area.removeFromTop(24));
  area.removeFromTop(6);
  error_.setBounds(area.removeFromBottom(18));
  list_.setBounds(area);
}

void PresetBrowser::paint(juce::Graphics& g) {
  const auto bounds = getLocalBounds().toFloat().reduced(1.0f);
  g.setColour(palette::panel);
  g.fillRoundedRectangle(bounds, 7.0f);
  g.setColour(palette::panelEdge);
  g.drawRoundedRectangle(bounds, 7.0f, 1.0f);
  auto title = getLocalBounds().reduced(12, 6).removeFromTop(18);
  g.setColour(palette::presets);
  g.setFont(Look::titleFont(12.5f).withExtraKerningFactor(0.12f));
  g.drawText("PRESETS", title, juce::Justification::centredLeft);
  g.setColour(palette::dimText);
  g.setFont(Look::labelFont(10.5f));
  g.drawText(juce::String(shown_.size()) + " / " + juce::String(all_.size()), title, juce::Justification::centredRight);
}

}  // namespace midistems::plugin::gui
