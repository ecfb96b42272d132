# libFuzzer targets for the protocol engines (clang; `make fuzz`). Included by
# tests/fuzz/CMakeLists.txt; they link only ssogate::protocols (no Asio, no OpenSSL).
# - fuzz_telnet: the telnet tokenizer and the TN3270 session in both roles (seeds
#   tests/data/fuzz/telnet-*).
# - fuzz_datastream: the outbound 3270 data stream, the screen model, Read Modified and the
#   screen rewritten as one Erase/Write record (seeds tests/data/fuzz/datastream-*).
# - fuzz_tn3270e: the TN3270E header, BIND and FUNCTIONS parsers and the session in both roles
#   with TN3270E on (seeds tests/data/fuzz/tn3270e-*).
foreach(target fuzz_telnet fuzz_datastream fuzz_tn3270e)
  add_executable(${target} ${CMAKE_CURRENT_SOURCE_DIR}/${target}.cpp)
  target_link_libraries(${target} PRIVATE ssogate::protocols ssogate_warnings)
  target_link_options(${target} PRIVATE -fsanitize=fuzzer)
endforeach()
