#include <ssogate/identity/ldap_codec.hpp>
#include <ssogate/identity/ldap_directory.hpp>

#include "krb5_support.hpp"
#include "pac_groups.hpp"
#include "printable.hpp"

#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>
#include <ldap.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <set>

namespace ssogate::identity {
namespace {

namespace codec = ldap_codec;

// Cyrus SASL's interaction record (sasl/sasl.h, stable since SASL 2.1; the header itself is in
// libsasl2-dev, which the build does not need otherwise).
struct sasl_interaction {
    unsigned long id;
    const char* challenge;
    const char* prompt;
    const char* defresult;
    const void* result;
    unsigned len;
};
constexpr unsigned long sasl_cb_list_end = 0;

// GSSAPI needs no answers; every question gets its default (an empty authorisation identity).
int sasl_defaults(LDAP*, unsigned, void*, void* in) {
    for (auto* i = static_cast<sasl_interaction*>(in); i != nullptr && i->id != sasl_cb_list_end; ++i) {
        const char* v = i->defresult != nullptr ? i->defresult : "";
        i->result = v;
        i->len = static_cast<unsigned>(std::strlen(v));
    }
    return LDAP_SUCCESS;
}

struct message_deleter {
    void operator()(LDAPMessage* m) const noexcept { ldap_msgfree(m); }
};
using message_ptr = std::unique_ptr<LDAPMessage, message_deleter>;

// A failure inside one lookup: the libldap code (to tell a dropped connection) and the outcome.
struct failure {
    int rc = LDAP_OTHER;
    errc code = errc::directory_error;
    std::string message;
};

bool connection_lost(int rc) { return rc == LDAP_SERVER_DOWN || rc == LDAP_CONNECT_ERROR; }

std::vector<std::string> values(LDAP* ld, LDAPMessage* entry, const char* attr) {
    std::vector<std::string> out;
    berval** v = ldap_get_values_len(ld, entry, attr);
    if (v == nullptr) return out;
    for (berval** p = v; *p != nullptr; ++p) out.emplace_back((*p)->bv_val, (*p)->bv_len);
    ldap_value_free_len(v);
    return out;
}

std::optional<std::int64_t> integer_value(LDAP* ld, LDAPMessage* entry, const char* attr) {
    const auto v = values(ld, entry, attr);
    if (v.empty()) return std::nullopt;
    return codec::parse_integer(v.front());
}

std::string entry_dn(LDAP* ld, LDAPMessage* entry) {
    char* dn = ldap_get_dn(ld, entry);
    if (dn == nullptr) return {};
    std::string out = dn;
    ldap_memfree(dn);
    return out;
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](char c) { return static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c); });
    return s;
}

// Directory text in a message: at most 300 characters, control characters as '?'.
std::string printable(std::string_view s) { return detail::printable(s.substr(0, 300)); }

std::string join(const std::vector<std::string>& v, const char* sep) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : sep) + s;
    return out;
}

}  // namespace

struct ldap_directory::impl {
    identity_config cfg;
    ldap_config l;
    clock_fn now;
    std::string urls;          // space-separated, as ldap_initialize takes them
    bool plaintext_remote = false;  // some ldap:// URL to a non-loopback host without StartTLS
    bool uses_tls = false;          // ldaps:// or StartTLS

    std::mutex mutex;
    LDAP* ld = nullptr;
    std::string ccache_name;   // MEMORY:..., this object's own
    std::optional<std::chrono::system_clock::time_point> tgt_expires;
    struct sid_name {
        std::string name;
        std::chrono::system_clock::time_point stored;
    };
    std::map<std::string, sid_name> sid_names;  // S-1-... -> sAMAccountName
    static constexpr std::size_t max_sid_names = 100000;

    ~impl() {
        disconnect();
        if (tgt_expires) destroy_ccache();
    }

    void disconnect() {
        if (ld != nullptr) ldap_unbind_ext_s(ld, nullptr, nullptr);
        ld = nullptr;
    }

