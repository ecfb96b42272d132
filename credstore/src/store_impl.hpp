#pragma once
// Internal to credstore: the SOCI session and helpers shared by the store's source files.
#include <ssogate/credstore/codec.hpp>
#include <ssogate/credstore/store.hpp>

#include <soci/soci.h>

#include <map>
#include <set>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace ssogate::credstore {

struct store::impl {
    store_options opt;
    soci::session sql;
    bool pg = false;
    const keyring* ring = nullptr;
    std::string fingerprint;  // of the attached keyring

    std::int64_t now_ms() const;
    const keyring& need_ring() const;

    // ---- transactions: BEGIN IMMEDIATE on SQLite so writers queue on the busy timeout
    class write_tx {
    public:
        explicit write_tx(impl& s);
        ~write_tx();
        void commit();
        write_tx(const write_tx&) = delete;
        write_tx& operator=(const write_tx&) = delete;

    private:
        impl& s_;
        bool done_ = false;
    };

    // ---- MACs over protected rows (HMAC-SHA-256, key derived from keyring version kv)
    std::string mac_hex(std::uint32_t kv, std::span<const std::byte> data) const;
    bool mac_ok(long long kv, std::span<const std::byte> data, const std::string& mac) const;

    // ---- audit, inside the caller's transaction
    void append_audit(std::string_view action, std::string_view target, std::string_view outcome,
                      std::string_view detail);
    /// Report a row that failed its integrity check: logged to the audit chain in its own
    /// transaction (best effort: the caller fails closed anyway).
    void audit_integrity(std::string_view what, std::string_view target) noexcept;

    // ---- names
    principal parse_principal(std::string_view text) const;
    static std::string app_key(std::string_view name);

    // ---- rows as read: the columns of one application / mapping / credential
    struct app_cols {
        long long id = 0, created = 0, updated = 0, mac_kv = 0;
        int enabled = 0;
        std::string name, kind, description, contact, fields, groups, host, signon, mac;
    };
    struct map_cols {
        long long id = 0, created = 0, updated = 0, mac_kv = 0;
        int enabled = 0;
        std::string principal, kind, sid, host_user, mac;
    };
    struct cred_cols {
        long long kv = 0, updated = 0, mac_kv = 0;
        std::string state, fields, mac;
    };
    /// Prepared once per connection, executed with the bound members: the hot path.
    struct prepared;
    std::unique_ptr<prepared> q;
    prepared& queries();
    /// Verified application rows by the exact bytes their MAC covers: the same bytes verify the
    /// same way, so a re-read of an unchanged row skips the HMAC and the JSON parse.
    struct app_memo {
        std::vector<std::byte> input;
        std::string mac;
        long long mac_kv = 0;
        application app;
    };
    std::map<std::string, app_memo> app_memos;
    /// Integrity failures already audited by this connection (one record per row and kind).
    std::set<std::string> integrity_reported;

    std::optional<application> find_app(std::string_view name);
    /// Verify (or recall) the application in `c`, looked up by `wanted_key`. The reference
    /// stays valid until the next call for the same key.
    const application& app_from(const app_cols& c, std::string_view wanted_key);
    application require_app(std::string_view name);  // not found -> error(app_not_found)
    std::vector<std::byte> app_mac_input(const app_cols& c) const;
    /// Recompute and store the row's MAC inside a transaction; with `enabled`, set that flag
    /// too, after checking the row verifies as stored (error(integrity_failure) if not).
    void write_app_mac(std::int64_t id, std::optional<bool> enabled = std::nullopt,
                       bool verify = false);
    /// Rows a rotation found tampered or undecryptable ("app:ID", "map:ID", "cfg:APP:FIELD").
    std::set<std::string> rotation_skipped;

    std::optional<mapping> find_mapping(std::int64_t app_id, const std::string& principal_key);
    mapping mapping_from(std::int64_t app_id, const std::string& principal_key, const map_cols& m,
                         const cred_cols* c);
    std::vector<std::byte> mapping_mac_input(const mapping& m) const;
    std::vector<std::byte> credential_mac_input(std::int64_t mapping_id, std::string_view state,
                                                long long kv, long long updated_at,
                                                std::string_view fields) const;
    std::vector<std::byte> credential_aad(std::int64_t app_id, const mapping& m,
                                          std::size_t field_index, std::string_view field_name,
                                          std::uint32_t kv) const;
    std::vector<std::byte> config_aad(std::int64_t app_id, std::string_view app_key,
                                      std::string_view field, std::uint32_t kv) const;

    [[noreturn]] void rethrow_db(const std::exception& e, std::string_view what) const;
    impl();
    ~impl();
};

// The credential fields column: the base64 ciphertexts of the secret fields, comma-separated.
std::string join_fields(const std::vector<std::string>& b64);
std::vector<std::string_view> split_fields(std::string_view text);

}  // namespace ssogate::credstore
