#include "certificate_config.hpp"
#include "printable.hpp"

#include <ssogate/identity/certificate_rules.hpp>

#include <openssl/bio.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <memory>
#include <set>

namespace ssogate::identity {
namespace {

using detail::printable;

// RFC 3629 UTF-8: no overlong forms, no surrogates, nothing above U+10FFFF.
bool valid_utf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t n = 0;
        std::uint32_t cp = 0;
        if (c < 0x80) {
            ++i;
            continue;
        }
        if (c >= 0xc2 && c <= 0xdf) {
            n = 1;
            cp = c & 0x1fu;
        } else if (c >= 0xe0 && c <= 0xef) {
            n = 2;
            cp = c & 0x0fu;
        } else if (c >= 0xf0 && c <= 0xf4) {
            n = 3;
            cp = c & 0x07u;
        } else {
            return false;
        }
        if (i + n >= s.size()) return false;  // truncated sequence
        for (std::size_t k = 1; k <= n; ++k) {
            const auto d = static_cast<unsigned char>(s[i + k]);
            if ((d & 0xc0u) != 0x80u) return false;
            cp = (cp << 6) | (d & 0x3fu);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
            (cp >= 0xd800 && cp <= 0xdfff))
            return false;
        i += n + 1;
    }
    return true;
}

bool has_control(std::string_view s) {
    return std::any_of(s.begin(), s.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u < 0x20 || u == 0x7f;
    });
}

std::string_view bytes_of(const ASN1_STRING* s) {
    return {reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)), static_cast<std::size_t>(ASN1_STRING_length(s))};
}

std::string name_text(const X509_NAME* n) {
    if (n == nullptr) return {};
    std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
    if (!bio || X509_NAME_print_ex(bio.get(), n, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) < 0) return {};
    char* data = nullptr;
    const long len = BIO_get_mem_data(bio.get(), &data);
    return printable(std::string_view(data, static_cast<std::size_t>(std::max(len, 0L))));
}

// The candidates a rule reads: UPNs or rfc822Names of the SAN, or subject CNs. Sets `why` and
// returns false when one of them is malformed (or the SAN cannot be decoded).
bool collect(const X509& cert, certificate_map kind, std::vector<std::string>& out, std::string& why) {
    if (kind == certificate_map::cn) {
        const X509_NAME* subject = X509_get_subject_name(&cert);
        for (int i = -1; (i = X509_NAME_get_index_by_NID(subject, NID_commonName, i)) >= 0;) {
            const ASN1_STRING* v = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, i));
            unsigned char* utf8 = nullptr;
            const int len = ASN1_STRING_to_UTF8(&utf8, v);
            if (len < 0) {
                why = "the subject CN is not a convertible string";
                return false;
            }
            std::string s(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(len));
            OPENSSL_free(utf8);
            if (has_control(s) || !valid_utf8(s)) {
                why = "the subject CN '" + printable(s) + "' holds control characters or invalid UTF-8";
                return false;
            }
            out.push_back(std::move(s));
        }
        if (out.empty()) why = "the certificate's subject has no CN";
        return true;
    }
    int crit = -1;
    auto* sans = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(&cert, NID_subject_alt_name, &crit, nullptr));
    if (sans == nullptr) {
        if (crit == -2) why = "the certificate has two subject alternative name extensions";
        else if (crit >= 0) why = "the subject alternative name extension cannot be decoded";
        else why = "the certificate has no subject alternative name";
        return crit == -1;
    }
    std::unique_ptr<GENERAL_NAMES, decltype(&GENERAL_NAMES_free)> guard(sans, GENERAL_NAMES_free);
    for (int i = 0; i < sk_GENERAL_NAME_num(sans); ++i) {
        const GENERAL_NAME* gn = sk_GENERAL_NAME_value(sans, i);
        if (kind == certificate_map::upn && gn->type == GEN_OTHERNAME &&
            OBJ_obj2nid(gn->d.otherName->type_id) == NID_ms_upn) {
            const ASN1_TYPE* v = gn->d.otherName->value;
            if (v == nullptr || v->type != V_ASN1_UTF8STRING) {
                why = "a UPN in the subject alternative name is not a UTF8String";
                return false;
            }
            const auto s = bytes_of(v->value.utf8string);
            if (has_control(s) || !valid_utf8(s)) {
                why = "a UPN in the subject alternative name holds a NUL or control character or invalid UTF-8";
                return false;
            }
            out.emplace_back(s);
        } else if (kind == certificate_map::email && gn->type == GEN_EMAIL) {
            const ASN1_IA5STRING* v = gn->d.rfc822Name;
            const auto s = bytes_of(v);
            if (ASN1_STRING_type(v) != V_ASN1_IA5STRING || has_control(s) ||
                std::any_of(s.begin(), s.end(), [](char c) { return static_cast<unsigned char>(c) > 0x7e || c == ' '; })) {
                why = "an rfc822Name in the subject alternative name is not plain ASCII";
                return false;
            }
            out.emplace_back(s);
        }
    }
    if (out.empty())
        why = kind == certificate_map::upn ? "the subject alternative name holds no UPN"
                                           : "the subject alternative name holds no rfc822Name (e-mail address)";
    return true;
}

