# The protocol engines' unit tests: bytes in memory, no sockets, no Asio, no OpenSSL.
# Included by tests/CMakeLists.txt inside if(SSOGATE_TESTS).
add_executable(protocols_unit_tests
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/protocols/telnet_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/protocols/option_negotiator_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/protocols/terminal_type_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/protocols/tn3270_negotiation_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/protocols/tn3270_records_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/protocols/tn3270_trace_test.cpp)
target_include_directories(protocols_unit_tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/support)
target_compile_definitions(protocols_unit_tests PRIVATE
  SSOGATE_TEST_DATA_DIR="${CMAKE_CURRENT_SOURCE_DIR}/data")
target_link_libraries(protocols_unit_tests PRIVATE ssogate::protocols GTest::gtest_main
  ssogate_warnings)
gtest_discover_tests(protocols_unit_tests DISCOVERY_MODE PRE_TEST PROPERTIES LABELS unit)
