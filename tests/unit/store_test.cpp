// The store suite, run on SQLite and on PostgreSQL 15 (started by `make test`; the URL of an
// admin connection comes in SSOGATE_TEST_PG_URL). A missing PostgreSQL fails, never skips.
#include <ssogate/credstore/store.hpp>

#include <gtest/gtest.h>
#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>
#include <soci/sqlite3/soci-sqlite3.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <random>

#include "errc_of.hpp"
#include "temp_dir.hpp"

using namespace ssogate::credstore;
using ssogate::test::code_of;
using ssogate::test::temp_dir;

namespace {

std::vector<secret_bytes> vals(std::initializer_list<std::string_view> l) {
    std::vector<secret_bytes> v;
    for (auto s : l) v.push_back(secret_bytes::copy_of(s));
    return v;
}


errc rc(const resolution& r) { return r.ok() ? errc::ok : static_cast<errc>(r.ec.value()); }

class StoreTest : public ::testing::TestWithParam<std::string> {
protected:
    void SetUp() override {
        if (GetParam() == "sqlite") {
            url_ = "sqlite:" + (dir_ / "store.db").string();
            raw_.open(soci::sqlite3, "db=" + (dir_ / "store.db").string());
        } else {
            const char* admin = std::getenv("SSOGATE_TEST_PG_URL");
            ASSERT_TRUE(admin != nullptr && *admin != '\0')
                << "SSOGATE_TEST_PG_URL is not set: the PostgreSQL suite runs under `make test`, "
                   "which starts a PostgreSQL cluster";
            admin_url_ = admin;
            std::random_device rd;
            db_ = "t_" + std::to_string(rd()) + std::to_string(rd());
            soci::session adm(soci::postgresql, postgres_conninfo(admin_url_));
            adm << "CREATE DATABASE " + db_;
            url_ = admin_url_.substr(0, admin_url_.rfind('/')) + "/" + db_;
            raw_.open(soci::postgresql, postgres_conninfo(url_));
        }
        create_key_file(dir_ / "unseal.key");
        st_ = open();
        st_->migrate();
        st_->save_new_keyring(seal_keyring(ring_, unseal_key::from_key_file(dir_ / "unseal.key")),
                              ring_);
    }

    void TearDown() override {
        st_.reset();
        if (raw_.is_connected()) raw_.close();
        if (!db_.empty()) {
            try {
                soci::session adm(soci::postgresql, postgres_conninfo(admin_url_));
                adm << "DROP DATABASE IF EXISTS " + db_ + " WITH (FORCE)";
            } catch (...) {
            }
        }
    }

    std::unique_ptr<store> open(const std::string& writer = "test", bool attach = false,
                                int busy_timeout_ms = 2000) {
        store_options o;
        o.url = url_;
        o.writer_id = writer;
        o.actor = "tester";
        o.realms.add("CORP", "CORP.EXAMPLE");
        o.busy_timeout_ms = busy_timeout_ms;
        o.create_if_missing = true;
        auto s = store::open(o);
        if (attach) s->attach(ring_);
        return s;
    }

    void sql(const std::string& stmt) { raw_ << stmt; }
    long long scalar(const std::string& q) {
        long long v = 0;
        raw_ << q, soci::into(v);
        return v;
    }
    std::string text(const std::string& q) {
        std::string v;
        raw_ << q, soci::into(v);
        return v;
    }

    /// TSO (individual): alice, bob; PAY (group): G1, G2 in that order, plus a user override.
    void seed() {
        st_->create_app({"TSO", app_kind::individual, "tso", "", {{"password", true}}, {}});
        st_->add_mapping("TSO", "CORP\\alice", "ALICE1");
        st_->add_mapping("TSO", "bob@corp.example", "BOB01");
        st_->set_credential("TSO", "CORP\\alice", vals({"ALICEPW1"}));
        st_->set_credential("TSO", "CORP\\bob", vals({"BOBPW002"}));
        st_->create_app({"PAY", app_kind::group, "", "", {{"password", true}},
                         {"CORP\\G1", "CORP\\G2"}});
        st_->add_mapping("PAY", "CORP\\G1", "PAYG1");
        st_->add_mapping("PAY", "CORP\\G2", "PAYG2");
        st_->set_credential("PAY", "CORP\\G1", vals({"G1PASSWD"}));
        st_->set_credential("PAY", "CORP\\G2", vals({"G2PASSWD"}));
    }

