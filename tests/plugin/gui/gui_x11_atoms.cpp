// Kept apart from the tests: Xlib's macros (None, Bool, Status) clash with the engine's names.
#include <X11/Xlib.h>

#include <cstdlib>
#include <initializer_list>

namespace midistems::plugin::gui {

// A bare X server (Xvfb) has no window manager, so the window-manager atoms JUCE looks up with
// "only if it exists" are missing, and a window made with them fails with BadAtom. A window
// manager would have made them; here the test does. False when there is no X display to open.
bool internWindowManagerAtoms() {
  const char* name = std::getenv("DISPLAY");
  if (name == nullptr || *name == '\0') return false;
  ::Display* display = XOpenDisplay(name);
  if (display == nullptr) return false;
  for (const char* atom : {"WM_PROTOCOLS", "WM_TAKE_FOCUS", "WM_DELETE_WINDOW", "_NET_WM_PING", "WM_CHANGE_STATE",
                           "WM_STATE", "_NET_WM_WINDOW_TYPE", "_NET_WM_STATE", "_NET_WM_STATE_HIDDEN",
                           "_NET_FRAME_EXTENTS", "_NET_WORKAREA", "_MOTIF_WM_HINTS", "_NET_WM_ALLOWED_ACTIONS",
                           "_NET_WM_WINDOW_TYPE_COMBO", "_NET_WM_WINDOW_TYPE_NORMAL", "_NET_WM_STATE_SKIP_TASKBAR",
                           "_NET_WM_STATE_ABOVE", "_NET_WM_ACTION_MOVE", "_NET_WM_ACTION_RESIZE",
                           "_NET_WM_ACTION_CLOSE", "_NET_WM_ACTION_MINIMIZE", "_NET_WM_ACTION_MAXIMIZE_HORZ",
                           "_NET_WM_ACTION_MAXIMIZE_VERT", "_NET_WM_ACTION_FULLSCREEN"})
    XInternAtom(display, atom, False);
  // Left open: Xvfb resets itself, and forgets the atoms, when its last client disconnects.
  return true;
}

}  // namespace midistems::plugin::gui