    // What a failed operation means: the server went away / did not answer (temporary), or it
    // refused us or its TLS certificate did not verify (the configuration: fatal). `what` names
    // the operation ("the simple bind as ..."); `forced` overrides the code.
    failure fail(int rc, const std::string& what, std::optional<errc> forced = std::nullopt) const {
        failure f;
        f.rc = rc;
        std::string diag;
        if (ld != nullptr) {
            char* d = nullptr;
            if (ldap_get_option(ld, LDAP_OPT_DIAGNOSTIC_MESSAGE, &d) == LDAP_OPT_SUCCESS && d != nullptr) {
                diag = printable(d);
                ldap_memfree(d);
            }
        }
        const std::string detail = std::string(ldap_err2string(rc)) + (diag.empty() ? "" : " (" + diag + ")");
        // libldap reports a failed TLS handshake as "Can't contact LDAP server" / "Connect error",
        // like a server that is down, but with a diagnostic message from the TLS library.
        const bool tls_failed = connection_lost(rc) && uses_tls && !diag.empty();
        switch (rc) {
            case LDAP_SERVER_DOWN:
            case LDAP_CONNECT_ERROR:
            case LDAP_TIMEOUT:
            case LDAP_TIMELIMIT_EXCEEDED:
            case LDAP_BUSY:
            case LDAP_UNAVAILABLE: f.code = tls_failed ? errc::directory_error : errc::directory_unavailable; break;
            default: f.code = errc::directory_error; break;
        }
        if (forced) f.code = *forced;
        if (tls_failed) {
            f.message = "the TLS handshake with the directory failed (" + urls + "): " + detail +
                        (l.ca_file.empty() ? "; is the server's certificate issued by a CA the system trusts? (set ca_file)"
                                           : "; is the server's certificate issued by the CA in " + l.ca_file.string() +
                                                 ", for the host name in the URL?");
        } else if (f.code == errc::directory_unavailable && connection_lost(rc)) {
            f.message = "no directory server answered (" + urls + "): " + detail;
        } else if (rc == LDAP_TIMEOUT || rc == LDAP_TIMELIMIT_EXCEEDED) {
            f.message = "the directory did not answer " + what + " within operation_timeout_seconds = " +
                        std::to_string(l.operation_timeout.count()) + " (" + urls + ")";
        } else {
            f.message = "the directory refused " + what + " (" + urls + "): " + detail;
        }
        return f;
    }

    // ---- credentials
    //
    // SASL/GSSAPI takes the default initiator credential. The gateway's own TGT goes into a
    // MEMORY ccache of this object (krb5_get_init_creds_keytab), and gss_krb5_ccache_name makes
    // it the default for the calling thread only, for the length of the bind (MIT keeps that name
    // per thread), so neither KRB5CCNAME nor other threads' Kerberos use is touched.

