// midistems: song -> stems -> MIDI -> re-synthesised preview.
#include <cstdio>
#include <exception>
#include <string>
#include <new>

#include "cli/command_registry.h"
#include "core/cpu_isa.h"
#include "core/error.h"

int main(int argc, char** argv) {
  CLI::App app{"midistems " MIDISTEMS_VERSION
               ": split songs into stems, transcribe them to MIDI and play them again"};
  // The version, then the CPU and the instruction-set level the kernels run at (core/cpu_isa.h).
  app.set_version_flag("--version", [] { return "midistems " MIDISTEMS_VERSION "\n" + midistems::cpuDescription(); });
  app.require_subcommand(1);
  midistems::cli::addRegisteredCommands(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::RuntimeError& e) {
    return e.get_exit_code();  // a command's own status (batch: 3 when some items failed)
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? 0 : 2;
  } catch (const midistems::Error& e) {
    std::fprintf(stderr, "midistems: error: %s\n", e.what());
    return 2;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "midistems: error: out of memory\n");
    return 3;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "midistems: internal error: %s\n", e.what());
    return 1;
  }
  return 0;
}