    resolution resolve(std::string_view app, std::string_view user,
                       std::vector<std::string> groups = {}) {
        return st_->resolve(app, user, groups);
    }

    temp_dir dir_;
    std::string url_, admin_url_, db_;
    soci::session raw_;
    keyring ring_ = keyring::generate(1000);
    std::unique_ptr<store> st_;
};

}  // namespace

TEST_P(StoreTest, FreshStoreMigratesToLatestOnce) {
    EXPECT_EQ(st_->schema_version(), store::latest_schema);
    EXPECT_TRUE(st_->migrate().empty());
    EXPECT_NO_THROW(st_->require_current_schema());
}

TEST_P(StoreTest, StoreNewerThanTheBinaryIsRefused) {
    sql("UPDATE schema_version SET version = 99");
    try {
        st_->require_current_schema();
        FAIL();
    } catch (const error& e) {
        EXPECT_EQ(e.code(), make_error_code(errc::schema_too_new));
        EXPECT_NE(std::string(e.what()).find("upgrade ssogate"), std::string::npos);
    }
    EXPECT_EQ(code_of([&] { st_->migrate(); }), errc::schema_too_new);
}

TEST_P(StoreTest, OlderSchemaNeedsExplicitMigrateAndKeepsData) {
    // A second, empty database/schema: build it at version 1 only.
    seed();
    sql("DROP TABLE audit");
    sql("DROP TABLE audit_heads");
    sql("DROP TABLE gateway_heartbeats");
    sql("DROP TABLE keyring_backups");
    sql("DROP TABLE recovery_key");
    sql("UPDATE schema_version SET version = 1");
    auto s = open("test", false);
    EXPECT_EQ(code_of([&] { s->require_current_schema(); }), errc::schema_too_old);
    s->attach(ring_);
    EXPECT_EQ(s->migrate(), (std::vector<int>{2, 3, 4, 5}));
    EXPECT_NO_THROW(s->require_current_schema());
    EXPECT_EQ(s->list_apps().size(), 2u);
    EXPECT_EQ(s->resolve("TSO", "CORP\\alice", {}).fields.at(0).value.reveal(), "ALICEPW1");
    EXPECT_TRUE(s->audit_verify().ok());
}

TEST_P(StoreTest, EmptyDatabaseIsNotInitialised) {
    sql("DROP TABLE schema_version");
    EXPECT_EQ(st_->schema_version(), 0);
    EXPECT_EQ(code_of([&] { st_->require_current_schema(); }), errc::store_not_initialised);
}

TEST_P(StoreTest, KeyringIsStoredSealedAndChecked) {
    auto row = st_->load_sealed_keyring();
    ASSERT_TRUE(row);
    EXPECT_EQ(row->fingerprint, ring_.fingerprint());
    const auto back = unseal_keyring(row->sealed, unseal_key::from_key_file(dir_ / "unseal.key"));
    EXPECT_EQ(back.fingerprint(), ring_.fingerprint());
    EXPECT_EQ(code_of([&] { st_->save_new_keyring(row->sealed, ring_); }), errc::keyring_exists);
    auto other = keyring::generate(5);
    auto s = open();
    EXPECT_EQ(code_of([&] { s->attach(other); }), errc::keyring_mismatch);
    auto s2 = open();
    EXPECT_EQ(code_of([&] { (void)s2->create_app({"X", app_kind::individual, "", "", {}, {}}); }),
              errc::keyring_missing);
}

