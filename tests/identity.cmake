# Windows identity tests. Included by tests/CMakeLists.txt inside if(SSOGATE_TESTS).
#   identity_unit_tests  (label unit): throttle, Negotiate header, outcome mapping, [identity];
#                        keytabs made with the krb5 API, no KDC.
#   identity_kdc_tests   (label integration): a real MIT KDC per test (krb5kdc + kadmin.local,
#                        Debian krb5-kdc krb5-admin-server krb5-user) on 127.0.0.1 at a port
#                        chosen at run time; curl --negotiate as the real SPNEGO client.
#                        A missing tool fails the test; nothing is skipped.
if(NOT TARGET PkgConfig::KRB5)
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(KRB5 REQUIRED IMPORTED_TARGET krb5-gssapi krb5)
endif()

# The peers and fixtures the identity suites share, compiled once: a MIT KDC, an OpenLDAP slapd,
# certificates and CRLs made in memory, and a small HTTP server doing SPNEGO with our acceptor.
add_library(ssogate_identity_test_support STATIC
  ${CMAKE_CURRENT_LIST_DIR}/support/cert_factory.cpp
  ${CMAKE_CURRENT_LIST_DIR}/support/kdc.cpp
  ${CMAKE_CURRENT_LIST_DIR}/support/slapd.cpp
  ${CMAKE_CURRENT_LIST_DIR}/integration/identity/negotiate_http_server.cpp)
target_include_directories(ssogate_identity_test_support PUBLIC ${CMAKE_CURRENT_LIST_DIR}/support
  ${CMAKE_CURRENT_LIST_DIR}/integration/identity)
target_link_libraries(ssogate_identity_test_support PUBLIC ssogate::identity ssogate_test_support
  PkgConfig::KRB5 nlohmann_json::nlohmann_json OpenSSL::SSL OpenSSL::Crypto Threads::Threads
  PRIVATE ssogate_warnings)

add_executable(identity_unit_tests
  ${CMAKE_CURRENT_LIST_DIR}/unit/identity/certificate_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/unit/identity/directory_cache_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/unit/identity/identity_config_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/unit/identity/ldap_codec_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/unit/identity/ldap_config_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/unit/identity/negotiate_header_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/unit/identity/outcomes_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/unit/identity/pac_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/unit/identity/throttle_test.cpp)
target_compile_definitions(identity_unit_tests PRIVATE
  SSOGATE_IDENTITY_TEST_DATA="${CMAKE_CURRENT_LIST_DIR}/unit/identity/data"
  SSOGATE_TEST_DATA_DIR="${CMAKE_CURRENT_LIST_DIR}/data")
target_link_libraries(identity_unit_tests PRIVATE ssogate_identity_test_support
  PkgConfig::KRB5 GTest::gtest_main ssogate_warnings OpenSSL::Crypto)
gtest_discover_tests(identity_unit_tests DISCOVERY_MODE PRE_TEST PROPERTIES LABELS unit)

add_executable(identity_kdc_tests
  ${CMAKE_CURRENT_LIST_DIR}/integration/identity/check_command_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/integration/identity/kerberos_password_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/integration/identity/negotiate_test.cpp)
target_include_directories(identity_kdc_tests PRIVATE ${CMAKE_CURRENT_LIST_DIR}/support)
target_link_libraries(identity_kdc_tests PRIVATE ssogate_identity_test_support
  PkgConfig::KRB5 nlohmann_json::nlohmann_json GTest::gtest_main Threads::Threads ssogate_warnings)
gtest_discover_tests(identity_kdc_tests DISCOVERY_MODE PRE_TEST
  PROPERTIES LABELS integration TIMEOUT 120)

# identity_ldap_tests (label integration): the directory client against a real OpenLDAP slapd
# (Debian slapd ldap-utils libsasl2-modules-gssapi-mit; memberof overlay) per test, on run-time
# ports on 127.0.0.1, with the MIT KDC of identity_kdc_tests for SASL/GSSAPI binds; also
# certificates mapped with [identity.ldap] (groups and account state of the mapped principal).
add_executable(identity_ldap_tests
  ${CMAKE_CURRENT_LIST_DIR}/integration/identity/ldap_directory_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/integration/identity/certificate_directory_test.cpp)
target_include_directories(identity_ldap_tests PRIVATE ${CMAKE_CURRENT_LIST_DIR}/support)
target_link_libraries(identity_ldap_tests PRIVATE ssogate_identity_test_support
  PkgConfig::KRB5 nlohmann_json::nlohmann_json GTest::gtest_main Threads::Threads ssogate_warnings)
gtest_discover_tests(identity_ldap_tests DISCOVERY_MODE PRE_TEST
  PROPERTIES LABELS integration TIMEOUT 120)

# identity_samba_tests (label integration): a real Active Directory, Samba AD DC (Debian samba
# samba-ad-dc samba-ad-provision winbind ldap-utils). Its ports are fixed, so
# tests/peers/samba_ad.sh runs it in a network namespace of its own: provisions ONE domain
# (about 11-20 s), runs every test of the binary against it, stops it and removes its folder.
# One ctest entry; gtest's own output names each test. Needs root; a missing tool fails.
add_executable(identity_samba_tests
  ${CMAKE_CURRENT_LIST_DIR}/integration/identity/samba_directory_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/integration/identity/samba_password_test.cpp
  ${CMAKE_CURRENT_LIST_DIR}/integration/identity/samba_negotiate_test.cpp)
target_include_directories(identity_samba_tests PRIVATE ${CMAKE_CURRENT_LIST_DIR}/support
  ${CMAKE_CURRENT_LIST_DIR}/integration/identity)
target_link_libraries(identity_samba_tests PRIVATE ssogate_identity_test_support
  PkgConfig::KRB5 nlohmann_json::nlohmann_json GTest::gtest_main Threads::Threads ssogate_warnings)
add_test(NAME identity_samba_suite
  COMMAND ${CMAKE_CURRENT_LIST_DIR}/peers/samba_ad.sh run $<TARGET_FILE:identity_samba_tests>)
set_tests_properties(identity_samba_suite PROPERTIES LABELS integration TIMEOUT 600)

# TLS client certificates end to end (label integration): the real `ssogate identity check --cert`,
# and a TLS handshake on 127.0.0.1 with `openssl s_client` as the client. Certificates are made in
# memory (support/cert_factory.cpp); no peer beyond the openssl command.
add_executable(identity_cert_tests
  ${CMAKE_CURRENT_LIST_DIR}/integration/identity/certificate_check_test.cpp)
target_link_libraries(identity_cert_tests PRIVATE ssogate_identity_test_support
  nlohmann_json::nlohmann_json GTest::gtest_main OpenSSL::SSL OpenSSL::Crypto Threads::Threads ssogate_warnings)
target_compile_definitions(identity_cert_tests PRIVATE SSOGATE_BIN="$<TARGET_FILE:ssogate>")
add_dependencies(identity_cert_tests ssogate)
gtest_discover_tests(identity_cert_tests DISCOVERY_MODE PRE_TEST PROPERTIES LABELS integration TIMEOUT 120)
