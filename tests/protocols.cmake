# The protocol engines' unit tests: bytes in memory, no sockets, no Asio, no OpenSSL.
# Included by tests/CMakeLists.txt inside if(SSOGATE_TESTS).
add_executable(protocols_unit_tests
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/protocols/telnet_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/protocols/option_negotiator_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/protocols/terminal_type_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/protocols/tn3270_negotiation_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/protocols/tn3270_records_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/protocols/tn3270_trace_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/protocols/tn3270e_trace_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/protocols/tn3270e_negotiation_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/protocols/tn3270e_records_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/protocols/codepage_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/protocols/buffer_address_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/protocols/outbound_record_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/protocols/inbound_record_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/protocols/screen_write_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/protocols/screen_input_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/protocols/query_reply_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/protocols/screen_text_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/protocols/erase_write_record_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/protocols/hercules_screen_test.cpp)
target_include_directories(protocols_unit_tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/support)
target_compile_definitions(protocols_unit_tests PRIVATE
  SSOGATE_TEST_DATA_DIR="${CMAKE_CURRENT_SOURCE_DIR}/data")
target_link_libraries(protocols_unit_tests PRIVATE ssogate::protocols GTest::gtest_main
  ssogate_warnings)
gtest_discover_tests(protocols_unit_tests DISCOVERY_MODE PRE_TEST PROPERTIES LABELS unit)