TEST_P(StoreTest, ApplicationsAreCreatedListedAndUniqueIgnoringCase) {
    seed();
    const auto apps = st_->list_apps();
    ASSERT_EQ(apps.size(), 2u);
    EXPECT_EQ(apps[0].name, "PAY");
    EXPECT_EQ(apps[1].fields.size(), 2u);
    EXPECT_EQ(apps[1].fields[0].name, "user");
    EXPECT_FALSE(apps[1].fields[0].masked);
    EXPECT_TRUE(apps[1].fields[1].masked);
    EXPECT_EQ(apps[0].groups.at(1).display, "CORP\\G2");
    EXPECT_EQ(code_of([&] { (void)st_->create_app({"tso", app_kind::individual, "", "", {}, {}}); }),
              errc::duplicate);
    EXPECT_EQ(code_of([&] { (void)st_->create_app({"bad name", app_kind::individual, "", "", {}, {}}); }),
              errc::invalid_argument);
    EXPECT_EQ(code_of([&] { (void)st_->create_app({"G", app_kind::group, "", "", {}, {}}); }),
              errc::invalid_argument);
    EXPECT_EQ(code_of([&] { (void)st_->get_app("NOPE"); }), errc::app_not_found);
    EXPECT_EQ(code_of([&] { (void)st_->add_mapping("TSO", "CORP\\ALICE", "X"); }), errc::duplicate);
}

TEST_P(StoreTest, CredentialsDecryptOnlyThroughResolution) {
    seed();
    auto r = resolve("tso", "alice@CORP.EXAMPLE");
    ASSERT_TRUE(r.ok()) << r.message;
    EXPECT_EQ(r.host_user, "ALICE1");
    EXPECT_EQ(r.principal, "CORP\\alice");
    EXPECT_FALSE(r.via_group);
    ASSERT_EQ(r.fields.size(), 1u);
    EXPECT_EQ(r.fields[0].def.name, "password");
    EXPECT_EQ(r.fields[0].value.reveal(), "ALICEPW1");
    EXPECT_EQ(code_of([&] { st_->set_credential("TSO", "CORP\\alice", vals({"a", "b"})); }),
              errc::invalid_argument);
}

// The resolution order, as a table: (user, groups) -> host user or error.
TEST_P(StoreTest, ResolutionOrder) {
    seed();
    EXPECT_EQ(code_of([&] { (void)st_->add_mapping("PAY", "CORP\\alice", "X"); }),
              errc::invalid_argument);  // not one of its groups
    st_->add_mapping("PAY", "CORP\\alice", "ALICEPAY", {}, true);  // a user's own mapping
    st_->set_credential("PAY", "CORP\\alice", vals({"ALICEOWN"}));
    st_->add_mapping("PAY", "CORP\\erin", "ERINPAY", {}, true);
    st_->set_credential("PAY", "CORP\\erin", vals({"ERINOWN1"}));
    st_->set_mapping_enabled("PAY", "CORP\\erin", false);

    struct row {
        std::string user;
        std::vector<std::string> groups;
        std::string expect_host;  // empty: expect the error
        errc expect_error;
    };
    const std::vector<row> table = {
        {"CORP\\dave", {"CORP\\G2", "CORP\\G1"}, "PAYG1", errc::ok},   // the app's order wins
        {"CORP\\dave", {"corp\\g2"}, "PAYG2", errc::ok},               // case-insensitive
        {"CORP\\dave", {"g2@CORP.EXAMPLE"}, "PAYG2", errc::ok},        // either spelling
        {"CORP\\alice", {"CORP\\G1"}, "ALICEPAY", errc::ok},           // own mapping wins
        {"CORP\\erin", {"CORP\\G1"}, "", errc::mapping_disabled},      // disabled own: no fall-through
        {"CORP\\frank", {}, "", errc::no_mapping},
        {"CORP\\frank", {"CORP\\G3"}, "", errc::no_mapping},           // not one of the app's groups
    };
    for (const auto& t : table) {
        auto r = resolve("PAY", t.user, t.groups);
        if (t.expect_host.empty()) {
            EXPECT_EQ(rc(r), t.expect_error) << t.user << ": " << r.message;
            EXPECT_TRUE(r.fields.empty());
        } else {
            ASSERT_TRUE(r.ok()) << t.user << ": " << r.message;
            EXPECT_EQ(r.host_user, t.expect_host) << t.user;
        }
    }
    // A disabled group mapping is skipped; only disabled ones -> mapping_disabled.
    st_->set_mapping_enabled("PAY", "CORP\\G1", false);
    EXPECT_EQ(resolve("PAY", "CORP\\dave", {"CORP\\G1", "CORP\\G2"}).host_user, "PAYG2");
    EXPECT_EQ(rc(resolve("PAY", "CORP\\dave", {"CORP\\G1"})), errc::mapping_disabled);
    // Application state and credential state are distinct errors.
    EXPECT_EQ(rc(resolve("NOPE", "CORP\\alice")), errc::app_not_found);
    st_->set_app_enabled("TSO", false);
    EXPECT_EQ(rc(resolve("TSO", "CORP\\alice")), errc::app_disabled);
    st_->set_app_enabled("TSO", true);
    st_->add_mapping("TSO", "CORP\\carol", "CAROL1");
    EXPECT_EQ(rc(resolve("TSO", "CORP\\carol")), errc::credential_missing);
    st_->set_credential_state("TSO", "CORP\\bob", cred_state::needs_update);
    EXPECT_EQ(rc(resolve("TSO", "CORP\\bob")), errc::credential_needs_update);
    st_->set_credential_state("TSO", "CORP\\bob", cred_state::expired);
    EXPECT_EQ(rc(resolve("TSO", "CORP\\bob")), errc::credential_expired);
    st_->set_credential("TSO", "CORP\\bob", vals({"NEWPASS1"}));
    EXPECT_EQ(resolve("TSO", "CORP\\bob").fields.at(0).value.reveal(), "NEWPASS1");
}

