#pragma once
// Certificates and CRLs made in memory with the OpenSSL API, for the certificate tests: CAs (root
// or intermediate), client certificates with any SAN content (UPNs of any ASN.1 string type,
// embedded NULs, several names), with or without clientAuth, expired, and CRLs.
// Keys are EC P-256. Nothing here touches the network.
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace ssogate::test {

struct x509_deleter {
    void operator()(X509* x) const { X509_free(x); }
};
struct pkey_deleter {
    void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
using x509_ptr = std::unique_ptr<X509, x509_deleter>;
using pkey_ptr = std::unique_ptr<EVP_PKEY, pkey_deleter>;

/// A value in the SAN: an otherName UPN (`asn1_type` V_ASN1_UTF8STRING, V_ASN1_IA5STRING,
/// V_ASN1_BMPSTRING ...; `bytes` as they go into the string) or an rfc822Name.
struct san_upn {
    std::string bytes;
    int asn1_type = 12;  // V_ASN1_UTF8STRING
};

struct leaf_spec {
    std::string cn = "alice";
    std::vector<san_upn> upns;
    std::vector<std::string> emails;  // IA5String bytes, as given (NULs allowed)
    bool client_auth = true;          // clientAuth in the EKU
    bool eku = true;                  // false: no extendedKeyUsage extension at all
    long not_before_days = -1;        // relative to now
    long not_after_days = 30;
};

struct issued {
    x509_ptr cert;
    pkey_ptr key;
    long serial = 0;
    [[nodiscard]] std::string pem() const;
    [[nodiscard]] std::string key_pem() const;
    [[nodiscard]] std::vector<unsigned char> der() const;
};

class test_ca {
public:
    /// A self-signed root (parent null) or an intermediate signed by `parent`.
    explicit test_ca(const std::string& cn, const test_ca* parent = nullptr, long not_after_days = 365);
    [[nodiscard]] issued issue(const leaf_spec& spec) const;
    /// A CRL signed by this CA listing `revoked` serials; valid from `from_days` to `until_days`.
    [[nodiscard]] std::string crl_pem(const std::vector<long>& revoked, long from_days = -1, long until_days = 7) const;
    [[nodiscard]] std::string pem() const;
    [[nodiscard]] X509* cert() const { return cert_.get(); }
    [[nodiscard]] long serial() const { return serial_; }

private:
    x509_ptr cert_;
    pkey_ptr key_;
    long serial_ = 0;
};

/// A CRL of the CA whose certificate and key are PEM files (as make_pki in service.hpp writes
/// them), listing the serials of the certificates in the PEM files `revoked`; valid from
/// `from_days` to `until_days` (both relative to now: until_days < 0 makes an expired CRL).
std::string crl_pem_from_files(const std::filesystem::path& ca_cert, const std::filesystem::path& ca_key,
                               const std::vector<std::filesystem::path>& revoked, long from_days = -1,
                               long until_days = 7);

/// DER bytes of a certificate.
std::vector<unsigned char> der_of(X509* x);

}  // namespace ssogate::test
