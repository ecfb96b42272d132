#include <ssogate/identity/negotiate_acceptor.hpp>
#include <ssogate/identity/negotiate_header.hpp>

#include "krb5_support.hpp"
#include "ticket_pac.hpp"

#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>

#include <cstdlib>
#include <stdexcept>

namespace ssogate::identity {

errc classify_accept_error(std::uint32_t major, std::int32_t minor) noexcept {
    if (minor == KRB5KRB_AP_ERR_REPEAT || (major & GSS_S_DUPLICATE_TOKEN) != 0)
        return errc::replayed_token;
    if (minor == KRB5KRB_AP_ERR_SKEW) return errc::clock_skew;
    if (GSS_ROUTINE_ERROR(major) == GSS_S_BAD_MECH) return errc::unsupported_mechanism;
    return errc::token_rejected;
}

namespace {

// RFC 4178 section 3: 1.3.6.1.5.5.2
gss_OID_desc spnego_oid = {6, const_cast<char*>("\x2b\x06\x01\x05\x05\x02")};

class name_guard {
public:
    name_guard() = default;
    ~name_guard() {
        OM_uint32 minor = 0;
        if (name_ != GSS_C_NO_NAME) gss_release_name(&minor, &name_);
    }
    name_guard(const name_guard&) = delete;
    name_guard& operator=(const name_guard&) = delete;
    gss_name_t* out() noexcept { return &name_; }
    [[nodiscard]] gss_name_t get() const noexcept { return name_; }

private:
    gss_name_t name_ = GSS_C_NO_NAME;
};

class context_guard {
public:
    context_guard() = default;
    ~context_guard() {
        OM_uint32 minor = 0;
        if (ctx_ != GSS_C_NO_CONTEXT) gss_delete_sec_context(&minor, &ctx_, GSS_C_NO_BUFFER);
    }
    context_guard(const context_guard&) = delete;
    context_guard& operator=(const context_guard&) = delete;
    gss_ctx_id_t* out() noexcept { return &ctx_; }
    [[nodiscard]] gss_ctx_id_t get() const noexcept { return ctx_; }

private:
    gss_ctx_id_t ctx_ = GSS_C_NO_CONTEXT;
};

// MIT's mechglue hands out minor codes renumbered per mechanism (so that gss_display_status can
// find their text), not the krb5 codes themselves. The few krb5 codes that choose an outcome are
// recognised by their text, which gss_display_status and the krb5 error table share.
std::int32_t krb5_minor(OM_uint32 minor) {
    if (minor == 0) return 0;
    OM_uint32 ctx = 0, min = 0;
    gss_buffer_desc text = GSS_C_EMPTY_BUFFER;
    if (gss_display_status(&min, minor, GSS_C_MECH_CODE, GSS_C_NO_OID, &ctx, &text) != GSS_S_COMPLETE) return 0;
    const std::string shown(static_cast<const char*>(text.value), text.length);
    gss_release_buffer(&min, &text);
    static constexpr std::int32_t codes[] = {KRB5KRB_AP_ERR_REPEAT, KRB5KRB_AP_ERR_SKEW};
    for (const std::int32_t code : codes) {
        const std::string known = error_message(code);
        if (!known.empty() && shown.rfind(known, 0) == 0) return code;
    }
    return static_cast<std::int32_t>(minor);
}

std::string take_buffer(gss_buffer_desc& b) {
    std::string out;
    if (b.length > 0 && b.value != nullptr) out.assign(static_cast<const char*>(b.value), b.length);
    OM_uint32 minor = 0;
    gss_release_buffer(&minor, &b);
    return out;
}

}  // namespace

struct negotiate_acceptor::impl {
    identity_config cfg;
    gss_cred_id_t cred = GSS_C_NO_CREDENTIAL;
    pac_group_namer namer;
    std::chrono::seconds pac_window{0};