TEST_P(StoreTest, TamperedCiphertextIsDetected) {
    seed();
    std::string f = text("SELECT cred_fields FROM mappings WHERE host_user = 'ALICE1'");
    f[5] = f[5] == 'A' ? 'B' : 'A';
    sql("UPDATE mappings SET cred_fields = '" + f + "' WHERE host_user = 'ALICE1'");
    auto r = resolve("TSO", "CORP\\alice");
    EXPECT_FALSE(r.ok());
    EXPECT_TRUE(rc(r) == errc::integrity_failure || rc(r) == errc::decrypt_failed) << r.message;
}

TEST_P(StoreTest, CiphertextCopiedToAnotherRowDoesNotDecrypt) {
    seed();
    // Copy alice's whole credential (ciphertext, MAC and all) onto bob's mapping.
    for (const char* col : {"cred_key_version", "cred_state", "cred_fields", "cred_field_count",
                            "cred_updated_at", "cred_mac_kv", "cred_mac"}) {
        const std::string c = col;
        sql("UPDATE mappings SET " + c + " = (SELECT " + c + " FROM mappings WHERE host_user = "
            "'ALICE1') WHERE host_user = 'BOB01'");
    }
    auto r = resolve("TSO", "CORP\\bob");
    EXPECT_FALSE(r.ok());
    EXPECT_TRUE(rc(r) == errc::integrity_failure || rc(r) == errc::decrypt_failed) << r.message;
    EXPECT_TRUE(resolve("TSO", "CORP\\alice").ok());
}

TEST_P(StoreTest, MappingRepointedInSqlIsDetected) {
    seed();
    // The DBA points alice's mapping (and its credential) at mallory, or at another host account.
    sql("UPDATE mappings SET principal_key = 'mallory@corp.example', principal = 'CORP\\mallory' "
        "WHERE host_user = 'ALICE1'");
    auto r = resolve("TSO", "CORP\\mallory");
    EXPECT_EQ(rc(r), errc::integrity_failure) << r.message;
    EXPECT_TRUE(r.fields.empty());
    sql("UPDATE mappings SET host_user = 'SYSADM' WHERE host_user = 'BOB01'");
    EXPECT_EQ(rc(resolve("TSO", "CORP\\bob")), errc::integrity_failure);
    // listings show the rows as tampered and disabled
    for (const auto& m : st_->list_mappings("TSO")) {
        EXPECT_FALSE(m.intact);
        EXPECT_FALSE(m.enabled);
    }
}

