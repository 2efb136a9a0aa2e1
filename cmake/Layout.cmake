# Where `cmake --install` puts things, and the same layout inside the build tree: the command in
# <prefix>/bin, its data (the basic-pitch model) in <prefix>/share/midistems. The command finds its
# data relative to its own location (src/core/data_dirs.h), so an installed copy can be moved as a
# whole and the build tree works without installing; nothing refers to the source tree.
include(GNUInstallDirs)
foreach(dir BINDIR DATADIR DOCDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${dir}}")
    message(FATAL_ERROR "CMAKE_INSTALL_${dir} must be relative to the install prefix (the command finds "
                        "its data relative to itself), not ${CMAKE_INSTALL_${dir}}")
  endif()
endforeach()
set(MIDISTEMS_INSTALL_DATADIR "${CMAKE_INSTALL_DATADIR}/midistems")
# The build tree's own bin/ and share/midistems/.
set(MIDISTEMS_BUILD_BINDIR "${PROJECT_BINARY_DIR}/${CMAKE_INSTALL_BINDIR}")
set(MIDISTEMS_BUILD_DATADIR "${PROJECT_BINARY_DIR}/${MIDISTEMS_INSTALL_DATADIR}")
file(RELATIVE_PATH MIDISTEMS_DATA_DIR_FROM_BIN "${MIDISTEMS_BUILD_BINDIR}" "${MIDISTEMS_BUILD_DATADIR}")

# The project's own license and read-me go with any installed copy.
install(FILES "${PROJECT_SOURCE_DIR}/LICENSE" "${PROJECT_SOURCE_DIR}/README.md" DESTINATION "${CMAKE_INSTALL_DOCDIR}")
