# libFuzzer target for the sample TN3270 host (clang; `make fuzz`): screen files, users files and
# terminal bytes into a host connection (seeds tests/fuzz/corpus/sample-host-*).
add_executable(fuzz_sample_host ${CMAKE_CURRENT_SOURCE_DIR}/fuzz_sample_host.cpp)
target_link_libraries(fuzz_sample_host PRIVATE ssogate::sample_host ssogate_warnings)
target_link_options(fuzz_sample_host PRIVATE -fsanitize=fuzzer)