TEST_P(StoreTest, ApplicationsSwappedInSqlAreDetected) {
    seed();
    st_->create_app({"HR", app_kind::individual, "", "", {{"password", true}}, {}});
    st_->add_mapping("HR", "CORP\\alice", "ALICE.HR");
    st_->set_credential("HR", "CORP\\alice", vals({"HRPASSWD"}));
    ASSERT_TRUE(resolve("TSO", "CORP\\alice").ok());  // the verified row is remembered
    // The DBA swaps the lookup keys: asking for TSO would reach HR's row and credential.
    sql("UPDATE applications SET name_key = 'x' WHERE name_key = 'tso'");
    sql("UPDATE applications SET name_key = 'tso' WHERE name_key = 'hr'");
    sql("UPDATE applications SET name_key = 'hr' WHERE name_key = 'x'");
    auto r = resolve("TSO", "CORP\\alice");
    EXPECT_EQ(rc(r), errc::integrity_failure) << r.host_user;
    EXPECT_TRUE(r.fields.empty());
    auto fresh = open("test", true);  // a new process sees the same
    EXPECT_EQ(rc(fresh->resolve("TSO", "CORP\\alice", {})), errc::integrity_failure);
}

TEST_P(StoreTest, TamperedRowsCannotBeBlessedByEnableOrDisable) {
    seed();
    st_->set_mapping_enabled("TSO", "CORP\\alice", false);
    sql("UPDATE mappings SET enabled = 1 WHERE host_user = 'ALICE1'");
    EXPECT_EQ(code_of([&] { st_->set_mapping_enabled("TSO", "CORP\\alice", true); }),
              errc::integrity_failure);
    EXPECT_EQ(rc(resolve("TSO", "CORP\\alice")), errc::integrity_failure);
    sql("UPDATE applications SET fields = '[{\"name\":\"password\",\"masked\":false}]' WHERE name = 'TSO'");
    EXPECT_EQ(code_of([&] { st_->set_app_enabled("TSO", true); }), errc::integrity_failure);
    EXPECT_FALSE(st_->get_app("TSO").intact);
}

TEST_P(StoreTest, StateAndEnabledFlagsFlippedInSqlAreDetectedAndAudited) {
    seed();
    st_->set_credential_state("TSO", "CORP\\bob", cred_state::needs_update);
    sql("UPDATE mappings SET cred_state = 'valid' WHERE host_user = 'BOB01'");
    EXPECT_EQ(rc(resolve("TSO", "CORP\\bob")), errc::integrity_failure);

    st_->set_app_enabled("PAY", false);
    sql("UPDATE applications SET enabled = 1 WHERE name = 'PAY'");
    EXPECT_EQ(rc(resolve("PAY", "CORP\\x", {"CORP\\G1"})), errc::integrity_failure);
    const auto app = st_->get_app("PAY");
    EXPECT_FALSE(app.intact);
    EXPECT_FALSE(app.enabled);

    sql("UPDATE applications SET groups_json = '[{\"key\":\"g2@corp.example\",\"display\":\"x\"}]'"
        " WHERE name = 'TSO'");
    EXPECT_FALSE(st_->get_app("TSO").intact);

    st_->set_mapping_enabled("TSO", "CORP\\alice", false);
    sql("UPDATE mappings SET enabled = 1 WHERE host_user = 'ALICE1'");
    EXPECT_EQ(rc(resolve("TSO", "CORP\\alice")), errc::integrity_failure);

    EXPECT_GE(scalar("SELECT count(*) FROM audit WHERE action = 'integrity.failure'"), 3);
    EXPECT_TRUE(st_->audit_verify().ok());
}

