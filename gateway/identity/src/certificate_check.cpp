#include "certificate_check.hpp"
#include "read_capped.hpp"
#include "printable.hpp"

#include <ssogate/identity/certificate_authenticator.hpp>
#include <ssogate/identity/directory.hpp>
#include <ssogate/identity/identity_config.hpp>

#include <nlohmann/json.hpp>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>
#include <ostream>

namespace ssogate::identity::detail {
namespace {

using json = nlohmann::json;
constexpr std::size_t max_file = 1024 * 1024;

// The certificates of a PEM file (in order) or of one DER certificate; "" or why not.
std::string read_chain(const std::string& file, certificate_evidence& e) {
    std::string text;
    switch (read_capped(file, max_file, text)) {
        case read_status::unreadable: return "cannot read the certificate file " + file;
        case read_status::too_large: return "the certificate file " + file + " is larger than 1 MiB";
        case read_status::ok: break;
    }
    if (text.find("-----BEGIN CERTIFICATE-----") != std::string::npos) {
        std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())), BIO_free);
        while (X509* x = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
            unsigned char* der = nullptr;
            const int n = i2d_X509(x, &der);
            X509_free(x);
            if (n <= 0) break;
            e.chain.emplace_back(der, der + n);
            OPENSSL_free(der);
        }
        ERR_clear_error();
        if (e.chain.empty()) return "the certificate file " + file + " holds no readable PEM certificate";
    } else {
        e.chain.emplace_back(text.begin(), text.end());  // DER; the authenticator checks it
    }
    return {};
}

}  // namespace

int certificate_check_command(const check_args& a, std::ostream& out, std::ostream& err) {
    const identity_config cfg = load_identity_config(a.config);
    const certificate_authenticator auth(cfg);  // the CA files: a configuration error comes first
    certificate_evidence e;
    e.source_address = "cli";
    if (auto why = read_chain(a.cert, e); !why.empty()) {
        if (a.json)
            out << json{{"certificate", printable(a.cert)}, {"state", "unreadable"}, {"error", printable(why)}}.dump(2)
                << "\n";
        err << "ssogate: " << printable(why) << "\n";
        return 1;
    }
    const certificate_verdict v = auth.check(e);
    const json rule = v.rule.empty() ? json(nullptr) : json(printable(v.rule));
    if (!v.result) {
        if (a.json) {
            const auto code = static_cast<errc>(v.result.code().value());
            out << json{{"certificate", printable(a.cert)}, {"rule", rule},
                        {"subject", printable(v.subject)},  {"issuer", printable(v.issuer)},
                        {"state", to_string(code)},         {"error", printable(v.result.refused.message)}}
                       .dump(2)
                << "\n";
        }
        err << "ssogate: " << printable(v.result.refused.message) << "\n";
        return 1;
    }
    const verified_identity& id = *v.result.identity;
    if (a.json) {
        json j{{"certificate", printable(a.cert)},
               {"rule", rule},
               {"subject", printable(v.subject)},
               {"issuer", printable(v.issuer)},
               {"principal", printable(id.principal.display(cfg.realms))},
               {"kerberos", printable(id.kerberos_name)},
               {"key", printable(id.principal.key())},
               {"sid", id.sid ? json(*id.sid) : json(nullptr)},
               {"state", "active"},
               {"verified_by", "certificate"},
               {"groups", json::array()},
               {"account", auth.groups_directory() != nullptr ? json(to_string(id.account)) : json(nullptr)},
               {"dn", id.directory_dn.empty() ? json(nullptr) : json(printable(id.directory_dn))},
               {"groups_status", to_string(id.groups_from)},
               {"directory_note", id.directory_note.empty() ? json(nullptr) : json(printable(id.directory_note))}};
        for (const auto& g : id.groups)
            j["groups"].push_back({{"name", printable(g.principal.display(cfg.realms))},
                                   {"sid", g.sid ? json(*g.sid) : json(nullptr)}});
        out << j.dump(2) << "\n";
    } else {
        std::string groups;
        for (const auto& g : id.groups)
            groups += (groups.empty() ? "" : ", ") + g.principal.display(cfg.realms) + (g.sid ? " (" + *g.sid + ")" : "");
        if (groups.empty() && !id.directory_note.empty()) groups = "- (" + id.directory_note + ")";
        out << "rule       " << printable(v.rule) << "\n"
            << "subject    " << printable(v.subject) << "\n"
            << "issuer     " << printable(v.issuer) << "\n"
            << "principal  " << printable(id.principal.display(cfg.realms)) << "\n"
            << "kerberos   " << printable(id.kerberos_name) << "\n"
            << "key        " << printable(id.principal.key()) << "\n"
            << "sid        " << (id.sid ? printable(*id.sid) : "-") << "\n"
            << "state      active (certificate verified)\n";
        if (auth.groups_directory() != nullptr)
            out << "account    " << to_string(id.account) << "\n"
                << "directory  " << (id.directory_dn.empty() ? "-" : printable(id.directory_dn)) << " ("
                << to_string(id.groups_from) << ")\n";
        out << "groups     " << (groups.empty() ? "-" : printable(groups)) << "\n";
    }
    out.flush();
    return 0;
}

}  // namespace ssogate::identity::detail
