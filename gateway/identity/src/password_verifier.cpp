#include <ssogate/identity/password_verifier.hpp>

#include "krb5_support.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace ssogate::identity {

using detail::context_ptr;
using detail::keytab_ptr;
using detail::krb5_message;
using detail::principal_ptr;

errc classify_kdc_error(std::int32_t code) noexcept {
    switch (code) {
        case 0: return errc::ok;
        case KRB5KDC_ERR_PREAUTH_FAILED:
        case KRB5KRB_AP_ERR_BAD_INTEGRITY:  // no pre-authentication: the reply did not decrypt
        case KRB5_PREAUTH_FAILED:
            return errc::wrong_password;
        case KRB5KDC_ERR_KEY_EXP: return errc::password_expired;
        case KRB5KDC_ERR_CLIENT_REVOKED:  // AD: disabled or locked out; MIT: -allow_tix or lockout
        case KRB5KDC_ERR_POLICY:          // AD: logon hours, workstation restrictions
        case KRB5KDC_ERR_CLIENT_NOTYET:
            return errc::account_disabled;
        case KRB5KDC_ERR_NAME_EXP: return errc::account_expired;
        case KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN: return errc::unknown_user;
        case KRB5_KDC_UNREACH:
        case KRB5_REALM_CANT_RESOLVE:
        case KRB5_REALM_UNKNOWN:
            return errc::kdc_unreachable;
        case KRB5KRB_AP_ERR_SKEW: return errc::clock_skew;
        default: return errc::kerberos_error;
    }
}

errc classify_verify_error(std::int32_t code) noexcept {
    switch (code) {
        case 0: return errc::ok;
        case KRB5_KT_NOTFOUND:  // no key at all for the service principal
        case KRB5_KT_END:
        case ENOENT:
        case EACCES:
        case EPERM:
            return errc::keytab_error;
        case KRB5_KDC_UNREACH:
        case KRB5_REALM_CANT_RESOLVE:
        case KRB5_REALM_UNKNOWN:
            return errc::kdc_unreachable;
        case KRB5KRB_AP_ERR_SKEW: return errc::clock_skew;
        default: return errc::verification_failed;  // bad integrity, unknown kvno, unknown service
    }
}

