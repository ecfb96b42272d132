# libFuzzer target for HTTP Negotiate (clang; `make fuzz`): header parsing, base64 and the
# GSSAPI acceptor. Included by tests/fuzz/CMakeLists.txt. Seeds: tests/unit/identity/data/negotiate-*.
if(NOT TARGET PkgConfig::KRB5)
  find_package(PkgConfig REQUIRED)
  pkg_check_modules(KRB5 REQUIRED IMPORTED_TARGET krb5-gssapi krb5)
endif()
add_executable(fuzz_negotiate ${CMAKE_CURRENT_LIST_DIR}/fuzz_negotiate.cpp)
target_link_libraries(fuzz_negotiate PRIVATE ssogate::identity PkgConfig::KRB5 ssogate_warnings)
target_link_options(fuzz_negotiate PRIVATE -fsanitize=fuzzer)

# The MS-PAC logon info decoder (gateway/identity/src/pac.cpp). Seeds: a real Samba PAC from
# tests/data/samba_pac_logon_info.hex and truncations of it (made by run.sh).
add_executable(fuzz_pac ${CMAKE_CURRENT_LIST_DIR}/fuzz_pac.cpp)
target_link_libraries(fuzz_pac PRIVATE ssogate::identity ssogate_warnings)
target_link_options(fuzz_pac PRIVATE -fsanitize=fuzzer)

# TLS client certificates to principals (certificate_rules.cpp, certificate_authenticator.cpp).
# Seeds: corpus/cert-* (real certificates of the CA in data/cert-rules-ca.pem, valid until 2036).
add_executable(fuzz_cert_rules ${CMAKE_CURRENT_LIST_DIR}/fuzz_cert_rules.cpp)
target_compile_definitions(fuzz_cert_rules PRIVATE SSOGATE_FUZZ_DATA="${CMAKE_CURRENT_LIST_DIR}/data")
target_link_libraries(fuzz_cert_rules PRIVATE ssogate::identity OpenSSL::Crypto ssogate_warnings)
target_link_options(fuzz_cert_rules PRIVATE -fsanitize=fuzzer)

# Directory data (ldap_codec.cpp): binary SIDs and tokenGroups values, RFC 4515 filter escaping
# round trip, RFC 4514 DN values, LDAP integers and URLs. Seeds: corpus/ldap-*.
add_executable(fuzz_ldap_codec ${CMAKE_CURRENT_LIST_DIR}/fuzz_ldap_codec.cpp)
target_link_libraries(fuzz_ldap_codec PRIVATE ssogate::identity ssogate_warnings)
target_link_options(fuzz_ldap_codec PRIVATE -fsanitize=fuzzer)
