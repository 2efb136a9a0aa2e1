# Run-time choice of instruction-set level for the hot loops we write ourselves.
#
# Every target is compiled for MIDISTEMS_BASELINE_ARCH (x86-64-v3 unless configured otherwise, or
# the build machine's own CPU with MIDISTEMS_NATIVE). A kernel source that gains from wider vectors
# is compiled once more per extra level, each time into its own namespace:
#
#   midistems_add_isa_kernels(<library> SOURCES kernels_isa.cpp ...)
#
# compiles the sources with MIDISTEMS_ISA_NS=isa_baseline at the baseline flags and, on x86-64,
# with MIDISTEMS_ISA_NS=isa_avx512 at -march=x86-64-v4, links both into <library>, and defines
# MIDISTEMS_HAVE_ISA_AVX512 for <library>'s own sources, which choose between them with
# core/cpu_isa.h's activeIsaLevel(). The sources must keep every symbol they define inside
# MIDISTEMS_ISA_NS: an inline function or template instance shared with other files would be
# compiled for AVX-512 in one copy, and the linker may keep that copy for every caller. The test
# `isa_symbols_<library>` (tests/CMakeLists.txt) checks this on the object files.

set(MIDISTEMS_ISA_X86 FALSE)
if(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
  set(MIDISTEMS_ISA_X86 TRUE)
endif()

function(midistems_add_isa_kernels library)
  cmake_parse_arguments(ARG "" "" "SOURCES" ${ARGN})
  set(levels baseline)
  if(MIDISTEMS_ISA_X86)
    list(APPEND levels avx512)
    target_compile_definitions(${library} PRIVATE MIDISTEMS_HAVE_ISA_AVX512)
  endif()
  foreach(level ${levels})
    set(objects ${library}_isa_${level})
    add_library(${objects} OBJECT ${ARG_SOURCES})
    target_include_directories(${objects} PRIVATE ${PROJECT_SOURCE_DIR}/src)
    target_link_libraries(${objects} PRIVATE midistems_flags)
    target_compile_definitions(${objects} PRIVATE MIDISTEMS_ISA_NS=isa_${level})
    if(level STREQUAL "avx512")
      # Read by midistems_flags' -march choice (cmake/Warnings.cmake).
      set_target_properties(${objects} PROPERTIES MIDISTEMS_ISA_ARCH x86-64-v4)
      # Loops the compiler vectorises on its own use the full 512-bit registers at this level.
      target_compile_options(${objects} PRIVATE -mprefer-vector-width=512)
      set_property(GLOBAL APPEND PROPERTY MIDISTEMS_ISA_OBJECT_LIBRARIES ${objects})
    endif()
    target_sources(${library} PRIVATE $<TARGET_OBJECTS:${objects}>)
  endforeach()
endfunction()
