#pragma once
// Internal to credstore: the SOCI session and helpers shared by the store's source files.
#include <ssogate/credstore/codec.hpp>
#include <ssogate/credstore/store.hpp>

#include <soci/soci.h>

#include <string>

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

    // ---- rows
    struct app_row {
        application app;
        std::string fields_json, groups_json;
        long long mac_kv = 0;
        std::string mac;
    };
    std::optional<app_row> find_app(std::string_view name);
    application require_app(std::string_view name);  // not found -> error(app_not_found)
    std::vector<std::byte> app_mac_input(const app_row& r) const;
    void write_app_mac(std::int64_t id);  // recompute and store, inside a tx

    std::optional<mapping> find_mapping(std::int64_t app_id, const std::string& principal_key);
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
};

}  // namespace ssogate::credstore
