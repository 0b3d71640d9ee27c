# Cross build for 64-bit Arm Linux with Debian's cross compiler (apt install g++-aarch64-linux-gnu) and
# its multiarch sysroot; run the results with qemu-aarch64 -L /usr/aarch64-linux-gnu (scripts/test-aarch64).
#   cmake -S . -B build-aarch64 -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)

# Debian 12's cross GCC 12.2 stops with an internal compiler error in the loop vectorizer
# (vect_transform_reduction) on some reductions at -O3, e.g. in tests/sample. The NEON kernels use
# intrinsics, which this does not touch; only automatic vectorizing of plain loops is left out.
set(CMAKE_CXX_FLAGS_INIT "-fno-tree-loop-vectorize")

# Libraries and headers come from the Arm sysroot only, never from the x86-64 host.
set(CMAKE_FIND_ROOT_PATH /usr/aarch64-linux-gnu)
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)

# try_run and ctest run target programs through qemu-user.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64 -L /usr/aarch64-linux-gnu)

# doctest and nlohmann-json are header-only and installed for the host only. Their Debian configs
# would put all of /usr/include on the include path, mixing x86-64 system headers into the Arm
# build, so we describe them here with an include directory that holds just their two folders.
set(_hearth_header_only "${CMAKE_BINARY_DIR}/host-header-only")
file(MAKE_DIRECTORY "${_hearth_header_only}/include")
foreach(_dir doctest nlohmann)
  if(NOT EXISTS "${_hearth_header_only}/include/${_dir}")
    file(CREATE_LINK "/usr/include/${_dir}" "${_hearth_header_only}/include/${_dir}" SYMBOLIC)
  endif()
endforeach()
file(WRITE "${_hearth_header_only}/doctestConfig.cmake"
  "if(NOT TARGET doctest::doctest)\n"
  "  add_library(doctest::doctest INTERFACE IMPORTED)\n"
  "  set_target_properties(doctest::doctest PROPERTIES INTERFACE_INCLUDE_DIRECTORIES \"${_hearth_header_only}/include\")\n"
  "endif()\n")
file(WRITE "${_hearth_header_only}/nlohmann_jsonConfig.cmake"
  "if(NOT TARGET nlohmann_json::nlohmann_json)\n"
  "  add_library(nlohmann_json::nlohmann_json INTERFACE IMPORTED)\n"
  "  set_target_properties(nlohmann_json::nlohmann_json PROPERTIES INTERFACE_INCLUDE_DIRECTORIES \"${_hearth_header_only}/include\")\n"
  "endif()\n")
set(doctest_DIR "${_hearth_header_only}" CACHE PATH "doctest config for the cross build")
set(nlohmann_json_DIR "${_hearth_header_only}" CACHE PATH "nlohmann-json config for the cross build")
