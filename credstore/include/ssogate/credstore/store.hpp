#pragma once
// The credential store: applications, mappings, encrypted credentials, the config store, the
// sealed keyring and the audit chain, in SQLite or PostgreSQL through SOCI (one code path).
//
// Contract:
//  - Every method throws credstore::error with a one-line message on failure, except
//    resolve(), which reports the expected outcomes as data (resolution::ec).
//  - Methods that write protected rows or read secrets need a keyring attached (attach());
//    without one they throw error(keyring_missing).
//  - Every change is written with its audit record in one transaction: if the record cannot
//    be written (within the busy/lock timeout) the change is rolled back and error(audit_failure)
//    is thrown.
//  - A store object is one database connection: use it from one thread at a time.
#include <ssogate/credstore/backup.hpp>
#include <ssogate/credstore/keyring.hpp>
#include <ssogate/credstore/recovery.hpp>
#include <ssogate/credstore/model.hpp>
#include <ssogate/credstore/principal.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace ssogate::credstore {

struct store_options {
    /// `sqlite:PATH` or `postgresql://...` (a libpq URI).
    std::string url;
    /// Database password when not in the URL (PostgreSQL); never logged.
    std::string password;
    /// Upper bound on waiting for a lock (SQLite busy timeout, PostgreSQL lock_timeout), >= 1.
    int busy_timeout_ms = 5000;
    /// Create the SQLite file when it does not exist (init, demo); otherwise a missing file is
    /// error(store_not_initialised) rather than a new empty database.
    bool create_if_missing = false;
    /// The audit chain this instance appends to, and who it acts as.
    std::string writer_id = "cli";
    std::string actor = "cli";
    realm_map realms;
    /// Clock in unix milliseconds (tests inject one).
    std::function<std::int64_t()> clock;
};

/// libpq key/value connection info from a postgresql:// URL (SOCI 4.0 takes no URLs);
/// `password`, when given, replaces one in the URL. Throws error(invalid_argument).
std::string postgres_conninfo(std::string_view url, std::string_view password = {});

class store {
public:
    static constexpr int latest_schema = 5;

    /// Connect. Does not require a schema (see require_current_schema / migrate).
    static std::unique_ptr<store> open(store_options options);
    ~store();
    store(const store&) = delete;
    store& operator=(const store&) = delete;

    [[nodiscard]] std::string backend() const;  // "sqlite3" or "postgresql"
    [[nodiscard]] const realm_map& realms() const noexcept;

    // ---- schema
    [[nodiscard]] int schema_version();
    /// Apply numbered migrations up to `target` (default: latest). Returns those applied.
    std::vector<int> migrate(int target = latest_schema);
    /// Throws store_not_initialised, schema_too_old or schema_too_new.
    void require_current_schema();

    // ---- keyring
    [[nodiscard]] std::optional<sealed_keyring_row> load_sealed_keyring();
    /// Store the sealed keyring of a new store; error(keyring_exists) if one is there.
    void save_new_keyring(std::span<const std::byte> sealed, const keyring& ring);
    /// Replace the sealed keyring (same fingerprint), e.g. after sealing under a new key.
    void replace_sealed_keyring(std::span<const std::byte> sealed, const keyring& ring);
    /// Use this unsealed keyring; error(keyring_mismatch) if it is not the store's.
    void attach(const keyring& ring);
    /// Encrypted values per key version (credential fields and config values).
    [[nodiscard]] std::vector<std::pair<std::uint32_t, std::int64_t>> values_per_key_version();

    // ---- applications
    application create_app(const app_spec& spec);
    [[nodiscard]] std::vector<application> list_apps();
    [[nodiscard]] application get_app(std::string_view name);
    void set_app_enabled(std::string_view name, bool enabled);
    /// Deletes the application with its mappings, credentials and config values.
    void delete_app(std::string_view name);