namespace {

std::string base_config_files(const identity_config& cfg) {
    if (!cfg.krb5_conf.empty()) return cfg.krb5_conf.string();
    if (const char* env = std::getenv("KRB5_CONFIG"); env != nullptr && *env != '\0') return env;
    return "/etc/krb5.conf";
}

std::string unparse(krb5_context ctx, krb5_const_principal p) {
    char* s = nullptr;
    if (krb5_unparse_name(ctx, p, &s) != 0) return "?";
    std::string out = s;
    krb5_free_unparsed_name(ctx, s);
    return out;
}

std::string join(const std::vector<std::string>& v) {
    std::string out;
    for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
    return out.empty() ? "none configured" : out;
}

struct expiry_seen {
    std::optional<std::chrono::system_clock::time_point> password;
};

void KRB5_CALLCONV on_expiry(krb5_context, void* data, krb5_timestamp password_expiration,
                             krb5_timestamp, krb5_boolean) {
    if (password_expiration == 0) return;
    // krb5_timestamp is a 32-bit count of seconds read as unsigned after 2038 (krb5 ts2tt)
    const auto secs = static_cast<std::int64_t>(static_cast<std::uint32_t>(password_expiration));
    static_cast<expiry_seen*>(data)->password =
        std::chrono::system_clock::time_point(std::chrono::seconds(secs));
}

class init_creds_opt {
public:
    explicit init_creds_opt(krb5_context ctx) : ctx_(ctx) {
        if (krb5_get_init_creds_opt_alloc(ctx, &opt_) != 0) throw std::bad_alloc();
    }
    ~init_creds_opt() { krb5_get_init_creds_opt_free(ctx_, opt_); }
    init_creds_opt(const init_creds_opt&) = delete;
    init_creds_opt& operator=(const init_creds_opt&) = delete;
    [[nodiscard]] krb5_get_init_creds_opt* get() const noexcept { return opt_; }

private:
    krb5_context ctx_;
    krb5_get_init_creds_opt* opt_ = nullptr;
};

class creds_guard {
public:
    explicit creds_guard(krb5_context ctx) noexcept : ctx_(ctx) {}
    ~creds_guard() {
        if (filled_) krb5_free_cred_contents(ctx_, &creds_);
    }
    creds_guard(const creds_guard&) = delete;
    creds_guard& operator=(const creds_guard&) = delete;
    krb5_creds* get() noexcept { return &creds_; }
    void filled() noexcept { filled_ = true; }

private:
    krb5_context ctx_;
    krb5_creds creds_{};
    bool filled_ = false;
};

// The first principal of `realm` in the keytab, host/ principals first (as MIT does itself
// when given no server). Returns 0 or a krb5 error (KRB5_KT_NOTFOUND when none).
krb5_error_code keytab_service_for_realm(krb5_context ctx, krb5_keytab kt, std::string_view realm,
                                         principal_ptr& out) {
    krb5_kt_cursor cursor{};
    if (const krb5_error_code rc = krb5_kt_start_seq_get(ctx, kt, &cursor); rc != 0) return rc;
    krb5_keytab_entry e{};
    bool found = false, found_host = false;
    krb5_error_code rc = 0;
    while ((rc = krb5_kt_next_entry(ctx, kt, &e, &cursor)) == 0) {
        const krb5_principal p = e.principal;
        const std::string_view r(p->realm.data, p->realm.length);
        const bool is_host = p->length == 2 && std::string_view(p->data[0].data, p->data[0].length) == "host";
        if (r == realm && (!found || (is_host && !found_host))) {
            if (krb5_copy_principal(ctx, p, out.out()) == 0) {
                found = true;
                found_host = is_host;
            }
        }
        krb5_free_keytab_entry_contents(ctx, &e);
    }
    krb5_kt_end_seq_get(ctx, kt, &cursor);
    if (rc != KRB5_KT_END) return rc;
    return found ? 0 : KRB5_KT_NOTFOUND;
}

}  // namespace

struct password_verifier::impl {
    identity_config cfg;
    std::unique_ptr<detail::profile_overlay> profile;
    std::string keytab;  // "FILE:..." or "" for the library default

    [[nodiscard]] context_ptr context() const { return context_ptr(profile->make_context()); }
};

password_verifier::password_verifier(const identity_config& cfg, attempt_throttle::clock_fn clock)
    : impl_(std::make_unique<impl>()), throttle_(cfg.throttle, std::move(clock)) {
    impl_->cfg = cfg;
    impl_->keytab = detail::keytab_name(cfg.keytab.string());
    std::map<std::vector<std::string>, std::vector<std::string>> overrides;
    for (const auto& [realm, kdcs] : cfg.kdcs) overrides[{"realms", realm, "kdc"}] = kdcs;
    const std::string where = cfg.file.string() + ": [identity] ";
    try {
        impl_->profile = std::make_unique<detail::profile_overlay>(base_config_files(cfg), std::move(overrides));
        auto ctx = impl_->context();
        principal_ptr svc(ctx.get());
        if (!cfg.service_principal.empty() && cfg.service_principal.find('@') != std::string::npos) {
            if (const auto rc = krb5_parse_name(ctx.get(), cfg.service_principal.c_str(), svc.out()); rc != 0)
                throw config_error(where + "service_principal '" + cfg.service_principal +
                                   "': " + krb5_message(ctx.get(), rc));
        }
        if (auto why = detail::check_keytab(ctx.get(), cfg.keytab.string(), svc.get()); !why.empty())
            throw config_error(where + "keytab: " + why);
    } catch (const config_error&) {
        throw;
    } catch (const std::exception& e) {
        throw config_error(where + "krb5_conf: " + e.what());
    }
}

password_verifier::~password_verifier() = default;