TEST_P(StoreTest, ConfigStoreRoundTripAndMovedValueFails) {
    st_->create_app({"LOB", app_kind::config, "", "", {{"url", false}, {"api_key", true}}, {}});
    st_->config_set("LOB", "url", secret_bytes::copy_of("https://lob.example/api"));
    st_->config_set("LOB", "API_KEY", secret_bytes::copy_of("k-123"));
    auto all = st_->config_get("LOB", std::nullopt);
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].value.reveal(), "https://lob.example/api");
    EXPECT_TRUE(all[1].def.masked);
    EXPECT_EQ(st_->config_get("LOB", "api_key").at(0).value.reveal(), "k-123");
    EXPECT_EQ(code_of([&] { (void)st_->config_get("LOB", "nope"); }), errc::not_found);
    EXPECT_EQ(code_of([&] { st_->set_credential("LOB", "CORP\\a", vals({"x"})); }), errc::wrong_kind);
    // the api key's ciphertext moved into the url field
    sql("UPDATE config_values SET value = (SELECT value FROM config_values WHERE field = 'api_key')"
        " WHERE field = 'url'");
    EXPECT_EQ(code_of([&] { (void)st_->config_get("LOB", "url"); }), errc::decrypt_failed);
}

TEST_P(StoreTest, DeletingAnApplicationDeletesItsMappingsAndCredentials) {
    seed();
    st_->delete_app("TSO");
    EXPECT_EQ(scalar("SELECT count(*) FROM mappings"), 2);
    EXPECT_EQ(scalar("SELECT count(*) FROM mappings WHERE cred_state <> ''"), 2);
    EXPECT_EQ(code_of([&] { (void)st_->get_app("TSO"); }), errc::app_not_found);
    st_->delete_mapping("PAY", "CORP\\G1");
    EXPECT_EQ(scalar("SELECT count(*) FROM mappings WHERE cred_state <> ''"), 1);
    EXPECT_EQ(code_of([&] { st_->delete_mapping("PAY", "CORP\\G1"); }), errc::not_found);
}

TEST_P(StoreTest, AuditChainVerifiesAndDetectsEdits) {
    seed();
    auto other = open("gateway-2", true);
    other->audit("test.event", "x", "ok", "from a second writer");
    auto rep = st_->audit_verify();
    EXPECT_TRUE(rep.ok()) << (rep.problems.empty() ? "" : rep.problems[0]);
    EXPECT_EQ(rep.writers, 2u);
    EXPECT_GT(rep.records, 10u);
    // Secrets never reach the audit log.
    for (const auto& r : st_->audit_list(1000)) {
        EXPECT_EQ(r.detail.find("ALICEPW1"), std::string::npos);
        EXPECT_EQ(r.detail.find("G1PASSWD"), std::string::npos);
    }
    sql("UPDATE audit SET detail = 'nothing to see' WHERE writer = 'test' AND seq = 3");
    rep = st_->audit_verify();
    ASSERT_FALSE(rep.ok());
    EXPECT_NE(rep.problems[0].find("record 3 was altered"), std::string::npos) << rep.problems[0];
}

TEST_P(StoreTest, AuditTruncationAndDeletionAreDetected) {
    seed();
    const long long last = scalar("SELECT max(seq) FROM audit WHERE writer = 'test'");
    sql("DELETE FROM audit WHERE writer = 'test' AND seq = " + std::to_string(last));
    auto rep = st_->audit_verify();
    ASSERT_FALSE(rep.ok());
    EXPECT_NE(rep.problems[0].find("missing"), std::string::npos) << rep.problems[0];

    sql("DELETE FROM audit WHERE writer = 'test' AND seq = 2");
    EXPECT_FALSE(st_->audit_verify().ok());
    sql("DELETE FROM audit_heads");
    EXPECT_FALSE(st_->audit_verify().ok());
}

TEST_P(StoreTest, OperationFailsWhenItsAuditRecordCannotBeWritten) {
    sql("ALTER TABLE audit RENAME TO audit_away");
    EXPECT_EQ(code_of([&] { (void)st_->create_app({"TSO", app_kind::individual, "", "", {}, {}}); }),
              errc::audit_failure);
    sql("ALTER TABLE audit_away RENAME TO audit");
    EXPECT_TRUE(st_->list_apps().empty());  // rolled back with its audit record
}

