# The sample TN3270 host and `ssogate probe`: unit tests of the host's logic (bytes in memory)
# and integration tests with real peers (s3270, Hercules). Included by tests/CMakeLists.txt
# inside if(SSOGATE_TESTS).
add_executable(sample_host_unit_tests
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/sample_host/sample_host_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/sample_host/transcript_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/sample_host/probe_terminal_test.cpp
  # The probe's terminal is sans-I/O: its source is tested here without the gateway's Asio.
  ${PROJECT_SOURCE_DIR}/gateway/src/tn3270_probe.cpp)
target_include_directories(sample_host_unit_tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/support
  ${PROJECT_SOURCE_DIR}/gateway/src)
target_compile_definitions(sample_host_unit_tests PRIVATE
  SSOGATE_TEST_DATA_DIR="${CMAKE_CURRENT_SOURCE_DIR}/data"
  SSOGATE_SAMPLE_SCREENS_DIR="${PROJECT_SOURCE_DIR}/samples/tn3270/screens")
target_link_libraries(sample_host_unit_tests PRIVATE ssogate::sample_host ssogate::protocols ssogate::config
  nlohmann_json::nlohmann_json GTest::gtest_main ssogate_warnings)
gtest_discover_tests(sample_host_unit_tests DISCOVERY_MODE PRE_TEST PROPERTIES LABELS unit)

# Integration: the real s3270 and Hercules against `ssogate sample-host` and `ssogate probe`.
add_executable(tn3270_integration_tests
  ${CMAKE_CURRENT_SOURCE_DIR}/integration/tn3270/s3270.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/integration/tn3270/sample_host_s3270_test.cpp
  ${CMAKE_CURRENT_SOURCE_DIR}/integration/tn3270/probe_test.cpp)
target_include_directories(tn3270_integration_tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/integration/tn3270)
target_link_libraries(tn3270_integration_tests PRIVATE ssogate_test_support GTest::gtest_main
  nlohmann_json::nlohmann_json ssogate_warnings)
target_compile_definitions(tn3270_integration_tests PRIVATE SSOGATE_BIN="$<TARGET_FILE:ssogate>")
add_dependencies(tn3270_integration_tests ssogate)
gtest_discover_tests(tn3270_integration_tests DISCOVERY_MODE PRE_TEST PROPERTIES LABELS integration)
