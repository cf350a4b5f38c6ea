#===- fuzz/Sanitizers.cmake - Sanitizer and fuzzer build options ---------===#
#
# Included by the top-level CMakeLists.txt before any target is defined, so
# that every Mote library is instrumented (docs/Reliability.md):
#   MOTE_SANITIZE=ON        ASan + UBSan (-fno-sanitize-recover=undefined) on
#                           every Mote target; gcc or clang. scripts/sanitize.sh.
#   MOTE_ENABLE_FUZZERS=ON  clang only: MOTE_SANITIZE plus libFuzzer coverage
#                           (-fsanitize=fuzzer-no-link) everywhere, and the
#                           fuzz/ targets. scripts/fuzz.sh.
# LLVM/MLIR, protobuf and libonnx stay uninstrumented (Debian's builds).
#
#===----------------------------------------------------------------------===#

option(MOTE_SANITIZE "Build with AddressSanitizer + UndefinedBehaviorSanitizer" OFF)
option(MOTE_ENABLE_FUZZERS "Build the libFuzzer targets in fuzz/ (clang only; implies MOTE_SANITIZE)" OFF)

if(MOTE_ENABLE_FUZZERS)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "MOTE_ENABLE_FUZZERS=ON needs clang's libFuzzer: "
      "configure with -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ "
      "(scripts/fuzz.sh does)")
  endif()
  set(MOTE_SANITIZE ON)
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

if(MOTE_SANITIZE)
  # -fno-sanitize-recover: a UBSan finding fails the test that hit it.
  # vptr needs RTTI on both sides of every dynamic cast; libMLIR's classes
  # are not instrumented, so it stays off to avoid false reports.
  set(MOTE_SANITIZER_FLAGS -fsanitize=address,undefined -fno-sanitize=vptr
      -fno-sanitize-recover=undefined -fno-omit-frame-pointer)
  add_compile_options(${MOTE_SANITIZER_FLAGS})
  add_link_options(-fsanitize=address,undefined)
endif()