TEST_P(StoreTest, BlockedAuditFailsTheOperationWithinTheTimeout) {
    // Another connection holds what the audit append needs (SQLite: the write lock;
    // PostgreSQL: the chain heads), far longer than the store's 300 ms timeout.
    soci::session other;
    if (GetParam() == "sqlite") {
        other.open(soci::sqlite3, "db=" + (dir_ / "store.db").string());
        other << "BEGIN IMMEDIATE";
    } else {
        other.open(soci::postgresql, postgres_conninfo(url_));
        other << "BEGIN";
        other << "LOCK TABLE audit_heads IN EXCLUSIVE MODE";
    }
    auto s = open("test", true, 300);
    const auto t0 = std::chrono::steady_clock::now();
    const errc e = code_of([&] { (void)s->create_app({"TSO", app_kind::individual, "", "", {}, {}}); });
    const auto took = std::chrono::steady_clock::now() - t0;
    EXPECT_TRUE(e == errc::audit_failure || e == errc::store_unavailable) << static_cast<int>(e);
    EXPECT_LT(took, std::chrono::seconds(5));
    other << "ROLLBACK";
    EXPECT_TRUE(s->list_apps().empty());  // nothing was changed
}

TEST_P(StoreTest, RotationReencryptsEverythingBatchByBatch) {
    seed();
    st_->create_app({"LOB", app_kind::config, "", "", {{"url", false}, {"key", true}}, {}});
    st_->config_set("LOB", "url", secret_bytes::copy_of("https://lob"));
    st_->config_set("LOB", "key", secret_bytes::copy_of("K-1"));
    EXPECT_EQ(st_->rotation_pending(), 0u);
    ring_.add_version(2000);
    st_->replace_sealed_keyring(seal_keyring(ring_, unseal_key::from_key_file(dir_ / "unseal.key")), ring_);
    const auto before = st_->rotation_pending();
    EXPECT_EQ(before, 3u + 4u + 2u);  // applications, mappings, config values
    std::size_t batches = 0;
    for (;;) {
        const auto step = st_->rotate_batch(1);
        // every value stays readable between batches, whichever version it is under
        EXPECT_EQ(resolve("TSO", "CORP\\alice").fields.at(0).value.reveal(), "ALICEPW1");
        EXPECT_EQ(resolve("PAY", "CORP\\x", {"CORP\\G2"}).fields.at(0).value.reveal(), "G2PASSWD");
        EXPECT_EQ(st_->config_read("LOB", "key").at(0).value.reveal(), "K-1");
        EXPECT_EQ(step.skipped, 0u);
        if (step.done) break;
        ASSERT_LT(++batches, 20u);
    }
    EXPECT_EQ(st_->rotation_pending(), 0u);
    const auto counts = st_->values_per_key_version();
    ASSERT_EQ(counts.size(), 1u);
    EXPECT_EQ(counts[0].first, 2u);
    EXPECT_EQ(counts[0].second, 6);
    EXPECT_EQ(scalar("SELECT count(*) FROM mappings WHERE mac_kv <> 2 OR cred_mac_kv <> 2"), 0);
    // a fresh process with the new keyring reads everything
    auto fresh = open("test", true);
    EXPECT_EQ(fresh->resolve("TSO", "CORP\\bob", {}).fields.at(0).value.reveal(), "BOBPW002");
    EXPECT_TRUE(st_->audit_verify().ok());
}

TEST_P(StoreTest, AKeyringBehindARotationSaysSoInsteadOfCryingTamper) {
    seed();
    const keyring behind = keyring::parse(ring_.serialize().bytes());  // what a gateway held
    ring_.add_version(2000);
    st_->replace_sealed_keyring(seal_keyring(ring_, unseal_key::from_key_file(dir_ / "unseal.key")), ring_);
    while (!st_->rotate_batch(100).done) {
    }
    store_options o;
    o.url = url_;
    o.writer_id = "gateway";
    o.realms.add("CORP", "CORP.EXAMPLE");
    auto gw = store::open(o);
    gw->attach(behind);
    auto r = gw->resolve("TSO", "CORP\\alice", {});
    EXPECT_EQ(rc(r), errc::unknown_key_version) << r.message;
    const std::vector<std::string> g1 = {"CORP\\G1"};
    r = gw->resolve("PAY", "CORP\\x", g1);
    EXPECT_EQ(rc(r), errc::unknown_key_version) << r.message;
    EXPECT_EQ(scalar("SELECT count(*) FROM audit WHERE action = 'integrity.failure'"), 0);
}

