# Sanitizer and fuzzing builds (scripts/sanitizer-lane builds one of each kind of tree).
#
#   -DPC_SANITIZE=address,undefined  every target instrumented; the first error aborts
#                                    (-fno-sanitize-recover), so ctest sees a failure
#   -DPC_FUZZ=ON (clang only)        the same plus libFuzzer coverage instrumentation;
#                                    tests/fuzz/*_fuzz.cpp become libFuzzer binaries
#   -DPC_ASAN=ON                     older spelling of PC_SANITIZE=address
option(PC_ASAN "Build with AddressSanitizer (same as PC_SANITIZE=address)" OFF)
option(PC_FUZZ "Build tests/fuzz targets as libFuzzer binaries (clang; implies PC_SANITIZE)" OFF)
set(PC_SANITIZE "" CACHE STRING "Sanitizers for every target, e.g. address,undefined")

if(PC_ASAN AND NOT PC_SANITIZE)
  set(PC_SANITIZE address)
endif()
if(PC_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "PC_FUZZ=ON needs clang (libFuzzer): -DCMAKE_CXX_COMPILER=clang++")
  endif()
  if(NOT PC_SANITIZE)
    set(PC_SANITIZE address,undefined)
  endif()
  # Coverage feedback for everything the targets call, not only the target files.
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()
if(PC_SANITIZE)
  add_compile_options(-fsanitize=${PC_SANITIZE} -fno-sanitize-recover=all -fno-omit-frame-pointer)
  # Debian's toml++ 3.3 reaches its own TOML_UNREACHABLE (__builtin_unreachable) for some
  # non-ASCII characters outside strings (is_non_ascii_horizontal_whitespace, U+FE7F: found
  # by the containers_conf fuzz target); an upstream bug in code we do not own, so the
  # unreachable check is left out of the sanitized build. pc's own code does not use
  # __builtin_unreachable.
  if(PC_SANITIZE MATCHES "undefined")
    add_compile_options(-fno-sanitize=unreachable)
  endif()
  add_link_options(-fsanitize=${PC_SANITIZE} -fno-sanitize-recover=all)
  message(STATUS "sanitizers: ${PC_SANITIZE} (fuzzing: ${PC_FUZZ})")
endif()
