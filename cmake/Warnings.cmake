# Compiler flags shared by every Midistems target.
add_library(midistems_flags INTERFACE)
target_compile_options(midistems_flags INTERFACE
  -Wall -Wextra -Wno-unused-parameter
  $<$<CONFIG:Release>:-O3>)
if(MIDISTEMS_NATIVE)
  target_compile_options(midistems_flags INTERFACE -march=native)
endif()