    // ---- mappings
    /// In an individual application the principal is a user. In a group application it must
    /// be one of the application's groups, unless `individual` is set: then it is one user's
    /// own mapping, which wins over the groups (resolve()).
    mapping add_mapping(std::string_view app, std::string_view principal,
                        std::string_view host_user, std::string_view sid = {},
                        bool individual = false);
    [[nodiscard]] std::vector<mapping> list_mappings(std::string_view app);
    void set_mapping_enabled(std::string_view app, std::string_view principal, bool enabled);
    void delete_mapping(std::string_view app, std::string_view principal);

    // ---- credentials
    /// Set the secret fields (field order, user id excluded); state becomes valid.
    void set_credential(std::string_view app, std::string_view principal,
                        std::vector<secret_bytes> fields);
    void set_credential_state(std::string_view app, std::string_view principal, cred_state s);
    /// Resolve as the gateway does: user mapping first, then groups in the app's order.
    /// Integrity failures found on the way are audited.
    [[nodiscard]] resolution resolve(std::string_view app, std::string_view user,
                                     std::span<const std::string> groups);
    /// resolve() plus an audit record of who read what; throws on audit failure.
    [[nodiscard]] resolution resolve_audited(std::string_view app, std::string_view user,
                                             std::span<const std::string> groups, bool revealed);

    // ---- config store (config applications)
    void config_set(std::string_view app, std::string_view field, secret_bytes value);
    /// All fields (or one) in field order; unset fields are absent (one asked for and unset:
    /// error(not_found)). Audited (read or denied;
    /// `revealed` says whether masked values will be shown).
    [[nodiscard]] std::vector<resolved_field> config_get(std::string_view app,
                                                         std::optional<std::string_view> field,
                                                         bool revealed = false);
    /// The same without an audit record (for callers that audit themselves).
    [[nodiscard]] std::vector<resolved_field> config_read(std::string_view app,
                                                          std::optional<std::string_view> field);

    // ---- backups and rotation
    /// Remember that a backup was written (what it holds, when); audited.
    void record_backup(const backup_info& info);
    [[nodiscard]] std::optional<backup_info> last_backup();

    struct rotation_step {
        std::size_t applications = 0, mappings = 0, credentials = 0, config_values = 0;
        std::size_t skipped = 0;  // rows that fail their integrity check: left as they are
        bool done = false;        // nothing rotatable is left under an older key version
    };
    /// Every key version some row depends on: ciphertexts and row MACs (needing the key) and
    /// audit records (needing at least the version's audit key), as (version, needs_key).
    [[nodiscard]] std::vector<std::pair<std::uint32_t, bool>> key_versions_in_use();
    /// Values and protected rows still under a key version older than the current one.
    [[nodiscard]] std::size_t rotation_pending();
    /// Move up to `batch` rows of each kind to the current key version, in one transaction:
    /// credentials and config values are decrypted and encrypted again, row MACs recomputed.
    /// A crash leaves each row either wholly old or wholly new; call again until done.
    rotation_step rotate_batch(std::size_t batch);

    // ---- the recovery key (emergency export)
    /// Register (or replace) the offline recovery key's public half; audited.
    void set_recovery_key(const recovery_public_key& key);
    /// The registered key, verified against its MAC; nullopt when none is registered.
    /// error(integrity_failure) when the row was changed outside ssogate.
    [[nodiscard]] std::optional<recovery_public_key> recovery_key();

    // ---- gateways
    /// Record what a gateway holds (replaces its previous heartbeat). Needs no keyring.
    void write_heartbeat(const heartbeat& hb);
    [[nodiscard]] std::vector<heartbeat> heartbeats();

    // ---- audit
    /// Append a record in its own transaction.
    void audit(std::string_view action, std::string_view target, std::string_view outcome,
               std::string_view detail = {});
    [[nodiscard]] std::vector<audit_record> audit_list(std::size_t limit);
    [[nodiscard]] audit_report audit_verify();

    struct impl;

private:
    explicit store(std::unique_ptr<impl> p);
    std::unique_ptr<impl> impl_;
};

}  // namespace ssogate::credstore