outcome password_verifier::verify(std::string_view user, const credstore::secret_bytes& password,
                                  std::string_view source) {
    const auto& cfg = impl_->cfg;
    std::string why;
    const auto p = credstore::principal::parse(user, cfg.realms, &why);
    if (!p) {
        throttle_.failed("", source);
        return outcome::failure(errc::bad_name, why);
    }
    const std::string who = p->display(cfg.realms);
    if (!cfg.serves_realm(p->realm())) {
        throttle_.failed("", source);
        return outcome::failure(errc::unknown_realm,
                                "the realm " + p->realm() + " of " + who +
                                    " is not one of the gateway's realms (" + join(cfg.known_realms) +
                                    "); map its domain in [identity.domains]");
    }
    // Held until this function returns, after failed()/succeeded(): concurrent guesses count.
    auto admitted = throttle_.begin(p->key(), source);
    if (const auto& d = admitted.verdict; !d.allowed) {
        const std::string whose = d.limited_by == attempt_throttle::decision::by::user
                                      ? "for " + who
                                      : "from " + std::string(source);
        auto o = outcome::failure(
            errc::throttled,
            d.under_way ? "too many sign-ons " + whose + " under way at once (each counts as a possible failure); "
                              "the next attempt is allowed in " + std::to_string(d.retry_after.count()) + " s"
                        : "too many failed sign-ons " + whose + " within " +
                              std::to_string(throttle_.limits().window.count()) +
                              " s; the next attempt is allowed in " + std::to_string(d.retry_after.count()) + " s");
        o.refused.retry_after = d.retry_after;
        return o;
    }
    const auto text = password.reveal();
    if (text.empty() || text.size() > 1024 || text.find('\0') != std::string_view::npos)
        return outcome::failure(errc::invalid_password_input,
                                "the password given for " + who +
                                    (text.empty() ? " is empty" : " is longer than 1024 bytes or holds a NUL byte") +
                                    "; it was not sent to the KDC");

    context_ptr ctx;
    try {
        ctx = impl_->context();
    } catch (const std::exception& e) {
        return outcome::failure(errc::kerberos_error, e.what());
    }
    krb5_context c = ctx.get();
    principal_ptr client(c);
    const std::string& realm = p->realm();
    const std::string& name = p->name();
    if (const auto rc = krb5_build_principal_ext(c, client.out(), static_cast<unsigned>(realm.size()),
                                                 realm.data(), static_cast<unsigned>(name.size()),
                                                 name.data(), 0);
        rc != 0)
        return outcome::failure(errc::kerberos_error, "cannot build a principal for " + who + ": " + krb5_message(c, rc));

    // ---- AS exchange: is the password right?
    creds_guard creds(c);
    expiry_seen expiry;
    krb5_error_code rc = 0;
    {
        init_creds_opt opt(c);
        krb5_get_init_creds_opt_set_tkt_life(opt.get(), 300);
        krb5_get_init_creds_opt_set_forwardable(opt.get(), 0);
        krb5_get_init_creds_opt_set_proxiable(opt.get(), 0);
        krb5_get_init_creds_opt_set_change_password_prompt(opt.get(), 0);
        krb5_get_init_creds_opt_set_canonicalize(opt.get(), 1);
        (void)krb5_get_init_creds_opt_set_expire_callback(c, opt.get(), on_expiry, &expiry);
        // the library needs a C string: a locked, zeroed-on-release copy with its NUL
        credstore::secret_bytes pw(text.size() + 1);
        std::memcpy(pw.data(), text.data(), text.size());
        rc = krb5_get_init_creds_password(c, creds.get(), client.get(),
                                          reinterpret_cast<const char*>(pw.data()), nullptr, nullptr,
                                          0, nullptr, opt.get());
    }
    if (rc != 0) {
        const errc e = classify_kdc_error(rc);
        const std::string detail = krb5_message(c, rc);
        std::string msg;
        switch (e) {
            case errc::wrong_password: msg = "wrong password for " + who; break;
            case errc::password_expired:
                msg = "the Windows password of " + who + " has expired: it must be changed on Windows before signing on";
                break;
            case errc::account_disabled:
                msg = "the account " + who + " is disabled or locked out (KDC: " + detail + ")";
                break;
            case errc::account_expired: msg = "the account " + who + " has expired (KDC: " + detail + ")"; break;
            case errc::unknown_user: msg = "no such user: the KDC of " + realm + " does not know " + who; break;
            case errc::kdc_unreachable:
                msg = "no KDC of " + realm + " could be reached to check " + who + " (" + detail + ")";
                break;
            case errc::clock_skew:
                msg = "this host's clock and the KDC's differ too much to check " + who + " (" + detail + ")";
                break;
            default: msg = "Kerberos refused " + who + ": " + detail; break;
        }
        // Everything the KDC refused may have been a guess. An expired password too: MIT's KDC
        // reports the expiry before it checks the password (AD checks the password first).
        if (e == errc::wrong_password || e == errc::unknown_user || e == errc::account_disabled ||
            e == errc::account_expired || e == errc::password_expired)
            throttle_.failed(p->key(), source);
        return outcome::failure(e, msg);
    }
    creds.filled();

    // ---- the KDC itself: its ticket must verify with our own key
    keytab_ptr kt(c);
    rc = impl_->keytab.empty() ? krb5_kt_default(c, kt.out()) : krb5_kt_resolve(c, impl_->keytab.c_str(), kt.out());
    if (rc != 0)
        return outcome::failure(errc::keytab_error, "cannot open the keytab to verify " + who + ": " + krb5_message(c, rc));
    principal_ptr server(c);
    if (!cfg.service_principal.empty()) {
        rc = krb5_parse_name_flags(c, cfg.service_principal.c_str(),
                                   cfg.service_principal.find('@') == std::string::npos
                                       ? KRB5_PRINCIPAL_PARSE_NO_REALM
                                       : 0,
                                   server.out());
        if (rc == 0 && cfg.service_principal.find('@') == std::string::npos)
            rc = krb5_set_principal_realm(c, server.get(), realm.c_str());
    } else {
        rc = keytab_service_for_realm(c, kt.get(), realm, server);
    }
    if (rc != 0)
        return outcome::failure(errc::keytab_error, "the gateway has no service key of realm " + realm +
                                                        " to verify " + who + "'s ticket with: " + krb5_message(c, rc));
    krb5_verify_init_creds_opt vopt;
    krb5_verify_init_creds_opt_init(&vopt);
    krb5_verify_init_creds_opt_set_ap_req_nofail(&vopt, 1);
    rc = krb5_verify_init_creds(c, creds.get(), server.get(), kt.get(), nullptr, &vopt);
    if (rc != 0) {
        const errc e = classify_verify_error(rc);
        const std::string svc = unparse(c, server.get());
        const std::string detail = krb5_message(c, rc);
        std::string msg;
        switch (e) {
            case errc::keytab_error:
                msg = "cannot verify " + who + "'s ticket: the keytab has no usable key for " + svc + " (" + detail + ")";
                break;
            case errc::kdc_unreachable:
                msg = "the KDC of " + realm + " stopped answering while verifying " + who + " (" + detail + ")";
                break;
            case errc::clock_skew: msg = "clock skew while verifying " + who + " (" + detail + ")"; break;
            default:
                msg = "the KDC accepted the password of " + who + ", but its ticket for " + svc +
                      " did not verify with the gateway's key: the KDC may be spoofed or the keytab "
                      "is stale (" + detail + ")";
                break;
        }
        return outcome::failure(e, msg);
    }

    // ---- who the KDC says it is (canonicalised: AD may fix the case of the name)
    const krb5_principal got = creds.get()->client;
    if (got == nullptr || got->length != 1)
        return outcome::failure(errc::not_a_user, "the KDC answered for " + unparse(c, got) + ", not a user");
    const std::string got_text = std::string(got->data[0].data, got->data[0].length) + "@" +
                                 std::string(got->realm.data, got->realm.length);
    auto normal = credstore::principal::parse(got_text, cfg.realms, &why);
    if (!normal) return outcome::failure(errc::not_a_user, "the KDC's name for " + who + " is not usable: " + why);
    throttle_.succeeded(p->key());
    if (normal->key() != p->key()) throttle_.succeeded(normal->key());

    verified_identity id{*normal, got_text, std::nullopt, {}, auth_method::password, expiry.password};
    return outcome::success(std::move(id));
}

}  // namespace ssogate::identity
