#pragma once
// What the store holds, as plain values. Rows whose MAC does not verify come back with
// `intact == false` and must be treated as disabled.
#include <ssogate/credstore/secret_bytes.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

namespace ssogate::credstore {

enum class app_kind { individual, group, config };
std::string_view to_string(app_kind k) noexcept;
std::optional<app_kind> parse_app_kind(std::string_view s) noexcept;

enum class cred_state { valid, needs_update, expired };
std::string_view to_string(cred_state s) noexcept;
std::optional<cred_state> parse_cred_state(std::string_view s) noexcept;

/// A credential field. For individual and group applications field 0 is the host user id
/// (named "user", never masked, kept in the mapping); the others are the secret fields.
struct field_def {
    std::string name;
    bool masked = false;
};

/// A Windows group of a group application, in the order that decides which mapping wins.
struct group_ref {
    std::string key;      // normalised principal key
    std::string display;  // as the admin wrote it, normalised (CORP\Payroll)
};

struct application {
    std::int64_t id = 0;
    std::string name;
    app_kind kind = app_kind::individual;
    std::string description;
    std::string contact;
    bool enabled = true;
    std::vector<field_def> fields;
    std::vector<group_ref> groups;
    std::string host_endpoint;  // filled by the gateway issues (tn3270://...)
    std::string signon;         // sign-on settings (JSON), ditto
    std::int64_t created_at = 0;
    std::int64_t updated_at = 0;
    bool intact = true;
};

struct app_spec {
    std::string name;
    app_kind kind = app_kind::individual;
    std::string description;
    std::string contact;
    std::vector<field_def> fields;   // secret/config fields (without the user id field)
    std::vector<std::string> groups; // principals, in order (group applications)
};

struct credential_info {
    cred_state state = cred_state::valid;
    std::uint32_t key_version = 0;
    std::int64_t updated_at = 0;
    bool intact = true;
};

struct mapping {
    std::int64_t id = 0;
    std::int64_t app_id = 0;
    std::string principal_key;
    std::string principal;       // display form
    std::string principal_kind;  // "user" or "group"
    std::string sid;
    std::string host_user;
    bool enabled = true;
    std::int64_t created_at = 0;
    std::int64_t updated_at = 0;
    bool intact = true;
    std::optional<credential_info> credential;
};

struct resolved_field {
    field_def def;
    secret_bytes value;
};

/// The outcome of resolving (application, user, groups). `ec` is errc::ok on success, else
/// one of app_not_found, app_disabled, wrong_kind, no_mapping, mapping_disabled,
/// credential_missing, credential_needs_update, credential_expired, integrity_failure,
/// decrypt_failed, unknown_key_version; `message` explains it for an operator.
struct resolution {
    std::error_code ec;
    std::string message;
    std::string application;
    std::string principal;  // the mapping's principal (the user, or the group that matched)
    bool via_group = false;
    std::string host_user;
    std::vector<resolved_field> fields;  // the secret fields, in field order (user id excluded)
    std::int64_t mapping_id = 0;
    [[nodiscard]] bool ok() const noexcept { return !ec; }
};

struct audit_record {
    std::int64_t id = 0;
    std::string writer;
    std::int64_t seq = 0;
    std::int64_t at = 0;  // unix milliseconds
    std::string actor;
    std::string action;
    std::string target;
    std::string outcome;
    std::string detail;
};

struct audit_report {
    std::size_t records = 0;
    std::size_t writers = 0;
    std::vector<std::string> problems;  // empty: every chain verifies
    [[nodiscard]] bool ok() const noexcept { return problems.empty(); }
};

/// What a running gateway last said it holds: its id, sealed or unsealed, the keyring's
/// fingerprint and the key versions (comma-separated), when it started and was last seen.
struct heartbeat {
    std::string gateway_id;
    std::string state;  // "sealed" | "unsealed"
    std::string fingerprint;
    std::string key_versions;
    std::int64_t started_at = 0;
    std::int64_t seen_at = 0;
};

struct sealed_keyring_row {
    std::vector<std::byte> sealed;
    std::string fingerprint;
    std::int64_t created_at = 0;
    std::int64_t updated_at = 0;
};

}  // namespace ssogate::credstore
