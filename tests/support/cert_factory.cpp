#include "cert_factory.hpp"

#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include <atomic>
#include <stdexcept>

namespace ssogate::test {
namespace {

std::atomic<long> next_serial{1000};

void must(bool ok, const char* what) {
    if (!ok) {
        char buf[256] = "";
        ERR_error_string_n(ERR_get_error(), buf, sizeof buf);
        throw std::runtime_error(std::string("cert_factory: ") + what + ": " + buf);
    }
}

pkey_ptr new_key() {
    pkey_ptr k(EVP_EC_gen("P-256"));
    must(k != nullptr, "EVP_EC_gen");
    return k;
}

void add_ext(X509* x, X509* issuer, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, x, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    must(ext != nullptr, value);
    must(X509_add_ext(x, ext, -1) == 1, "X509_add_ext");
    X509_EXTENSION_free(ext);
}

x509_ptr new_cert(const std::string& cn, EVP_PKEY* key, long serial, long from_days, long until_days) {
    x509_ptr x(X509_new());
    must(x && X509_set_version(x.get(), 2) == 1, "X509_new");
    ASN1_INTEGER_set(X509_get_serialNumber(x.get()), serial);
    X509_gmtime_adj(X509_getm_notBefore(x.get()), from_days * 86400);
    X509_gmtime_adj(X509_getm_notAfter(x.get()), until_days * 86400);
    X509_NAME* name = X509_get_subject_name(x.get());
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("ssogate tests"), -1, -1, 0);
    if (!cn.empty())
        X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, reinterpret_cast<const unsigned char*>(cn.data()),
                                   static_cast<int>(cn.size()), -1, 0);
    must(X509_set_pubkey(x.get(), key) == 1, "X509_set_pubkey");
    return x;
}

std::string to_pem(X509* x) {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
    PEM_write_bio_X509(bio.get(), x);
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio.get(), &data);
    return {data, static_cast<std::size_t>(n)};
}

}  // namespace

std::vector<unsigned char> der_of(X509* x) {
    unsigned char* buf = nullptr;
    const int n = i2d_X509(x, &buf);
    must(n > 0, "i2d_X509");
    std::vector<unsigned char> out(buf, buf + n);
    OPENSSL_free(buf);
    return out;
}

std::string issued::pem() const { return to_pem(cert.get()); }
std::vector<unsigned char> issued::der() const { return der_of(cert.get()); }
std::string issued::key_pem() const {
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
    PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio.get(), &data);
    return {data, static_cast<std::size_t>(n)};
}

test_ca::test_ca(const std::string& cn, const test_ca* parent, long not_after_days) : key_(new_key()) {
    serial_ = next_serial++;
    cert_ = new_cert(cn, key_.get(), serial_, -2, not_after_days);
    X509* issuer = parent != nullptr ? parent->cert_.get() : cert_.get();
    must(X509_set_issuer_name(cert_.get(), X509_get_subject_name(issuer)) == 1, "issuer");
    add_ext(cert_.get(), issuer, NID_basic_constraints, "critical,CA:TRUE");
    add_ext(cert_.get(), issuer, NID_key_usage, "critical,keyCertSign,cRLSign");
    add_ext(cert_.get(), issuer, NID_subject_key_identifier, "hash");
    add_ext(cert_.get(), issuer, NID_authority_key_identifier, "keyid:always");
    must(X509_sign(cert_.get(), parent != nullptr ? parent->key_.get() : key_.get(), EVP_sha256()) > 0, "X509_sign");
}

std::string test_ca::pem() const { return to_pem(cert_.get()); }

issued test_ca::issue(const leaf_spec& spec) const {
    issued out;
    out.key = new_key();
    out.serial = next_serial++;
    out.cert = new_cert(spec.cn, out.key.get(), out.serial, spec.not_before_days, spec.not_after_days);
    X509* x = out.cert.get();
    must(X509_set_issuer_name(x, X509_get_subject_name(cert_.get())) == 1, "issuer");
    add_ext(x, cert_.get(), NID_basic_constraints, "critical,CA:FALSE");
    add_ext(x, cert_.get(), NID_key_usage, "critical,digitalSignature");
    add_ext(x, cert_.get(), NID_subject_key_identifier, "hash");
    add_ext(x, cert_.get(), NID_authority_key_identifier, "keyid:always");
    if (spec.eku) add_ext(x, cert_.get(), NID_ext_key_usage, spec.client_auth ? "clientAuth" : "serverAuth");
    if (!spec.upns.empty() || !spec.emails.empty()) {
        GENERAL_NAMES* gens = sk_GENERAL_NAME_new_null();
        for (const auto& u : spec.upns) {
            ASN1_TYPE* value = ASN1_TYPE_new();
            ASN1_STRING* s = ASN1_STRING_type_new(u.asn1_type);
            ASN1_STRING_set(s, u.bytes.data(), static_cast<int>(u.bytes.size()));
            ASN1_TYPE_set(value, u.asn1_type, s);
            GENERAL_NAME* gn = GENERAL_NAME_new();
            must(GENERAL_NAME_set0_othername(gn, OBJ_txt2obj("1.3.6.1.4.1.311.20.2.3", 1), value) == 1, "othername");
            sk_GENERAL_NAME_push(gens, gn);
        }
        for (const auto& e : spec.emails) {
            ASN1_IA5STRING* s = ASN1_IA5STRING_new();
            ASN1_STRING_set(s, e.data(), static_cast<int>(e.size()));
            GENERAL_NAME* gn = GENERAL_NAME_new();
            GENERAL_NAME_set0_value(gn, GEN_EMAIL, s);
            sk_GENERAL_NAME_push(gens, gn);
        }
        must(X509_add1_ext_i2d(x, NID_subject_alt_name, gens, 0, X509V3_ADD_DEFAULT) == 1, "SAN");
        GENERAL_NAMES_free(gens);
    }
    must(X509_sign(x, key_.get(), EVP_sha256()) > 0, "X509_sign");
    return out;
}