TEST_P(StoreTest, RotationLeavesTamperedRowsAlone) {
    seed();
    sql("UPDATE mappings SET host_user = 'SYS1' WHERE host_user = 'BOB01'");
    ring_.add_version(2000);
    st_->replace_sealed_keyring(seal_keyring(ring_, unseal_key::from_key_file(dir_ / "unseal.key")), ring_);
    std::size_t skipped = 0;
    for (int i = 0; i < 10; ++i) {
        const auto step = st_->rotate_batch(100);
        skipped += step.skipped;
        if (step.done) break;
    }
    EXPECT_EQ(skipped, 1u);
    EXPECT_EQ(st_->rotation_pending(), 1u);  // still under version 1, never re-MACed
    EXPECT_EQ(rc(resolve("TSO", "CORP\\bob")), errc::integrity_failure);
    EXPECT_TRUE(resolve("TSO", "CORP\\alice").ok());
}

TEST_P(StoreTest, BackupsAreRecorded) {
    EXPECT_FALSE(st_->last_backup());
    const auto file = write_backup(ring_, "a long backup password", "in the safe", 5000, {1024, 8, 1});
    st_->record_backup(read_backup_info(file));
    const auto b = st_->last_backup();
    ASSERT_TRUE(b);
    EXPECT_EQ(b->fingerprint, ring_.fingerprint());
    EXPECT_EQ(b->versions, std::vector<std::uint32_t>{1});
    EXPECT_EQ(b->reminder, "in the safe");
}

TEST_P(StoreTest, ValuesPerKeyVersionCountsEveryCiphertext) {
    seed();
    st_->create_app({"LOB", app_kind::config, "", "", {{"a", false}, {"b", false}}, {}});
    st_->config_set("LOB", "a", secret_bytes::copy_of("1"));
    const auto counts = st_->values_per_key_version();
    ASSERT_EQ(counts.size(), 1u);
    EXPECT_EQ(counts[0].first, 1u);
    EXPECT_EQ(counts[0].second, 5);
}

TEST_P(StoreTest, NoPlaintextReachesTheDatabase) {
    seed();
    st_->create_app({"LOB", app_kind::config, "", "", {{"k", true}}, {}});
    st_->config_set("LOB", "k", secret_bytes::copy_of("CONFIGSECRET42"));
    const std::vector<std::string> secrets = {"ALICEPW1", "BOBPW002", "G1PASSWD", "CONFIGSECRET42"};
    for (const auto& secret : secrets) {
        EXPECT_EQ(scalar("SELECT count(*) FROM mappings WHERE cred_fields LIKE '%" + secret + "%'"), 0);
        EXPECT_EQ(scalar("SELECT count(*) FROM config_values WHERE value LIKE '%" + secret + "%'"), 0);
        EXPECT_EQ(scalar("SELECT count(*) FROM audit WHERE detail LIKE '%" + secret + "%'"), 0);
    }
    if (GetParam() != "sqlite") return;
    for (const char* f : {"store.db", "store.db-wal"}) {
        const auto p = dir_ / f;
        if (!std::filesystem::exists(p)) continue;
        const std::string bytes = ssogate::test::read_file(p);
        for (const auto& secret : secrets)
            EXPECT_EQ(bytes.find(secret), std::string::npos) << secret << " in " << f;
    }
}

INSTANTIATE_TEST_SUITE_P(Backends, StoreTest, ::testing::Values("sqlite", "postgresql"),
                         [](const auto& param_info) { return param_info.param; });