const char* kind_name(certificate_map m) {
    switch (m) {
        case certificate_map::upn: return "UPN";
        case certificate_map::email: return "rfc822Name";
        case certificate_map::cn: return "CN";
    }
    return "?";
}

}  // namespace

certificate_name map_certificate_name(const x509_st& cert, const certificate_rule& rule, const identity_config& cfg) {
    certificate_name r;
    std::vector<std::string> found;
    if (!collect(cert, rule.map, found, r.why) || found.empty()) return r;

    // user and realm for each candidate; names of other domains are not this rule's
    struct candidate {
        std::string text, user, realm;
    };
    std::vector<candidate> kept;
    std::string skipped;
    for (const auto& f : found) {
        candidate c{f, f, rule.realm};
        if (rule.map != certificate_map::cn) {
            const auto at = f.rfind('@');
            if (at == std::string::npos || at == 0 || at + 1 == f.size()) {
                r.why = std::string("the ") + kind_name(rule.map) + " '" + printable(f) + "' is not user@domain";
                return r;
            }
            const std::string domain = credstore::ascii_lower(std::string_view(f).substr(at + 1));
            if (!rule.domains.empty() &&
                std::find(rule.domains.begin(), rule.domains.end(), domain) == rule.domains.end()) {
                skipped += (skipped.empty() ? "" : ", ") + printable(f);
                continue;
            }
            c.user = f.substr(0, at);
            if (c.realm.empty()) c.realm = credstore::ascii_upper(domain);
        }
        kept.push_back(std::move(c));
    }
    if (kept.empty()) {
        std::string domains;
        for (const auto& d : rule.domains) domains += (domains.empty() ? "" : ", ") + d;
        r.why = std::string("no ") + kind_name(rule.map) + " of the domains " + domains + " (the certificate has " +
                skipped + ")";
        return r;
    }
    for (const auto& c : kept)
        if (credstore::ascii_lower(c.text) != credstore::ascii_lower(kept.front().text)) {
            r.why = std::string("the certificate holds several different ") + kind_name(rule.map) + "s ('" +
                    printable(kept.front().text) + "', '" + printable(c.text) + "'): ambiguous";
            return r;
        }
    const candidate& c = kept.front();
    r.found = c.text;
    std::string why;
    auto p = credstore::principal::parse(c.user + "@" + c.realm, cfg.realms, &why);
    if (!p) {
        r.why = std::string("the ") + kind_name(rule.map) + " '" + printable(c.text) + "' is not a user name: " + why;
        return r;
    }
    if (!cfg.serves_realm(p->realm())) {
        r.why = std::string("the ") + kind_name(rule.map) + " '" + printable(c.text) + "' is in the realm " +
                printable(p->realm()) + ", not one of the gateway's realms";
        return r;
    }
    r.principal = std::move(p);
    return r;
}

bool has_client_auth_usage(x509_st& cert) {
    const std::uint32_t flags = X509_get_extension_flags(&cert);
    if ((flags & EXFLAG_INVALID) != 0) return false;
    return (flags & EXFLAG_XKUSAGE) != 0 && (X509_get_extended_key_usage(&cert) & XKU_SSL_CLIENT) != 0;
}

std::string certificate_subject(const x509_st& cert) { return name_text(X509_get_subject_name(&cert)); }
std::string certificate_issuer(const x509_st& cert) { return name_text(X509_get_issuer_name(&cert)); }

// ------------------------------------------------------------------ [identity.certificates]

namespace detail {
namespace {

class rule_reader {
public:
    explicit rule_reader(identity_config& c) : c_(c) {}

    [[noreturn]] void fail_at(const toml::node& n, const std::string& what) const {
        throw config_error(c_.file.string() + ": line " + std::to_string(n.source().begin.line) + ": " + what);
    }

    std::filesystem::path path(const toml::node& n, const std::string& what) const {
        if (!n.is_string() || n.as_string()->get().empty()) fail_at(n, what + " must be a file name");
        const std::string& v = n.as_string()->get();
        if (v.size() > 4096 || has_control(v)) fail_at(n, what + " must be at most 4096 characters without control characters");
        std::filesystem::path p(v);
        if (p.is_relative()) p = c_.file.parent_path() / p;
        return p.lexically_normal();
    }

