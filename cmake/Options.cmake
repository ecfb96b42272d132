# Build options. The Makefile picks the combinations: Release for demo/bench,
# ASan+UBSan for test, clang+libFuzzer for fuzz.
set(CMAKE_CXX_STANDARD 20)
set(CMAKE_CXX_STANDARD_REQUIRED ON)
set(CMAKE_CXX_EXTENSIONS OFF)
set(CMAKE_EXPORT_COMPILE_COMMANDS ON)
if(NOT CMAKE_BUILD_TYPE)
  set(CMAKE_BUILD_TYPE RelWithDebInfo CACHE STRING "" FORCE)
endif()

option(SSOGATE_TESTS "Build unit and integration tests" ON)
option(SSOGATE_BENCH "Build benchmarks (tests/bench)" OFF)
option(SSOGATE_FUZZ "Build libFuzzer targets (clang only)" OFF)
option(SSOGATE_SANITIZE "Build with AddressSanitizer and UBSan" OFF)

if(SSOGATE_SANITIZE)
  # vptr checks need the typeinfo of every polymorphic class; Debian's SOCI does not export it.
  add_compile_options(-fsanitize=address,undefined -fno-sanitize=vptr -fno-omit-frame-pointer
                      -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

if(SSOGATE_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "SSOGATE_FUZZ needs clang (CXX=clang++)")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize=vptr -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
