# Compiler flags shared by every Midistems target.
add_library(midistems_flags INTERFACE)
target_compile_options(midistems_flags INTERFACE
  -Wall -Wextra -Wno-unused-parameter
  $<$<CONFIG:Release>:-O3>)
# The libFuzzer build (clang, scripts/fuzz.sh): every library gets coverage instrumentation for
# the fuzzer and AddressSanitizer plus UndefinedBehaviorSanitizer, and any sanitizer report aborts
# the run. Only the fuzz targets link libFuzzer itself (fuzz/CMakeLists.txt).
if(MIDISTEMS_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "MIDISTEMS_FUZZ needs clang (configure with -DCMAKE_CXX_COMPILER=clang++)")
  endif()
  # The instrumentation keeps clang from vectorising `#pragma omp simd` loops; that is expected
  # here and says nothing about the optimised build, so -Wpass-failed is off in this build only.
  target_compile_options(midistems_flags INTERFACE
    -fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
    -Wno-pass-failed)
  target_link_options(midistems_flags INTERFACE -fsanitize=address,undefined -fno-sanitize-recover=all)
endif()
# The instruction-set level: a portable x86-64 level by default (cmake/IsaKernels.cmake adds
# AVX-512 copies of the hot loops, chosen at run time), the build machine's own with
# MIDISTEMS_NATIVE. A target with the property MIDISTEMS_ISA_ARCH is compiled for that level.
if(MIDISTEMS_NATIVE)
  set(MIDISTEMS_BASELINE_MARCH native)
  set(MIDISTEMS_BASELINE_ARCH_NAME "native: the build machine's CPU")
elseif(CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
  set(MIDISTEMS_BASELINE_MARCH ${MIDISTEMS_BASELINE_ARCH})
  set(MIDISTEMS_BASELINE_ARCH_NAME ${MIDISTEMS_BASELINE_ARCH})
else()
  set(MIDISTEMS_BASELINE_MARCH "")
  set(MIDISTEMS_BASELINE_ARCH_NAME "the compiler's default for ${CMAKE_SYSTEM_PROCESSOR}")
endif()
set(isa_arch "$<TARGET_PROPERTY:MIDISTEMS_ISA_ARCH>")
if(MIDISTEMS_BASELINE_MARCH)
  target_compile_options(midistems_flags INTERFACE
    "-march=$<IF:$<BOOL:${isa_arch}>,${isa_arch},${MIDISTEMS_BASELINE_MARCH}>")
else()
  target_compile_options(midistems_flags INTERFACE "$<$<BOOL:${isa_arch}>:-march=${isa_arch}>")
endif()

# While several people work in one tree, a folder may name a source file that is not written yet.
# Outside CI that target is left out with a warning so everything else still builds; in CI
# (MIDISTEMS_STRICT, on when the CI environment variable is set) it is an error.
if(DEFINED ENV{CI} AND NOT "$ENV{CI}" STREQUAL "" AND NOT "$ENV{CI}" STREQUAL "false")
  set(MIDISTEMS_STRICT_DEFAULT ON)
else()
  set(MIDISTEMS_STRICT_DEFAULT OFF)
endif()
option(MIDISTEMS_STRICT "Fail configuration when a listed source file is missing" ${MIDISTEMS_STRICT_DEFAULT})

# Sets out_var to the sources that exist. A missing one is an error in strict mode; otherwise a
# warning, and an empty placeholder source keeps the target (and the calls that configure it)
# valid, so only what links against its missing code fails to build.
function(midistems_existing_sources name out_var)
  set(found "")
  foreach(src ${ARGN})
    set(abs ${src})
    if(NOT IS_ABSOLUTE ${abs})
      set(abs ${CMAKE_CURRENT_SOURCE_DIR}/${src})
    endif()
    if(EXISTS ${abs})
      list(APPEND found ${src})
    elseif(MIDISTEMS_STRICT)
      message(FATAL_ERROR "${name}: missing source ${abs}")
    else()
      message(WARNING "${name}: missing source ${abs} (left out of this build)")
    endif()
  endforeach()
  if(NOT found)
    set(placeholder ${CMAKE_CURRENT_BINARY_DIR}/${name}_placeholder.cpp)
    file(WRITE ${placeholder} "// ${name} has no sources yet\n")
    set(found ${placeholder})
  endif()
  set(${out_var} ${found} PARENT_SCOPE)
endfunction()

# midistems_add_library(<name> SOURCES ... [PUBLIC_DEPS ...] [PRIVATE_DEPS ...])
# A static library of one capability. Every such library is linked into the `midistems` command,
# except those under src/plugin (JUCE), which only the plugin links.
function(midistems_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  midistems_existing_sources(${name} sources ${ARG_SOURCES})
  add_library(${name} STATIC ${sources})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${name} PUBLIC midistems_flags ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  if(NOT CMAKE_CURRENT_SOURCE_DIR MATCHES "/src/plugin(/|$)")
    set_property(GLOBAL APPEND PROPERTY MIDISTEMS_LIBRARIES ${name})
  endif()
endfunction()

# Adds every direct or second-level subfolder of `dir` that has a CMakeLists.txt, in name order.
# A folder's CMakeLists.txt must not add its subfolders itself.
function(midistems_add_subfolders dir)
  file(GLOB lists1 CONFIGURE_DEPENDS ${dir}/*/CMakeLists.txt)
  file(GLOB lists2 CONFIGURE_DEPENDS ${dir}/*/*/CMakeLists.txt)
  set(dirs "")
  foreach(f ${lists1} ${lists2})
    get_filename_component(d ${f} DIRECTORY)
    list(APPEND dirs ${d})
  endforeach()
  list(SORT dirs)
  foreach(d ${dirs})
    if(d MATCHES "/src/(core|cli)$" OR d MATCHES "/tests/core$")
      continue()
    endif()
    add_subdirectory(${d})
  endforeach()
endfunction()