    std::optional<failure> ensure_tgt() {
        const auto t = std::chrono::system_clock::now();
        if (tgt_expires && *tgt_expires - t > std::chrono::minutes(5)) return std::nullopt;
        auto err = [&](errc code, std::string what) { return failure{LDAP_LOCAL_ERROR, code, std::move(what)}; };
        krb5_context raw = nullptr;
        if (krb5_init_context(&raw) != 0) return err(errc::directory_error, "cannot start the Kerberos library");
        detail::context_ptr ctx(raw);
        const auto keytab = l.bind_keytab.empty() ? cfg.keytab : l.bind_keytab;
        const std::string kt_name = detail::keytab_name(keytab.string());
        const std::string shown_kt = keytab.empty() ? std::string("(the default keytab)") : keytab.string();
        detail::keytab_ptr kt(raw);
        if (const auto rc = kt_name.empty() ? krb5_kt_default(raw, kt.out()) : krb5_kt_resolve(raw, kt_name.c_str(), kt.out()))
            return err(errc::directory_error, "cannot open the keytab " + shown_kt + " for the LDAP bind: " +
                                                  detail::krb5_message(raw, rc));
        detail::principal_ptr client(raw);
        std::string wanted = l.bind_principal.empty() ? cfg.service_principal : l.bind_principal;
        if (!wanted.empty()) {
            if (const auto rc = krb5_parse_name(raw, wanted.c_str(), client.out()))
                return err(errc::directory_error, "bind_principal '" + printable(wanted) + "': " + detail::krb5_message(raw, rc));
        } else {
            krb5_kt_cursor cursor{};
            krb5_keytab_entry e{};
            if (krb5_kt_start_seq_get(raw, kt.get(), &cursor) == 0) {
                if (krb5_kt_next_entry(raw, kt.get(), &e, &cursor) == 0) {
                    (void)krb5_copy_principal(raw, e.principal, client.out());
                    krb5_free_keytab_entry_contents(raw, &e);
                }
                krb5_kt_end_seq_get(raw, kt.get(), &cursor);
            }
            if (client.get() == nullptr)
                return err(errc::directory_error, "the keytab " + shown_kt + " holds no key to bind to the directory with");
        }
        char* unparsed = nullptr;
        std::string who = "?";
        if (krb5_unparse_name(raw, client.get(), &unparsed) == 0) {
            who = unparsed;
            krb5_free_unparsed_name(raw, unparsed);
        }
        krb5_creds creds{};
        krb5_get_init_creds_opt* opt = nullptr;
        if (krb5_get_init_creds_opt_alloc(raw, &opt) != 0) return err(errc::directory_error, "out of memory");
        krb5_get_init_creds_opt_set_forwardable(opt, 0);
        krb5_get_init_creds_opt_set_proxiable(opt, 0);
        krb5_error_code rc = krb5_get_init_creds_keytab(raw, &creds, client.get(), kt.get(), 0, nullptr, opt);
        krb5_get_init_creds_opt_free(raw, opt);
        if (rc != 0) {
            const bool unreachable = rc == KRB5_KDC_UNREACH || rc == KRB5_REALM_CANT_RESOLVE;
            return err(unreachable ? errc::directory_unavailable : errc::directory_error,
                       "cannot get a Kerberos ticket for " + printable(who) + " with the keytab " + shown_kt +
                           " to bind to the directory: " + detail::krb5_message(raw, rc));
        }
        krb5_ccache cc = nullptr;
        rc = krb5_cc_resolve(raw, ccache_name.c_str(), &cc);
        if (rc == 0) rc = krb5_cc_initialize(raw, cc, client.get());
        if (rc == 0) rc = krb5_cc_store_cred(raw, cc, &creds);
        const auto ends = std::chrono::system_clock::from_time_t(static_cast<std::time_t>(static_cast<std::uint32_t>(creds.times.endtime)));
        krb5_free_cred_contents(raw, &creds);
        if (cc != nullptr) krb5_cc_close(raw, cc);
        if (rc != 0) return err(errc::directory_error, "cannot keep the ticket for the LDAP bind: " + detail::krb5_message(raw, rc));
        tgt_expires = ends;
        return std::nullopt;
    }

    void destroy_ccache() {
        krb5_context raw = nullptr;
        if (krb5_init_context(&raw) != 0) return;
        krb5_ccache cc = nullptr;
        if (krb5_cc_resolve(raw, ccache_name.c_str(), &cc) == 0) krb5_cc_destroy(raw, cc);
        krb5_free_context(raw);
    }

    // Makes this object's ccache the calling thread's default GSSAPI ccache while it lives, then
    // puts the thread back on the process default (KRB5CCNAME). Not the "previous" name: MIT
    // reports an unset name as the default it resolves to at that moment, and restoring that
    // would pin the thread to it. Nothing else in ssogate sets a thread's ccache name.
    class thread_ccache {
    public:
        explicit thread_ccache(const std::string& name) {
            OM_uint32 minor = 0;
            set_ = gss_krb5_ccache_name(&minor, name.c_str(), nullptr) == GSS_S_COMPLETE;
        }
        ~thread_ccache() {
            OM_uint32 minor = 0;
            if (set_) gss_krb5_ccache_name(&minor, nullptr, nullptr);
        }
        thread_ccache(const thread_ccache&) = delete;
        thread_ccache& operator=(const thread_ccache&) = delete;

    private:
        bool set_ = false;
    };

    // The service account's password: the first line of the file, only into a secret_bytes.
    std::optional<credstore::secret_bytes> read_password(std::string& why) const {
        const auto& file = l.bind_password_file;
        struct stat st {};
        if (::stat(file.c_str(), &st) != 0) {
            why = "cannot read bind_password_file " + file.string() + ": " + std::strerror(errno);
            return std::nullopt;
        }
        if ((st.st_mode & 077u) != 0) {
            char mode[8];
            std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
            why = "bind_password_file " + file.string() + " is open to group or others (mode " + mode +
                  "); run chmod 600 on it";
            return std::nullopt;
        }
        std::ifstream in(file, std::ios::binary);
        if (!in) {
            why = "cannot read bind_password_file " + file.string() + ": " + std::strerror(errno);
            return std::nullopt;
        }
        credstore::secret_bytes buf(4096);
        std::size_t n = 0;
        char c = 0;
        while (n < buf.size() && in.get(c) && c != '\n') buf.data()[n++] = static_cast<std::byte>(c);
        if (n > 0 && buf.data()[n - 1] == static_cast<std::byte>('\r')) --n;
        buf.truncate(n);
        if (n == 0) {
            why = "bind_password_file " + file.string() + " is empty";
            return std::nullopt;
        }
        return buf;
    }

