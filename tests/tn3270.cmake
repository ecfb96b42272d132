# The sample TN3270 host and `ssogate probe`: unit tests of the host's logic (bytes in memory)
# and integration tests with real peers (s3270, Hercules). Included by tests/CMakeLists.txt
# inside if(SSOGATE_TESTS).
add_executable(sample_host_unit_tests
  ${CMAKE_CURRENT_SOURCE_DIR}/unit/sample_host/sample_host_test.cpp)
target_include_directories(sample_host_unit_tests PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/support)
target_compile_definitions(sample_host_unit_tests PRIVATE
  SSOGATE_TEST_DATA_DIR="${CMAKE_CURRENT_SOURCE_DIR}/data"
  SSOGATE_SAMPLE_SCREENS_DIR="${PROJECT_SOURCE_DIR}/samples/tn3270/screens")
target_link_libraries(sample_host_unit_tests PRIVATE ssogate::sample_host GTest::gtest_main ssogate_warnings)
gtest_discover_tests(sample_host_unit_tests DISCOVERY_MODE PRE_TEST PROPERTIES LABELS unit)
