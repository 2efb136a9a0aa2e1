# Compiler flags shared by every Midistems target.
add_library(midistems_flags INTERFACE)
target_compile_options(midistems_flags INTERFACE
  -Wall -Wextra -Wno-unused-parameter
  $<$<CONFIG:Release>:-O3>)
if(MIDISTEMS_NATIVE)
  target_compile_options(midistems_flags INTERFACE -march=native)
endif()

# midistems_add_library(<name> SOURCES ... [PUBLIC_DEPS ...] [PRIVATE_DEPS ...])
# A static library of one capability. Every such library is linked into the `midistems` command.
function(midistems_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${name} PUBLIC midistems_flags ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  set_property(GLOBAL APPEND PROPERTY MIDISTEMS_LIBRARIES ${name})
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