    // ---- connection

    std::optional<failure> connect() {
        if (ld != nullptr) return std::nullopt;
        int rc = ldap_initialize(&ld, urls.c_str());
        if (rc != LDAP_SUCCESS) {
            ld = nullptr;
            return failure{rc, errc::directory_error, "cannot use the directory URLs " + urls + ": " + ldap_err2string(rc)};
        }
        const int version = LDAP_VERSION3;
        ldap_set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &version);
        ldap_set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF);
        timeval network{static_cast<time_t>(l.network_timeout.count()), 0};
        timeval op{static_cast<time_t>(l.operation_timeout.count()), 0};
        ldap_set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &network);
        ldap_set_option(ld, LDAP_OPT_TIMEOUT, &op);
        const int demand = LDAP_OPT_X_TLS_DEMAND;
        ldap_set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &demand);
        if (!l.ca_file.empty()) ldap_set_option(ld, LDAP_OPT_X_TLS_CACERTFILE, l.ca_file.c_str());
        const int is_server = 0;
        if ((rc = ldap_set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &is_server)) != LDAP_OPT_SUCCESS) {
            failure f{rc, errc::directory_error,
                      "cannot set up TLS for the directory with ca_file " + l.ca_file.string() + ": " + ldap_err2string(rc)};
            disconnect();
            return f;
        }
        if (l.starttls) {
            if ((rc = ldap_start_tls_s(ld, nullptr, nullptr)) != LDAP_SUCCESS) {
                auto f = fail(rc, "StartTLS");
                disconnect();
                return f;
            }
        }
        if (l.bind == ldap_bind_method::simple) {
            std::string why;
            auto password = read_password(why);
            if (!password) {
                disconnect();
                return failure{LDAP_LOCAL_ERROR, errc::directory_error, why};
            }
            const auto text = password->reveal();
            berval cred_bv{static_cast<ber_len_t>(text.size()), const_cast<char*>(text.data())};
            rc = ldap_sasl_bind_s(ld, l.bind_dn.c_str(), LDAP_SASL_SIMPLE, &cred_bv, nullptr, nullptr, nullptr);
            if (rc != LDAP_SUCCESS) {
                auto f = fail(rc, "the simple bind as " + printable(l.bind_dn));
                if (rc == LDAP_INVALID_CREDENTIALS)
                    f.message += "; check bind_dn and the password in " + l.bind_password_file.string();
                disconnect();
                return f;
            }
            return std::nullopt;
        }
        if (auto f = ensure_tgt()) {
            disconnect();
            return f;
        }
        ldap_set_option(ld, LDAP_OPT_X_SASL_NOCANON, LDAP_OPT_ON);
        if (plaintext_remote && !l.starttls)
            ldap_set_option(ld, LDAP_OPT_X_SASL_SECPROPS, const_cast<char*>("minssf=56"));
        {
            thread_ccache use(ccache_name);
            rc = ldap_sasl_interactive_bind_s(ld, nullptr, "GSSAPI", nullptr, nullptr, LDAP_SASL_QUIET, sasl_defaults,
                                              nullptr);
        }
        if (rc != LDAP_SUCCESS) {
            auto f = fail(rc, "the SASL/GSSAPI bind");
            disconnect();
            tgt_expires.reset();  // a ticket that stopped working (key rotated) is fetched again next time
            return f;
        }
        return std::nullopt;
    }

    // ---- searches

    std::variant<message_ptr, failure> search(const std::string& base, int scope, const std::string& filter,
                                              std::vector<const char*> attrs, int sizelimit, const std::string& what) {
        attrs.push_back(nullptr);
        timeval op{static_cast<time_t>(l.operation_timeout.count()), 0};
        LDAPMessage* res = nullptr;
        const int rc = ldap_search_ext_s(ld, base.c_str(), scope, filter.c_str(), const_cast<char**>(attrs.data()), 0,
                                         nullptr, nullptr, &op, sizelimit, &res);
        message_ptr owned(res);
        if (rc == LDAP_SUCCESS || (rc == LDAP_SIZELIMIT_EXCEEDED && res != nullptr)) return owned;
        return fail(rc, what);
    }

    [[nodiscard]] std::optional<credstore::principal> group_principal(const std::string& name,
                                                                       const credstore::principal& who) const {
        return detail::group_principal(name, who, cfg.realms);
    }

    std::variant<directory_entry, failure> find_user(const credstore::principal& who, std::vector<const char*> attrs,
                                                     const std::string& filter, LDAPMessage*& entry, message_ptr& holder) {
        auto r = search(l.base_dn, LDAP_SCOPE_SUBTREE, filter, std::move(attrs), 2,
                        "the search for " + who.display(cfg.realms));
        if (auto* f = std::get_if<failure>(&r)) return *f;
        holder = std::move(std::get<message_ptr>(r));
        entry = ldap_first_entry(ld, holder.get());
        if (entry == nullptr)
            return failure{LDAP_SUCCESS, errc::not_in_directory,
                           "no entry matches " + printable(filter) + " under " + printable(l.base_dn)};
        if (ldap_next_entry(ld, entry) != nullptr)
            return failure{LDAP_SUCCESS, errc::directory_error,
                           "more than one entry matches " + printable(filter) + " under " + printable(l.base_dn) +
                               ": refusing to guess which is " + who.display(cfg.realms)};
        directory_entry e;
        e.dn = entry_dn(ld, entry);
        return e;
    }

    std::variant<directory_entry, failure> lookup_ldap(const credstore::principal& who) {
        const std::string filter = "(" + l.user_attribute + "=" + codec::escape_filter_value(who.name()) + ")";
        LDAPMessage* entry = nullptr;
        message_ptr holder;
        auto found = find_user(who, {"memberOf", "nsAccountLock", "pwdAccountLockedTime", "shadowExpire"}, filter,
                               entry, holder);
        if (auto* f = std::get_if<failure>(&found)) return *f;
        directory_entry e = std::move(std::get<directory_entry>(found));
        e.account = codec::ldap_account_state(values(ld, entry, "nsAccountLock"), values(ld, entry, "pwdAccountLockedTime"),
                                              values(ld, entry, "shadowExpire"), now());
        // Groups level by level: direct groups first, then the groups they are members of.
        std::vector<std::string> level = values(ld, entry, "memberOf");
        std::set<std::string> seen;
        const std::string name_attr = l.group_name_attr();
        for (int depth = 0; depth <= l.nesting_depth && !level.empty(); ++depth) {
            std::vector<std::string> next;
            for (const auto& dn : level) {
                if (!seen.insert(lower(dn)).second) continue;  // a cycle or a diamond
                if (seen.size() > max_groups) return too_many_groups(who);
                auto r = search(dn, LDAP_SCOPE_BASE, "(objectClass=*)", {name_attr.c_str(), "memberOf"}, 1,
                                "the read of the group " + printable(dn));
                if (auto* f = std::get_if<failure>(&r)) {
                    if (f->rc == LDAP_NO_SUCH_OBJECT) continue;  // memberOf names a deleted group
                    return *f;
                }
                LDAPMessage* g = ldap_first_entry(ld, std::get<message_ptr>(r).get());
                if (g == nullptr) continue;
                auto names = values(ld, g, name_attr.c_str());
                std::optional<std::string> name;
                if (!names.empty()) name = names.front();
                else name = codec::first_rdn_value(dn);
                if (name)
                    if (auto p = group_principal(*name, who)) e.groups.push_back(group{*p, std::nullopt});
                for (auto& parent : values(ld, g, "memberOf")) next.push_back(std::move(parent));
            }
            level = std::move(next);
        }
        return e;
    }

    std::variant<directory_entry, failure> lookup_ad(const credstore::principal& who) {
        const std::string filter = "(&(objectClass=user)(|(sAMAccountName=" + codec::escape_filter_value(who.name()) +
                                   ")(userPrincipalName=" + codec::escape_filter_value(who.name() + "@" + who.realm()) +
                                   ")))";
        LDAPMessage* entry = nullptr;
        message_ptr holder;
        auto found = find_user(who, {"objectSid", "userAccountControl", "accountExpires"}, filter, entry, holder);
        if (auto* f = std::get_if<failure>(&found)) return *f;
        directory_entry e = std::move(std::get<directory_entry>(found));
        const auto sid_bytes = values(ld, entry, "objectSid");
        if (!sid_bytes.empty()) {
            const auto& b = sid_bytes.front();
            if (auto s = codec::decode_sid({reinterpret_cast<const std::uint8_t*>(b.data()), b.size()}))
                e.sid = s->to_string();
        }
        const auto uac = integer_value(ld, entry, "userAccountControl");
        const auto expires = integer_value(ld, entry, "accountExpires");

        // tokenGroups and the computed lockout flag: constructed, so only with scope base.
        auto r = search(e.dn, LDAP_SCOPE_BASE, "(objectClass=*)", {"tokenGroups", "msDS-User-Account-Control-Computed"},
                        1, "the read of tokenGroups of " + printable(e.dn));
        if (auto* f = std::get_if<failure>(&r)) return *f;
        LDAPMessage* self = ldap_first_entry(ld, std::get<message_ptr>(r).get());
        std::vector<codec::sid> sids;
        std::optional<std::int64_t> computed;
        if (self != nullptr) {
            const auto token_groups = values(ld, self, "tokenGroups");
            if (token_groups.size() > max_groups) return too_many_groups(who);
            for (const auto& b : token_groups)
                if (auto s = codec::decode_sid({reinterpret_cast<const std::uint8_t*>(b.data()), b.size()})) {
                    if (s->authority == 5 && !s->sub_authorities.empty() && s->sub_authorities.front() == 32) continue;
                    sids.push_back(std::move(*s));
                }
            computed = integer_value(ld, self, "msDS-User-Account-Control-Computed");
        }
        e.account = codec::ad_account_state(uac, computed, expires, now());
        if (auto f = resolve_sids(sids)) return *f;
        for (const auto& s : sids) {
            const auto text = s.to_string();
            const auto it = sid_names.find(text);
            if (it == sid_names.end()) continue;  // a SID the directory does not name (foreign, deleted)
            if (auto p = group_principal(it->second.name, who)) e.groups.push_back(group{*p, text});
        }
        return e;
    }

    // Every group read (ldap flavour) is a round trip under the mutex, and AD puts at most 1015
    // groups into a token: a user in more groups than this is refused, not read without end.
    static constexpr std::size_t max_groups = 4096;
    failure too_many_groups(const credstore::principal& who) const {
        return failure{LDAP_SUCCESS, errc::directory_error,
                       who.display(cfg.realms) + " is in more than " + std::to_string(max_groups) +
                           " groups in the directory; refusing to read them all"};
    }

    // SID -> sAMAccountName for the SIDs not cached (or cached longer than cache_seconds), in
    // searches of at most 100 SIDs each. A stale name is dropped before the directory is asked,
    // so a SID the directory no longer names is never named from data older than cache_seconds.
    std::optional<failure> resolve_sids(const std::vector<codec::sid>& sids) {
        const auto t = now();
        std::vector<const codec::sid*> wanted;
        for (const auto& s : sids) {
            auto it = sid_names.find(s.to_string());
            if (it != sid_names.end() && t - it->second.stored < l.cache_ttl) continue;
            if (it != sid_names.end()) sid_names.erase(it);
            wanted.push_back(&s);
        }
        if (sid_names.size() + wanted.size() > max_sid_names) {
            std::erase_if(sid_names, [&](const auto& kv) { return t - kv.second.stored >= l.cache_ttl; });
            if (sid_names.size() + wanted.size() > max_sid_names) sid_names.clear();
        }
        const std::string name_attr = l.group_name_attr();
        for (std::size_t i = 0; i < wanted.size(); i += 100) {
            std::string filter = "(|";
            for (std::size_t k = i; k < std::min(wanted.size(), i + 100); ++k)
                filter += "(objectSid=" + codec::escape_filter_bytes(wanted[k]->to_bytes()) + ")";
            filter += ")";
            auto r = search(l.base_dn, LDAP_SCOPE_SUBTREE, filter, {"objectSid", name_attr.c_str()}, 0,
                            "the search naming group SIDs");
            if (auto* f = std::get_if<failure>(&r)) return *f;
            for (LDAPMessage* g = ldap_first_entry(ld, std::get<message_ptr>(r).get()); g != nullptr;
                 g = ldap_next_entry(ld, g)) {
                const auto sid_values = values(ld, g, "objectSid");
                const auto names = values(ld, g, name_attr.c_str());
                if (sid_values.empty() || names.empty()) continue;
                const auto& b = sid_values.front();
                if (auto s = codec::decode_sid({reinterpret_cast<const std::uint8_t*>(b.data()), b.size()}))
                    sid_names[s->to_string()] = sid_name{names.front(), t};
            }
        }
        return std::nullopt;
    }

    directory_answer lookup(const credstore::principal& who) {
        std::lock_guard lock(mutex);
        for (int attempt = 0;; ++attempt) {
            const bool reused = ld != nullptr;
            if (auto f = connect()) return directory_answer::failure(f->code, f->message);
            auto r = l.flavour == directory_flavour::ad ? lookup_ad(who) : lookup_ldap(who);
            if (auto* e = std::get_if<directory_entry>(&r)) {
                directory_answer a;
                a.entry = std::move(*e);
                return a;
            }
            auto& f = std::get<failure>(r);
            if (connection_lost(f.rc) || f.rc == LDAP_TIMEOUT) disconnect();
            if (connection_lost(f.rc) && reused && attempt == 0) continue;  // the server dropped an idle connection
            return directory_answer::failure(f.code, f.message);
        }
    }
};