    certificate_rule rule(const toml::table& t, std::size_t index) const {
        certificate_rule r;
        r.name = "rule " + std::to_string(index + 1);
        const std::set<std::string_view> ok(std::begin(certificate_rule_keys), std::end(certificate_rule_keys));
        for (const auto& [k, v] : t)
            if (!ok.contains(k.str()))
                fail_at(v, "unknown key '" + std::string(k.str()) + "' in [[identity.certificates.rule]]");
        if (const auto* n = t.get("name")) {
            if (!n->is_string() || n->as_string()->get().empty() || n->as_string()->get().size() > 128 ||
                has_control(n->as_string()->get()))
                fail_at(*n, "[[identity.certificates.rule]] name must be 1-128 characters without control characters");
            r.name = n->as_string()->get();
        }
        const std::string where = "[[identity.certificates.rule]] '" + r.name + "'";
        const auto* ca = t.get("ca");
        if (ca == nullptr) fail_at(t, where + ": ca is required (the PEM file of the CA this rule trusts)");
        r.ca = path(*ca, where + " ca");

        const auto* map = t.get("map");
        if (map == nullptr) fail_at(t, where + ": map is required (\"upn\", \"email\" or \"cn\")");
        const std::string m = map->is_string() ? map->as_string()->get() : "";
        if (m == "upn") r.map = certificate_map::upn;
        else if (m == "email") r.map = certificate_map::email;
        else if (m == "cn") r.map = certificate_map::cn;
        else fail_at(*map, where + " map must be \"upn\", \"email\" or \"cn\"");

        if (const auto* d = t.get("domains")) {
            if (r.map == certificate_map::cn) fail_at(*d, where + ": domains applies to upn and email rules only; a cn rule names its realm");
            auto take = [&](const toml::node& e) {
                std::string why;
                if (!e.is_string() || !credstore::principal::parse("x@" + e.as_string()->get(), credstore::realm_map{}, &why))
                    fail_at(e, where + " domains must be domain names like \"corp.example\"");
                r.domains.push_back(credstore::ascii_lower(e.as_string()->get()));
            };
            if (d->is_array()) {
                for (const auto& e : *d->as_array()) take(e);
                if (r.domains.empty()) fail_at(*d, where + " domains is empty: leave it out to accept any domain");
            } else {
                take(*d);
            }
        }
        if (const auto* rn = t.get("realm")) {
            if (!rn->is_string() || !credstore::principal::parse("x@" + rn->as_string()->get(), credstore::realm_map{}))
                fail_at(*rn, where + " realm must be a realm (CORP.EXAMPLE) or a domain of [identity.domains]");
            r.realm = c_.realms.realm_for_domain(rn->as_string()->get());
            if (!c_.serves_realm(r.realm))
                fail_at(*rn, where + " realm " + r.realm + " is not one of the gateway's realms; map it in [identity.domains]");
        } else if (r.map == certificate_map::cn) {
            fail_at(t, where + ": a cn rule needs realm (the realm of the user names in the CN)");
        }
        if (const auto* cl = t.get("crls")) {
            auto take = [&](const toml::node& e) { r.crls.push_back(path(e, where + " crls")); };
            if (cl->is_array()) {
                for (const auto& e : *cl->as_array()) take(e);
            } else {
                take(*cl);
            }
        }
        if (const auto* cc = t.get("crl_check")) {
            const std::string v = cc->is_string() ? cc->as_string()->get() : "";
            if (v == "chain") r.crl_check_chain = true;
            else if (v != "leaf") fail_at(*cc, where + " crl_check must be \"leaf\" or \"chain\"");
            if (r.crls.empty()) fail_at(*cc, where + " crl_check needs crls (the CRL files to check against)");
        }
        return r;
    }

private:
    identity_config& c_;
};

}  // namespace

void read_certificate_rules(const toml::node& node, identity_config& c) {
    rule_reader r(c);
    if (!node.is_table()) r.fail_at(node, "[identity.certificates] must be a table");
    const toml::table& t = *node.as_table();
    for (const auto& [k, v] : t)
        if (k.str() != "rule") r.fail_at(v, "unknown key '" + std::string(k.str()) + "' in [identity.certificates]");
    const auto* rules = t.get("rule");
    if (rules == nullptr) return;
    if (!rules->is_array_of_tables())
        r.fail_at(*rules, "[identity.certificates] rule must be written [[identity.certificates.rule]]");
    std::set<std::string> names;
    for (const auto& e : *rules->as_array()) {
        auto rule = r.rule(*e.as_table(), c.certificate_rules.size());
        if (!names.insert(rule.name).second)
            r.fail_at(e, "[[identity.certificates.rule]] name '" + rule.name + "' is used twice");
        c.certificate_rules.push_back(std::move(rule));
    }
}

}  // namespace detail
}  // namespace ssogate::identity
