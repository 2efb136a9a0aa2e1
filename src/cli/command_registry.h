#pragma once
// Subcommands register themselves from their own translation unit:
//
//   static midistems::cli::CommandRegistration reg{20, [](CLI::App& app) {
//     auto* sub = app.add_subcommand("render", "Render a MIDI file to audio");
//     ...
//     sub->callback([=] { ...; });  // throw midistems::Error for bad input
//   }};
//
// `order` sorts the subcommands in --help. A callback reports failure by throwing
// midistems::Error (exit status 2, one-line message) and success by returning normally.
#include <CLI/CLI.hpp>
#include <functional>

namespace midistems::cli {

using CommandSetup = std::function<void(CLI::App&)>;

struct CommandRegistration {
  CommandRegistration(int order, CommandSetup setup);
};

// Adds every registered subcommand to `app`, in order.
void addRegisteredCommands(CLI::App& app);

}  // namespace midistems::cli