ldap_directory::ldap_directory(const identity_config& cfg, clock_fn now) : impl_(std::make_unique<impl>()) {
    if (!cfg.ldap) throw config_error(cfg.file.string() + ": [identity.ldap] is not configured");
    impl_->cfg = cfg;
    impl_->l = *cfg.ldap;
    impl_->now = now ? std::move(now) : clock_fn([] { return std::chrono::system_clock::now(); });
    impl_->urls = join(impl_->l.urls, " ");
    for (const auto& u : impl_->l.urls) {
        const auto p = codec::parse_ldap_url(u);
        if (p && p->scheme == "ldap" && !codec::is_loopback_host(p->host)) impl_->plaintext_remote = true;
        if ((p && p->scheme == "ldaps") || impl_->l.starttls) impl_->uses_tls = true;
    }
    char name[64];
    std::snprintf(name, sizeof name, "MEMORY:ssogate-ldap-%p", static_cast<void*>(impl_.get()));
    impl_->ccache_name = name;
    const std::string where = cfg.file.string() + ": [identity.ldap] ";
    const auto& l = impl_->l;
    if (l.bind == ldap_bind_method::simple) {
        std::string why;
        if (!impl_->read_password(why)) throw config_error(where + why);
    } else {
        // The GSSAPI bind finds the KDC through the process's Kerberos configuration.
        if (!cfg.krb5_conf.empty() && std::getenv("KRB5_CONFIG") == nullptr)
            ::setenv("KRB5_CONFIG", cfg.krb5_conf.c_str(), 0);
        const auto keytab = l.bind_keytab.empty() ? cfg.keytab : l.bind_keytab;
        if (!keytab.empty()) {
            std::error_code ec;
            if (!std::filesystem::exists(keytab, ec))
                throw config_error(where + "the keytab " + keytab.string() + " for the GSSAPI bind does not exist");
        }
    }
    if (!l.ca_file.empty()) {
        std::ifstream in(l.ca_file);
        if (!in) throw config_error(where + "cannot read ca_file " + l.ca_file.string());
    }
}

