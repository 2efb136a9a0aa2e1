#pragma once
// The presets browser: a category menu, a search field (every word must match the name, the
// category or a tag), the list (a click or Enter loads), previous/next buttons, and one line for
// the error of a preset that did not load.
#include <juce_gui_basics/juce_gui_basics.h>

#include <vector>

#include "plugin/editor_model.h"

namespace midistems::plugin::gui {

class PresetBrowser : public juce::Component, private juce::ListBoxModel {
 public:
  explicit PresetBrowser(EditorModel& model);
  ~PresetBrowser() override;

  void reload();  // reads the model's presets again
  void setCategory(const juce::String& category);  // empty: all
  void setSearch(const juce::String& text);
  juce::StringArray shownNames() const;
  juce::StringArray categories() const;
  // Loads through the model; on failure the error line shows the model's message.
  bool load(const juce::String& name);
  void step(int delta);  // the previous or next preset of the shown list
  juce::String errorText() const { return error_.getText(); }
  juce::ListBox& list() { return list_; }
  juce::TextEditor& search() { return search_; }
  void refresh();  // follows the model's current preset

  void resized() override;
  void paint(juce::Graphics&) override;

 private:
  int getNumRows() override;
  void paintListBoxItem(int row, juce::Graphics&, int width, int height, bool selected) override;
  void listBoxItemClicked(int row, const juce::MouseEvent&) override;
  void returnKeyPressed(int row) override;
  void applyFilter();
  void loadRow(int row);

  EditorModel& model_;
  std::vector<PresetEntry> all_;
  std::vector<size_t> shown_;
  juce::String category_;
  juce::String current_;
  juce::ComboBox categoryBox_;
  juce::TextEditor search_;
  juce::ListBox list_;
  juce::TextButton previous_{"<"}, next_{">"};
  juce::Label error_;
};

}  // namespace midistems::plugin::gui