namespace {

// A CRL by `issuer` (signed with `key`) listing `revoked`, valid from `from_days` to `until_days`.
std::string make_crl_pem(X509* issuer, EVP_PKEY* key, const std::vector<const ASN1_INTEGER*>& revoked, long from_days,
                         long until_days) {
    std::unique_ptr<X509_CRL, decltype(&X509_CRL_free)> crl(X509_CRL_new(), X509_CRL_free);
    must(crl && X509_CRL_set_version(crl.get(), 1) == 1, "X509_CRL_new");
    X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(issuer));
    std::unique_ptr<ASN1_TIME, decltype(&ASN1_TIME_free)> from(X509_gmtime_adj(nullptr, from_days * 86400), ASN1_TIME_free);
    std::unique_ptr<ASN1_TIME, decltype(&ASN1_TIME_free)> until(X509_gmtime_adj(nullptr, until_days * 86400), ASN1_TIME_free);
    X509_CRL_set1_lastUpdate(crl.get(), from.get());
    X509_CRL_set1_nextUpdate(crl.get(), until.get());
    for (const ASN1_INTEGER* serial : revoked) {
        X509_REVOKED* r = X509_REVOKED_new();
        X509_REVOKED_set_serialNumber(r, const_cast<ASN1_INTEGER*>(serial));  // copies it
        X509_REVOKED_set_revocationDate(r, from.get());
        X509_CRL_add0_revoked(crl.get(), r);
    }
    X509_CRL_sort(crl.get());
    must(X509_CRL_sign(crl.get(), key, EVP_sha256()) > 0, "X509_CRL_sign");
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
    PEM_write_bio_X509_CRL(bio.get(), crl.get());
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio.get(), &data);
    return {data, static_cast<std::size_t>(n)};
}

}  // namespace

std::string test_ca::crl_pem(const std::vector<long>& revoked, long from_days, long until_days) const {
    std::vector<std::unique_ptr<ASN1_INTEGER, decltype(&ASN1_INTEGER_free)>> serials;
    std::vector<const ASN1_INTEGER*> views;
    for (long serial : revoked) {
        serials.emplace_back(ASN1_INTEGER_new(), ASN1_INTEGER_free);
        ASN1_INTEGER_set(serials.back().get(), serial);
        views.push_back(serials.back().get());
    }
    return make_crl_pem(cert_.get(), key_.get(), views, from_days, until_days);
}

std::string crl_pem_from_files(const std::filesystem::path& ca_cert, const std::filesystem::path& ca_key,
                               const std::vector<std::filesystem::path>& revoked, long from_days, long until_days) {
    auto read_pem = [](const std::filesystem::path& file) {
        std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_file(file.c_str(), "r"), BIO_free);
        must(bio != nullptr, file.c_str());
        return bio;
    };
    x509_ptr ca(PEM_read_bio_X509(read_pem(ca_cert).get(), nullptr, nullptr, nullptr));
    must(ca != nullptr, "PEM_read_bio_X509 (CA)");
    pkey_ptr key(PEM_read_bio_PrivateKey(read_pem(ca_key).get(), nullptr, nullptr, nullptr));
    must(key != nullptr, "PEM_read_bio_PrivateKey (CA)");
    std::vector<x509_ptr> certs;
    std::vector<const ASN1_INTEGER*> serials;
    for (const auto& f : revoked) {
        certs.emplace_back(PEM_read_bio_X509(read_pem(f).get(), nullptr, nullptr, nullptr));
        must(certs.back() != nullptr, "PEM_read_bio_X509 (revoked)");
        serials.push_back(X509_get0_serialNumber(certs.back().get()));
    }
    return make_crl_pem(ca.get(), key.get(), serials, from_days, until_days);
}

}  // namespace ssogate::test