ldap_directory::~ldap_directory() = default;

directory_answer ldap_directory::lookup(const credstore::principal& who) { return impl_->lookup(who); }

std::optional<std::map<std::string, std::string>> ldap_directory::name_sids(const std::vector<std::string>& sids,
                                                                             std::string* why) {
    std::vector<codec::sid> parsed;
    for (const auto& s : sids)
        if (auto p = codec::parse_sid(s)) parsed.push_back(std::move(*p));
    std::lock_guard lock(impl_->mutex);
    for (int attempt = 0;; ++attempt) {
        const bool reused = impl_->ld != nullptr;
        std::optional<failure> f = impl_->connect();
        if (!f) f = impl_->resolve_sids(parsed);
        if (!f) break;
        if (connection_lost(f->rc)) impl_->disconnect();
        if (connection_lost(f->rc) && reused && attempt == 0) continue;
        if (why != nullptr) *why = f->message;
        return std::nullopt;
    }
    std::map<std::string, std::string> out;
    for (const auto& s : parsed) {
        const auto text = s.to_string();
        if (auto it = impl_->sid_names.find(text); it != impl_->sid_names.end()) out[text] = it->second.name;
    }
    return out;
}

std::string ldap_directory::probe() {
    std::lock_guard lock(impl_->mutex);
    if (auto f = impl_->connect()) return f->message;
    return {};
}

}  // namespace ssogate::identity