    ~impl() {
        OM_uint32 minor = 0;
        if (cred != GSS_C_NO_CREDENTIAL) gss_release_cred(&minor, &cred);
    }
};

negotiate_acceptor::negotiate_acceptor(const identity_config& cfg) : impl_(std::make_unique<impl>()) {
    impl_->cfg = cfg;
    const std::string where = cfg.file.string() + ": [identity] ";

    // A clear message first for the usual mistakes (no keytab, empty keytab, wrong principal).
    {
        krb5_context raw = nullptr;
        if (krb5_init_context(&raw) != 0) throw config_error(where + "cannot start the Kerberos library");
        detail::context_ptr ctx(raw);
        detail::principal_ptr svc(raw);
        if (!cfg.service_principal.empty() &&
            krb5_parse_name(raw, cfg.service_principal.c_str(), svc.out()) != 0)
            throw config_error(where + "service_principal '" + cfg.service_principal + "' is not a principal name");
        if (auto why = detail::check_keytab(raw, cfg.keytab.string(), svc.get()); !why.empty())
            throw config_error(where + "keytab: " + why);
    }

    const std::string keytab = detail::keytab_name(cfg.keytab.string());
    const std::string rcache = cfg.replay_cache.empty() ? std::string() : "file2:" + cfg.replay_cache.string();
    gss_key_value_element_desc elements[2];
    OM_uint32 count = 0;
    if (!keytab.empty()) elements[count++] = {"keytab", keytab.c_str()};
    if (!rcache.empty()) elements[count++] = {"rcache", rcache.c_str()};
    gss_key_value_set_desc store{count, elements};

    OM_uint32 minor = 0;
    name_guard desired;
    if (!cfg.service_principal.empty()) {
        gss_buffer_desc text{cfg.service_principal.size(), const_cast<char*>(cfg.service_principal.data())};
        const OM_uint32 major = gss_import_name(&minor, &text, GSS_KRB5_NT_PRINCIPAL_NAME, desired.out());
        if (GSS_ERROR(major) != 0)
            throw config_error(where + "service_principal: " + detail::gss_message(major, minor, GSS_C_NO_OID));
    }
    gss_OID_desc mechs_list[2] = {spnego_oid, *gss_mech_krb5};
    gss_OID_set_desc mechs{2, mechs_list};
    OM_uint32 major = gss_acquire_cred_from(&minor, desired.get(), GSS_C_INDEFINITE, &mechs, GSS_C_ACCEPT,
                                            &store, &impl_->cred, nullptr, nullptr);
    if (GSS_ERROR(major) != 0)
        throw config_error(where + "cannot use the keytab for Negotiate: " +
                           detail::gss_message(major, minor, GSS_C_NO_OID));
    // SPNEGO negotiates Kerberos only, whatever other mechanisms are installed (no NTLM).
    gss_OID_set_desc krb5_only{1, gss_mech_krb5};
    major = gss_set_neg_mechs(&minor, impl_->cred, &krb5_only);
    if (GSS_ERROR(major) != 0)
        throw config_error(where + "cannot restrict SPNEGO to Kerberos: " +
                           detail::gss_message(major, minor, GSS_C_NO_OID));
}

negotiate_acceptor::~negotiate_acceptor() = default;

void negotiate_acceptor::use_pac_groups(pac_group_namer namer, std::chrono::seconds trust_window) {
    impl_->namer = std::move(namer);
    impl_->pac_window = trust_window;
}

outcome negotiate_acceptor::accept(std::string_view authorization) const {
    auto header = parse_negotiate_header(authorization);
    if (!header) return outcome::failure(static_cast<errc>(header.error.value()), header.why);
    if (classify_token(header.token) == token_kind::spnego_resp)
        return outcome::failure(errc::token_rejected,
                                "a follow-up SPNEGO token arrived without a first round (this gateway "
                                "completes Negotiate in one round trip)");

    context_guard ctx;
    gss_buffer_desc in{header.token.size(), header.token.data()};
    gss_buffer_desc out = GSS_C_EMPTY_BUFFER;
    name_guard client;
    gss_OID mech = GSS_C_NO_OID;
    OM_uint32 minor = 0, flags = 0;
    const OM_uint32 major = gss_accept_sec_context(&minor, ctx.out(), impl_->cred, &in,
                                                   GSS_C_NO_CHANNEL_BINDINGS, client.out(), &mech,
                                                   &out, &flags, nullptr, nullptr);
    const std::string reply_bytes = take_buffer(out);
    const std::string reply = base64_encode(
        {reinterpret_cast<const std::uint8_t*>(reply_bytes.data()), reply_bytes.size()});

    auto refuse = [&](errc e, std::string message) {
        auto o = outcome::failure(e, std::move(message));
        o.negotiate_reply = reply;
        return o;
    };
    if (GSS_ERROR(major) != 0) {
        const errc e = classify_accept_error(major, krb5_minor(minor));
        const std::string detail = detail::gss_message(major, minor, gss_mech_krb5);
        switch (e) {
            case errc::replayed_token:
                return refuse(e, "replayed Negotiate token: this authenticator was accepted before (" + detail + ")");
            case errc::clock_skew:
                return refuse(e, "the client's clock and this host's differ too much (" + detail + ")");
            case errc::unsupported_mechanism:
                return refuse(e, "the Negotiate token is for a mechanism other than Kerberos (" + detail + ")");
            default: return refuse(e, "the Negotiate token was rejected: " + detail);
        }
    }
    if ((major & GSS_S_CONTINUE_NEEDED) != 0)
        return refuse(errc::continue_needed,
                      "SPNEGO asked for another round trip (the client proposed another mechanism "
                      "first); this gateway accepts Kerberos in one round");
    if ((flags & GSS_C_ANON_FLAG) != 0) return refuse(errc::not_a_user, "anonymous Kerberos is not accepted");

    gss_buffer_desc shown = GSS_C_EMPTY_BUFFER;
    OM_uint32 m2 = 0;
    if (GSS_ERROR(gss_display_name(&m2, client.get(), &shown, nullptr)) != 0)
        return refuse(errc::kerberos_error, "cannot read the client's name from the Kerberos ticket");
    const std::string name = take_buffer(shown);
    std::string why;
    auto p = credstore::principal::parse(name, impl_->cfg.realms, &why);
    if (!p || name.find('@') == std::string::npos)
        return refuse(errc::not_a_user, "the ticket's client " + name.substr(0, 300) + " is not a user principal" +
                                            (why.empty() ? "" : ": " + why));
    if (!impl_->cfg.serves_realm(p->realm()))
        return refuse(errc::unknown_realm, "the ticket's client " + name + " is of a realm the gateway does not serve (" +
                                               p->realm() + "); map its domain in [identity.domains]");
    verified_identity id{*p, name, std::nullopt, {}, auth_method::negotiate, std::nullopt};

    // [MS-PAC] 2.5: what the KDC knew about the account when it issued the ticket.
    const auto pac = detail::read_ticket_pac(ctx.get(), client.get());
    if (!pac.error.empty())
        return refuse(errc::token_rejected, "the ticket of " + name + " holds a PAC that does not decode: " + pac.error);
    if (pac.info) {
        constexpr std::uint32_t user_account_disabled = 0x1, user_account_auto_locked = 0x400;  // [MS-SAMR] 2.2.1.12
        if ((pac.info->user_account_control & (user_account_disabled | user_account_auto_locked)) != 0)
            return refuse(errc::account_disabled, "the ticket's PAC says the account " + name + " is disabled or locked");
        id.sid = pac.info->user_sid;
        // A window of 0 (cache_seconds = 0) trusts no PAC: a logon stamped "now" or later would pass "<= 0".
        const bool fresh = impl_->pac_window.count() > 0 && pac.authtime &&
                           std::chrono::system_clock::now() - *pac.authtime <= impl_->pac_window;
        if (impl_->namer && fresh)
            if (auto named = impl_->namer(id.principal, pac.info->group_sids)) {
                id.groups = std::move(*named);
                id.groups_from = groups_status::pac;
            }
    }
    auto o = outcome::success(std::move(id));
    o.negotiate_reply = reply;
    return o;
}

}  // namespace ssogate::identity
