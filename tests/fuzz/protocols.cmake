# libFuzzer target for the protocol engines (clang; `make fuzz`): the telnet tokenizer and the
# TN3270 session in both roles. Included by tests/fuzz/CMakeLists.txt; links only
# ssogate::protocols (no Asio, no OpenSSL). Seeds: tests/data/fuzz/telnet-*.
add_executable(fuzz_telnet ${CMAKE_CURRENT_SOURCE_DIR}/fuzz_telnet.cpp)
target_link_libraries(fuzz_telnet PRIVATE ssogate::protocols ssogate_warnings)
target_link_options(fuzz_telnet PRIVATE -fsanitize=fuzzer)
