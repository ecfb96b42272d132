#include <ssogate/identity/certificate_authenticator.hpp>
#include <ssogate/identity/crl_files.hpp>
#include "printable.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <memory>

namespace ssogate::identity {
namespace {

using detail::printable;

struct x509_free {
    void operator()(X509* x) const { X509_free(x); }
};
using x509_ptr = std::unique_ptr<X509, x509_free>;
struct chain_free {
    void operator()(STACK_OF(X509) * s) const { sk_X509_pop_free(s, X509_free); }
};
using chain_ptr = std::unique_ptr<STACK_OF(X509), chain_free>;
struct store_ctx_free {
    void operator()(X509_STORE_CTX* c) const { X509_STORE_CTX_free(c); }
};

std::string openssl_error() {
    const unsigned long e = ERR_get_error();
    ERR_clear_error();
    if (e == 0) return "no details";
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    return buf;
}

// One DER certificate, all of it (no trailing bytes).
x509_ptr parse_der(const std::vector<unsigned char>& der) {
    const unsigned char* p = der.data();
    x509_ptr x(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
    ERR_clear_error();
    if (x && p != der.data() + der.size()) x.reset();
    return x;
}

std::vector<unsigned char> to_der(X509* x) {
    unsigned char* buf = nullptr;
    const int n = i2d_X509(x, &buf);
    if (n <= 0) return {};
    std::vector<unsigned char> out(buf, buf + n);
    OPENSSL_free(buf);
    return out;
}

// The verdict of X509_verify_cert as an errc. `anchored`: whether the chain reached the rule's CA
// (false means "not this rule's CA": the next rule may try).
errc classify(int err, bool& anchored) {
    anchored = true;
    switch (err) {
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
        case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
        case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
        case X509_V_ERR_CERT_SIGNATURE_FAILURE:
        case X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE:
        case X509_V_ERR_CERT_UNTRUSTED:
        case X509_V_ERR_CERT_REJECTED:
        case X509_V_ERR_AKID_SKID_MISMATCH:
        case X509_V_ERR_AKID_ISSUER_SERIAL_MISMATCH:
        case X509_V_ERR_CERT_CHAIN_TOO_LONG:
            anchored = false;
            return errc::untrusted_certificate;
        case X509_V_ERR_CERT_HAS_EXPIRED:
        case X509_V_ERR_CERT_NOT_YET_VALID:
        case X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD:
        case X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD:
            return errc::certificate_expired;
        case X509_V_ERR_CERT_REVOKED:
            return errc::certificate_revoked;
        case X509_V_ERR_INVALID_PURPOSE:
            return errc::no_client_auth_usage;
        default:
            return crl_unusable(err) ? errc::crl_unavailable : errc::bad_certificate;
    }
}

}  // namespace

struct certificate_authenticator::rule_state {
    const certificate_rule* rule = nullptr;
    std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store{X509_STORE_new(), X509_STORE_free};
};

certificate_evidence certificate_evidence_from_tls(const ssl_st& ssl, std::string source_address) {
    certificate_evidence e;
    e.source_address = std::move(source_address);
    X509* leaf = SSL_get0_peer_certificate(&ssl);
    if (leaf == nullptr) return e;
    e.chain.push_back(to_der(leaf));
    // Server side, the peer chain does not hold the client's certificate (client side it does).
    if (STACK_OF(X509)* sent = SSL_get_peer_cert_chain(&ssl))
        for (int i = 0; i < sk_X509_num(sent); ++i) {
            X509* x = sk_X509_value(sent, i);
            if (X509_cmp(x, leaf) != 0) e.chain.push_back(to_der(x));
        }
    return e;
}

certificate_authenticator::certificate_authenticator(const identity_config& cfg)
    : certificate_authenticator(cfg, make_directory(cfg)) {}

certificate_authenticator::certificate_authenticator(const identity_config& cfg, std::shared_ptr<directory> dir)
    : cfg_(cfg), directory_(std::move(dir)) {
    for (const auto& r : cfg_.certificate_rules) {
        auto s = std::make_unique<rule_state>();
        s->rule = &r;
        const std::string where = cfg_.file.string() + ": [[identity.certificates.rule]] '" + r.name + "'";
        if (!s->store) throw config_error(where + ": out of memory");
        std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_file(r.ca.c_str(), "r"), BIO_free);
        if (!bio) {
            ERR_clear_error();
            throw config_error(where + ": cannot read the CA file " + r.ca.string());
        }
        int n = 0;
        while (X509* x = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
            X509_STORE_add_cert(s->store.get(), x);
            X509_free(x);
            ++n;
        }
        ERR_clear_error();
        if (n == 0) throw config_error(where + ": the CA file " + r.ca.string() + " holds no PEM certificate");
        rules_.push_back(std::move(s));
    }
}

certificate_authenticator::~certificate_authenticator() = default;

outcome certificate_authenticator::authenticate(const evidence& e) {
    if (const auto* c = std::get_if<certificate_evidence>(&e)) return check(*c).result;
    return outcome::failure(errc::unsupported_mechanism,
                            "the certificate authenticator takes TLS client certificates only");
}

certificate_verdict certificate_authenticator::check(const certificate_evidence& e) const {
    certificate_verdict v = verify(e);
    if (v.result) v.result = apply_directory(std::move(v.result), directory_.get());
    return v;
}

certificate_verdict certificate_authenticator::verify(const certificate_evidence& e) const {
    certificate_verdict v;
    auto refuse = [&](errc code, std::string message) {
        v.result = outcome::failure(code, printable(message));
        return v;
    };
    if (e.chain.empty()) return refuse(errc::bad_certificate, "the client sent no certificate");
    if (e.chain.size() > max_chain)
        return refuse(errc::bad_certificate, "the client sent " + std::to_string(e.chain.size()) +
                                                 " certificates; at most " + std::to_string(max_chain) + " are taken");
    x509_ptr leaf;
    chain_ptr untrusted(sk_X509_new_null());
    for (std::size_t i = 0; i < e.chain.size(); ++i) {
        if (e.chain[i].size() > max_der)
            return refuse(errc::bad_certificate, "certificate " + std::to_string(i + 1) + " of the chain is larger than 64 KiB");
        x509_ptr x = parse_der(e.chain[i]);
        if (!x) return refuse(errc::bad_certificate, "certificate " + std::to_string(i + 1) + " of the chain is not DER X.509");
        if (i == 0) leaf = std::move(x);
        else sk_X509_push(untrusted.get(), x.release());
    }
    v.subject = certificate_subject(*leaf);
    v.issuer = certificate_issuer(*leaf);
    const std::string who = "the certificate '" + v.subject + "'";
    if (rules_.empty())
        return refuse(errc::untrusted_certificate,
                      who + " cannot be mapped: no [[identity.certificates.rule]] is configured");

    std::string unmapped;  // why each rule whose CA anchored the chain found no name
    for (const auto& s : rules_) {
        const certificate_rule& rule = *s->rule;
        std::string crl_problem;
        const crl_list crls = rule.crls.empty() ? nullptr : load_crl_files(rule.crls, crl_problem);
        std::unique_ptr<X509_STORE_CTX, store_ctx_free> ctx(X509_STORE_CTX_new());
        if (!ctx || X509_STORE_CTX_init(ctx.get(), s->store.get(), leaf.get(), untrusted.get()) != 1)
            return refuse(errc::bad_certificate, who + " could not be set up for verification: " + openssl_error());
        X509_STORE_CTX_set_purpose(ctx.get(), X509_PURPOSE_SSL_CLIENT);
        unsigned long flags = X509_V_FLAG_PARTIAL_CHAIN;
        if (!rule.crls.empty() && crl_problem.empty()) {
            flags |= X509_V_FLAG_CRL_CHECK;
            if (rule.crl_check_chain) flags |= X509_V_FLAG_CRL_CHECK_ALL;
            X509_STORE_CTX_set0_crls(ctx.get(), crls.get());
        }
        X509_VERIFY_PARAM_set_flags(X509_STORE_CTX_get0_param(ctx.get()), flags);
        const bool ok = X509_verify_cert(ctx.get()) == 1;
        const int err = X509_STORE_CTX_get_error(ctx.get());
        const int depth = X509_STORE_CTX_get_error_depth(ctx.get());
        ERR_clear_error();
        const std::string at = depth > 0 ? " (certificate " + std::to_string(depth + 1) + " of the chain)" : "";
        const std::string by_rule = " [rule '" + rule.name + "']";
        if (!ok) {
            bool anchored = true;
            const errc code = classify(err, anchored);
            if (!anchored) continue;  // not this rule's CA
            v.rule = rule.name;
            std::string what = X509_verify_cert_error_string(err);
            switch (code) {
                case errc::certificate_expired:
                    return refuse(code, who + " is outside its validity dates: " + what + at + by_rule);
                case errc::certificate_revoked:
                    return refuse(code, who + " is revoked" + at + " (serial on a CRL of rule '" + rule.name + "')");
                case errc::crl_unavailable:
                    return refuse(code, "cannot check whether " + who + " is revoked: " + what + at +
                                            "; refused until a current CRL is in place" + by_rule);
                case errc::no_client_auth_usage:
                    if (depth == 0)
                        return refuse(code, who + " lacks the clientAuth extended key usage (" + what + ")" + by_rule);
                    return refuse(code, who + " is not valid for client authentication: " + what + at + by_rule);
                default:
                    return refuse(code, who + " failed verification: " + what + at + by_rule);
            }
        }
        if (!crl_problem.empty()) {  // the chain is this rule's, but its CRLs are missing: fail closed
            v.rule = rule.name;
            return refuse(errc::crl_unavailable, "cannot check whether " + who + " is revoked: " + crl_problem +
                                                     "; refused until the CRL is in place" + by_rule);
        }
        if (!has_client_auth_usage(*leaf)) {
            v.rule = rule.name;
            return refuse(errc::no_client_auth_usage,
                          who + " lacks the clientAuth extended key usage" + by_rule);
        }
        auto name = map_certificate_name(*leaf, rule, cfg_);
        if (!name.principal) {
            unmapped += (unmapped.empty() ? "" : "; ") + std::string("rule '") + rule.name + "': " + name.why;
            continue;
        }
        v.rule = rule.name;
        verified_identity id;
        id.principal = *name.principal;
        id.kerberos_name = name.principal->name() + "@" + name.principal->realm();
        id.method = auth_method::certificate;
        v.result = outcome::success(std::move(id));
        return v;
    }
    if (!unmapped.empty())
        return refuse(errc::certificate_unmapped, who + " maps to no user: " + unmapped);
    return refuse(errc::untrusted_certificate,
                  who + " was issued by '" + v.issuer + "', which no certificate rule trusts");
}

}  // namespace ssogate::identity
