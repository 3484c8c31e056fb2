# install.cmake - what `cmake --install BUILD --prefix P` puts under P: the shared
# libglassmd, the public headers (with the generated version.h), pkg-config and CMake
# package files (find_package(glassmd) gives the target glassmd::glassmd), the glassmd
# executable, its man page and the Python package (README.md, "Installing").
# Included from the top-level CMakeLists.txt after the targets exist.

set(GLASSMD_PYTHON_INSTALL_DIR "${CMAKE_INSTALL_LIBDIR}/python3/dist-packages" CACHE STRING
    "Where the Python package glassmd is installed, relative to the prefix")

install(TARGETS glassmd_shared EXPORT glassmdTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS glassmd_cli RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY include/glassmd DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.h")
install(FILES ${CMAKE_BINARY_DIR}/generated/glassmd/version.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/glassmd)
install(FILES man/glassmd.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

# pkg-config: paths relative to the prefix the file is installed under, so that the
# --prefix given to cmake --install (not the configured one) is what it points to.
file(RELATIVE_PATH GLASSMD_PC_TO_PREFIX /prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig /prefix)
configure_file(cmake/glassmd.pc.in ${CMAKE_BINARY_DIR}/glassmd.pc @ONLY)
install(FILES ${CMAKE_BINARY_DIR}/glassmd.pc DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

# CMake package: glassmdConfig.cmake, its version file and the exported targets.
include(CMakePackageConfigHelpers)
set(GLASSMD_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/glassmd)
install(EXPORT glassmdTargets NAMESPACE glassmd:: DESTINATION ${GLASSMD_CMAKE_DIR})
configure_package_config_file(cmake/glassmdConfig.cmake.in
                              ${CMAKE_BINARY_DIR}/glassmdConfig.cmake
                              INSTALL_DESTINATION ${GLASSMD_CMAKE_DIR})
write_basic_package_version_file(${CMAKE_BINARY_DIR}/glassmdConfigVersion.cmake
                                 COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/glassmdConfig.cmake
              ${CMAKE_BINARY_DIR}/glassmdConfigVersion.cmake
        DESTINATION ${GLASSMD_CMAKE_DIR})

# The Python package, and _install.py telling it where the library lies relative to it.
file(RELATIVE_PATH GLASSMD_PY_TO_LIB
     /prefix/${GLASSMD_PYTHON_INSTALL_DIR}/glassmd /prefix/${CMAKE_INSTALL_LIBDIR})
file(WRITE ${CMAKE_BINARY_DIR}/python-install/_install.py
     "# _install.py - written by cmake --install: where libglassmd lies from this folder.\n"
     "LIBDIR_FROM_PACKAGE = \"${GLASSMD_PY_TO_LIB}\"\n")
install(DIRECTORY python/glassmd DESTINATION ${GLASSMD_PYTHON_INSTALL_DIR}
        FILES_MATCHING PATTERN "*.py" PATTERN "__pycache__" EXCLUDE)
install(FILES ${CMAKE_BINARY_DIR}/python-install/_install.py
        DESTINATION ${GLASSMD_PYTHON_INSTALL_DIR}/glassmd)
