// TLS client certificates to principals: arbitrary DER (seeds: real certificates of a CA whose
// certificate and CRL are in tests/fuzz/data, see corpus/cert-*) through
//  - map_certificate_name under upn, email and cn rules (names only, no chain check), and
//  - certificate_authenticator::check, the input as the client's certificate and as a chain
//    certificate after a real one.
// Invariants: never a crash or a hang; a name found is a principal of a realm the gateway serves
// whose display form parses back to the same key; a refusal has a one-line printable message and
// a certificate error code; what the authenticator accepts, the mapping of its rule accepts too.
#include <ssogate/identity/certificate_authenticator.hpp>

#include <openssl/x509.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <string>

using namespace ssogate;
using namespace ssogate::identity;

namespace {

std::unique_ptr<identity_config> cfg;
std::unique_ptr<certificate_authenticator> auth;
std::vector<unsigned char> known_leaf;  // a real certificate of the CA, for chains

bool printable_line(const std::string& s) {
    return !s.empty() && std::none_of(s.begin(), s.end(), [](char c) {
        return static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
    });
}

void check_name(const certificate_name& n) {
    if (n.principal) {
        if (!n.why.empty() || n.found.empty() || !cfg->serves_realm(n.principal->realm())) __builtin_trap();
        auto again = credstore::principal::parse(n.principal->display(cfg->realms), cfg->realms);
        if (!again || again->key() != n.principal->key()) __builtin_trap();
    } else if (!printable_line(n.why)) {
        __builtin_trap();
    }
}

void check_verdict(const certificate_verdict& v, X509* leaf) {
    if (v.result) {
        if (v.result.code() || v.rule.empty() || leaf == nullptr) __builtin_trap();
        const auto& rules = cfg->certificate_rules;
        const auto r = std::find_if(rules.begin(), rules.end(), [&](const certificate_rule& x) { return x.name == v.rule; });
        if (r == rules.end()) __builtin_trap();
        const auto n = map_certificate_name(*leaf, *r, *cfg);
        if (!n.principal || n.principal->key() != v.result.identity->principal.key()) __builtin_trap();
        if (!has_client_auth_usage(*leaf)) __builtin_trap();
        return;
    }
    const auto c = v.result.code();
    if (c.category() != identity_category() || !printable_line(v.result.refused.message)) __builtin_trap();
    const auto e = static_cast<errc>(c.value());
    if (e < errc::bad_certificate || e > errc::certificate_unmapped) __builtin_trap();
}

std::string read(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    const std::filesystem::path data = SSOGATE_FUZZ_DATA;
    cfg = std::make_unique<identity_config>(parse_identity_config(
        "[identity]\ndefault_domain = \"CORP\"\n[identity.domains]\nCORP = \"CORP.EXAMPLE\"\n"
        "[[identity.certificates.rule]]\nname = \"upn\"\nca = \"cert-rules-ca.pem\"\nmap = \"upn\"\n"
        "domains = [\"corp.example\"]\ncrls = [\"cert-rules-ca.crl\"]\n"
        "[[identity.certificates.rule]]\nname = \"email\"\nca = \"cert-rules-ca.pem\"\nmap = \"email\"\n"
        "realm = \"CORP\"\n"
        "[[identity.certificates.rule]]\nname = \"cn\"\nca = \"cert-rules-ca.pem\"\nmap = \"cn\"\nrealm = \"CORP\"\n"
        "crls = [\"cert-rules-ca.crl\"]\ncrl_check = \"chain\"\n",
        data / "ssogate.toml"));
    auth = std::make_unique<certificate_authenticator>(*cfg);
    const std::string leaf = read(data / "../corpus/cert-upn.der");
    known_leaf.assign(leaf.begin(), leaf.end());
    if (known_leaf.empty()) std::abort();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const unsigned char* p = data;
    std::unique_ptr<X509, decltype(&X509_free)> x(d2i_X509(nullptr, &p, static_cast<long>(size)), X509_free);
    if (x) {
        for (const auto& rule : cfg->certificate_rules) check_name(map_certificate_name(*x, rule, *cfg));
        (void)has_client_auth_usage(*x);
        (void)certificate_subject(*x);
        (void)certificate_issuer(*x);
    }
    certificate_evidence e;
    e.chain.emplace_back(data, data + size);
    const bool whole = x && p == data + size;
    check_verdict(auth->check(e), whole ? x.get() : nullptr);

    e.chain.insert(e.chain.begin(), known_leaf);  // as an intermediate the client sent along
    const auto v = auth->check(e);
    const unsigned char* q = known_leaf.data();
    std::unique_ptr<X509, decltype(&X509_free)> k(d2i_X509(nullptr, &q, static_cast<long>(known_leaf.size())), X509_free);
    check_verdict(v, k.get());
    return 0;
}
