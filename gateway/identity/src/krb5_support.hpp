#pragma once
// Internal: small owners for MIT krb5 / GSSAPI handles, and the Kerberos profile the password
// path runs on (krb5.conf plus the [identity.kdc] overrides, without writing any file).
// com_err's header has no extern "C" of its own: include it first, with C linkage, so that
// krb5.h's own include of it is a no-op.
extern "C" {
#include <et/com_err.h>
}
#include <gssapi/gssapi.h>
#include <krb5/krb5.h>
#include <profile.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace ssogate::identity::detail {

/// The Kerberos library's own message for a code ("Password incorrect", ...), or "".
std::string krb5_message(krb5_context ctx, krb5_error_code code);

/// gss_display_status for both the major and the minor code, joined with "; ".
std::string gss_message(OM_uint32 major, OM_uint32 minor, gss_OID mech);

struct overlay_data;

/// A profile made of the configuration files plus overrides of single relations. Shared by
/// every krb5_context made from it (MIT copies a profile per context; copies share the data).
class profile_overlay {
public:
    /// `files`: a colon-separated list as in KRB5_CONFIG; missing files are skipped.
    /// Throws std::runtime_error when a present file cannot be parsed.
    profile_overlay(const std::string& files,
                    std::map<std::vector<std::string>, std::vector<std::string>> overrides);
    ~profile_overlay();
    profile_overlay(const profile_overlay&) = delete;
    profile_overlay& operator=(const profile_overlay&) = delete;

    /// A new context on this profile; throws std::runtime_error.
    [[nodiscard]] krb5_context make_context() const;

private:
    profile_t profile_ = nullptr;  // a vtable profile over an overlay_data (reference counted)
};

struct context_deleter {
    void operator()(krb5_context c) const noexcept { krb5_free_context(c); }
};
using context_ptr = std::unique_ptr<std::remove_pointer_t<krb5_context>, context_deleter>;

/// Owns a principal of a context.
class principal_ptr {
public:
    principal_ptr(krb5_context ctx, krb5_principal p = nullptr) noexcept : ctx_(ctx), p_(p) {}
    ~principal_ptr() { reset(); }
    principal_ptr(const principal_ptr&) = delete;
    principal_ptr& operator=(const principal_ptr&) = delete;
    void reset() noexcept {
        if (p_ != nullptr) krb5_free_principal(ctx_, p_);
        p_ = nullptr;
    }
    krb5_principal* out() noexcept {
        reset();
        return &p_;
    }
    [[nodiscard]] krb5_principal get() const noexcept { return p_; }

private:
    krb5_context ctx_;
    krb5_principal p_;
};

class keytab_ptr {
public:
    explicit keytab_ptr(krb5_context ctx) noexcept : ctx_(ctx) {}
    ~keytab_ptr() {
        if (kt_ != nullptr) krb5_kt_close(ctx_, kt_);
    }
    keytab_ptr(const keytab_ptr&) = delete;
    keytab_ptr& operator=(const keytab_ptr&) = delete;
    krb5_keytab* out() noexcept { return &kt_; }
    [[nodiscard]] krb5_keytab get() const noexcept { return kt_; }

private:
    krb5_context ctx_;
    krb5_keytab kt_ = nullptr;
};

/// "FILE:/path" for a keytab path; "" stays "" (the library default).
std::string keytab_name(const std::string& path);

/// Does the keytab open and hold at least one key (of `service`, when not null)? "" when yes,
/// else a one-line reason. Used at start-up.
std::string check_keytab(krb5_context ctx, const std::string& keytab_path, krb5_principal service);

}  // namespace ssogate::identity::detail
