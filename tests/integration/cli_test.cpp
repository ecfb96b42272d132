// The real `ssogate` binary, driven as an administrator would: flows and bad input.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>

#include <nlohmann/json.hpp>

#include "process.hpp"
#include "temp_dir.hpp"

using ssogate::test::run;
using ssogate::test::run_result;
using ssogate::test::temp_dir;
using ssogate::test::write_file;

namespace {

class Cli : public ::testing::Test {
protected:
    void SetUp() override {
        write_file(dir_ / "ssogate.toml",
                   "[store]\nurl = \"sqlite:store.db\"\n[keyring]\nkey_file = \"unseal.key\"\n"
                   "[identity]\ndefault_domain = \"CORP\"\n[identity.domains]\nCORP = \"CORP.EXAMPLE\"\n");
    }
    run_result ssogate(std::vector<std::string> args, const std::string& input = {},
                       const std::string& config = "ssogate.toml") {
        std::vector<std::string> argv = {SSOGATE_BIN, "--config", (dir_ / config).string()};
        argv.insert(argv.end(), args.begin(), args.end());
        return run(argv, input);
    }
    /// Runs and expects exit 0; returns stdout.
    std::string ok(std::vector<std::string> args, const std::string& input = {}) {
        auto r = ssogate(args, input);
        EXPECT_EQ(r.exit_code, 0) << "ssogate " << args[0] << " " << (args.size() > 1 ? args[1] : "")
                                  << "\nstderr: " << r.err;
        return r.out;
    }
    /// Runs and expects exit 1 with one line on stderr containing `what`.
    void fails(std::vector<std::string> args, const std::string& what, const std::string& input = {},
               const std::string& config = "ssogate.toml") {
        auto r = ssogate(args, input, config);
        EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
        EXPECT_NE(r.err.find(what), std::string::npos) << "stderr: " << r.err;
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "stderr: " << r.err;
        EXPECT_EQ(r.err.rfind("ssogate: ", 0), 0u) << r.err;
    }
    void init_with_apps() {
        ok({"secret", "init"});
        ok({"app", "create", "TSO", "--kind", "individual", "--description", "TSO prod"});
        ok({"app", "create", "PAY", "--kind", "group", "--field", "password:masked", "--field",
            "account", "--group", "CORP\\Payroll", "--group", "CORP\\Staff"});
        ok({"app", "create", "LOB", "--kind", "config", "--field", "url", "--field", "api_key:masked"});
        ok({"map", "add", "TSO", "--principal", "CORP\\alice", "--host-user", "ALICE#1"});
        ok({"cred", "set", "TSO", "--principal", "alice@corp.example", "--password-stdin"}, "PW4ALICE\n");
        ok({"map", "add", "PAY", "--principal", "CORP\\Staff", "--host-user", "STAFF01"});
        ok({"cred", "set", "PAY", "--principal", "CORP\\Staff", "--password-stdin"}, "STAFFPW9\nACCT-77\n");
    }
    temp_dir dir_;
};

}  // namespace

TEST_F(Cli, InitCreatesAPrivateKeyFileAndStatusShowsVersionOne) {
    const auto out = ok({"secret", "init"});
    EXPECT_NE(out.find("fingerprint"), std::string::npos);
    struct stat st {};
    ASSERT_EQ(::stat((dir_ / "unseal.key").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    const auto status = nlohmann::json::parse(ok({"secret", "status", "--json"}));
    EXPECT_EQ(status["current_version"], 1);
    EXPECT_EQ(status["versions"][0]["values"], 0);
    EXPECT_EQ(status["sealed_with"], "key_file");
    fails({"secret", "init"}, "already");
}

TEST_F(Cli, FullAdminFlow) {
    init_with_apps();
    const auto list = ok({"app", "list"});
    EXPECT_NE(list.find("TSO"), std::string::npos);
    EXPECT_NE(list.find("password:masked"), std::string::npos);
    const auto apps = nlohmann::json::parse(ok({"app", "list", "--json"}));
    ASSERT_EQ(apps.size(), 3u);

    // individual resolution, secrets only with --reveal
    auto get = ok({"cred", "get", "TSO", "--principal", "CORP\\Alice"});
    EXPECT_NE(get.find("ALICE#1"), std::string::npos);
    EXPECT_EQ(get.find("PW4ALICE"), std::string::npos);
    get = ok({"cred", "get", "TSO", "--principal", "alice", "--reveal"});
    EXPECT_NE(get.find("PW4ALICE"), std::string::npos);

    // group resolution; unmasked field shown, masked hidden
    auto j = nlohmann::json::parse(ok({"cred", "get", "PAY", "--principal", "CORP\\zoe", "--member-of",
                                       "CORP\\Staff", "--json"}));
    EXPECT_EQ(j["host_user"], "STAFF01");
    EXPECT_EQ(j["via_group"], true);
    EXPECT_EQ(j["fields"]["password"], "********");
    EXPECT_EQ(j["fields"]["account"], "ACCT-77");

    // state and status, no secrets
    const auto status = ok({"cred", "status", "TSO"});
    EXPECT_NE(status.find("valid"), std::string::npos);
    EXPECT_EQ(status.find("PW4ALICE"), std::string::npos);

    // disable / enable
    ok({"map", "disable", "TSO", "--principal", "CORP\\alice"});
    fails({"cred", "get", "TSO", "--principal", "CORP\\alice"}, "disabled");
    ok({"map", "enable", "TSO", "--principal", "CORP\\alice"});
    ok({"app", "disable", "TSO"});
    fails({"cred", "get", "TSO", "--principal", "CORP\\alice"}, "application 'TSO' is disabled");
    ok({"app", "enable", "TSO"});
    fails({"cred", "get", "TSO", "--principal", "CORP\\nobody"}, "has no mapping");

    // config store
    ok({"config", "set", "LOB", "url", "--value-stdin"}, "https://lob.example\n");
    ok({"config", "set", "LOB", "api_key", "--value-stdin"}, "KEY-SECRET-1\n");
    auto cfg = ok({"config", "get", "LOB"});
    EXPECT_NE(cfg.find("https://lob.example"), std::string::npos);
    EXPECT_EQ(cfg.find("KEY-SECRET-1"), std::string::npos);
    cfg = ok({"config", "get", "LOB", "api_key", "--reveal"});
    EXPECT_NE(cfg.find("KEY-SECRET-1"), std::string::npos);

    // the audit log saw it all, and verifies
    const auto audit = ok({"audit", "list", "--limit", "100"});
    EXPECT_NE(audit.find("cred.get"), std::string::npos);
    EXPECT_NE(audit.find("app.disable"), std::string::npos);
    EXPECT_NE(ok({"audit", "verify"}).find("intact"), std::string::npos);

    // delete
    ok({"map", "delete", "TSO", "--principal", "CORP\\alice"});
    ok({"app", "delete", "PAY"});
    EXPECT_EQ(nlohmann::json::parse(ok({"app", "list", "--json"})).size(), 2u);

    const auto st = nlohmann::json::parse(ok({"secret", "status", "--json"}));
    EXPECT_EQ(st["versions"][0]["values"], 2);  // two config values are left
}

TEST_F(Cli, NoPlaintextInTheSqliteFileOrItsWal) {
    init_with_apps();
    ok({"config", "set", "LOB", "api_key", "--value-stdin"}, "KEY-SECRET-1\n");
    for (const char* f : {"store.db", "store.db-wal"}) {
        if (!std::filesystem::exists(dir_ / f)) continue;
        const auto bytes = ssogate::test::read_file(dir_ / f);
        for (const char* s : {"PW4ALICE", "STAFFPW9", "ACCT-77", "KEY-SECRET-1"})
            EXPECT_EQ(bytes.find(s), std::string::npos) << s << " found in " << f;
    }
}

TEST_F(Cli, PassphraseFromStdinAndFromFile) {
    fails({"secret", "init", "--passphrase-stdin"}, "at least 12", "short\n");
    ok({"secret", "init", "--passphrase-stdin"}, "a long enough passphrase\n");
    EXPECT_FALSE(std::filesystem::exists(dir_ / "unseal.key"));  // no key file with a passphrase
    fails({"app", "list", "--passphrase-stdin"}, "wrong passphrase", "not the passphrase\n");
    ok({"app", "create", "A", "--kind", "individual", "--passphrase-stdin"}, "a long enough passphrase\n");
    ok({"map", "add", "A", "--principal", "CORP\\a", "--host-user", "A1", "--passphrase-stdin"},
       "a long enough passphrase\n");
    // the passphrase is the first line, the credential fields follow
    ok({"cred", "set", "A", "--principal", "CORP\\a", "--password-stdin", "--passphrase-stdin"},
       "a long enough passphrase\nHOSTPW01\n");
    // unattended: passphrase_file in the config, which must be private
    write_file(dir_ / "pp", "a long enough passphrase\n", 0640);
    write_file(dir_ / "pp.toml", "[store]\nurl = \"sqlite:store.db\"\n[keyring]\npassphrase_file = \"pp\"\n");
    fails({"app", "list"}, "chmod 600", "", "pp.toml");
    write_file(dir_ / "pp", "a long enough passphrase\n");
    write_file(dir_ / "pp.toml", "[store]\nurl = \"sqlite:store.db\"\n[keyring]\npassphrase_file = \"pp\"\n"
               "[identity.domains]\nCORP = \"CORP.EXAMPLE\"\n");
    auto r = ssogate({"cred", "get", "A", "--principal", "CORP\\a", "--reveal"}, "", "pp.toml");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("HOSTPW01"), std::string::npos);
    // a key file given for a passphrase-sealed keyring
    write_file(dir_ / "unseal.key", std::string(32, 'k'));
    fails({"app", "list"}, "sealed under a passphrase");
}

TEST_F(Cli, BadInputGivesExitOneAndOneClearLine) {
    fails({"app", "list"}, "no such config file", "", "missing.toml");
    write_file(dir_ / "bad.toml", "[store\nurl = ");
    fails({"app", "list"}, "bad.toml:1:", "", "bad.toml");
    fails({"app", "list"}, "no store at");  // nothing is created by a mere read
    EXPECT_FALSE(std::filesystem::exists(dir_ / "store.db"));
    ok({"secret", "init"});
    fails({"app", "show", "NOPE"}, "no application named 'NOPE'");
    ok({"app", "create", "TSO", "--kind", "individual"});
    fails({"app", "create", "tso", "--kind", "group", "--group", "CORP\\G"}, "already exists");
    fails({"map", "add", "TSO", "--principal", "CORP\\", "--host-user", "X"}, "invalid principal");
    fails({"map", "add", "NOPE", "--principal", "CORP\\a", "--host-user", "X"}, "no application");
    fails({"cred", "set", "TSO", "--principal", "CORP\\a", "--password-stdin"}, "has no mapping", "x\n");
    ok({"map", "add", "TSO", "--principal", "CORP\\a", "--host-user", "A"});
    fails({"cred", "set", "TSO", "--principal", "CORP\\a", "--password-stdin"}, "got 0", "");
    fails({"cred", "set", "TSO", "--principal", "CORP\\a", "--password-stdin"}, "takes 1", "a\nb\n");
    fails({"config", "set", "TSO", "x", "--value-stdin"}, "not a config application", "v\n");
    // a wrong key file
    std::filesystem::rename(dir_ / "unseal.key", dir_ / "good.key");
    write_file(dir_ / "unseal.key", std::string(32, 'x'));
    fails({"app", "list"}, "wrong key file");
    ::chmod((dir_ / "unseal.key").c_str(), 0644);
    fails({"app", "list"}, "chmod 600");
    std::filesystem::remove(dir_ / "unseal.key");
    fails({"app", "list"}, "cannot open key file");
}

TEST_F(Cli, GroupApplicationsTakeTheirGroupsOrAnExplicitIndividualUser) {
    init_with_apps();
    fails({"map", "add", "PAY", "--principal", "CORP\\Payrol", "--host-user", "X"},
          "is not one of the groups of 'PAY' (CORP\\Payroll, CORP\\Staff)");
    ok({"map", "add", "PAY", "--principal", "CORP\\zoe", "--host-user", "ZOE1", "--individual"});
    ok({"cred", "set", "PAY", "--principal", "CORP\\zoe", "--password-stdin"}, "ZOEPW001\nACCT-9\n");
    auto j = nlohmann::json::parse(ok({"cred", "get", "PAY", "--principal", "CORP\\zoe", "--member-of",
                                       "CORP\\Staff", "--json"}));
    EXPECT_EQ(j["host_user"], "ZOE1");  // her own mapping wins over the group's
    EXPECT_EQ(j["via_group"], false);
    fails({"map", "add", "TSO", "--principal", "CORP\\x", "--host-user", "X", "--individual"},
          "--individual is for group applications");
    fails({"map", "list", "LOB"}, "config application");
}

TEST_F(Cli, FailedReadsAreAuditedAsDenied) {
    init_with_apps();
    fails({"config", "get", "LOB", "url"}, "has no value for 'url'");
    fails({"cred", "get", "TSO", "--principal", "CORP\\nobody"}, "has no mapping");
    const auto recs = nlohmann::json::parse(ok({"audit", "list", "--limit", "2", "--json"}));
    ASSERT_EQ(recs.size(), 2u);
    EXPECT_EQ(recs[0]["action"], "config.get");
    EXPECT_EQ(recs[0]["outcome"], "denied");
    EXPECT_EQ(recs[1]["action"], "cred.get");
    EXPECT_EQ(recs[1]["outcome"], "denied");
}

TEST_F(Cli, OutputThatCannotBeWrittenIsAFailure) {
    init_with_apps();
    std::vector<std::string> argv = {"/bin/sh", "-c",
                                     std::string(SSOGATE_BIN) + " --config " + (dir_ / "ssogate.toml").string() +
                                         " app list > /dev/full"};
    auto r = run(argv);
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("cannot write the output"), std::string::npos) << r.err;
}

TEST_F(Cli, UsageErrorsExitTwo) {
    EXPECT_EQ(ssogate({}).exit_code, 2);
    auto r = ssogate({"bogus"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("unknown command or option 'bogus'"), std::string::npos) << r.err;
    r = ssogate({"app", "create", "X", "--kind", "individual", "--bogus"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("--bogus"), std::string::npos) << r.err;
    r = ssogate({"--version"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.out.rfind("ssogate ", 0), 0u);
    EXPECT_EQ(ssogate({"app"}).exit_code, 2);
    EXPECT_EQ(ssogate({"app", "create", "X", "--kind", "weird"}).exit_code, 2);
    EXPECT_EQ(ssogate({"cred", "set", "X", "--principal", "p"}).exit_code, 2);  // --password-stdin required
    EXPECT_EQ(ssogate({"cred", "set", "X", "--principal", "p", "--password", "x"}).exit_code, 2);
    EXPECT_EQ(ssogate({"--help"}).exit_code, 0);
}

TEST_F(Cli, TamperedRowsShowAsTamperedAndAuditVerifyCatchesEdits) {
    init_with_apps();
    const std::string db = (dir_ / "store.db").string();
    auto r = run({"/usr/bin/sqlite3", db, "UPDATE mappings SET host_user = 'SYS1' WHERE host_user = 'ALICE#1';"
                                          "UPDATE audit SET detail = 'x' WHERE seq = 2;"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(ok({"map", "list", "TSO"}).find("TAMPERED"), std::string::npos);
    fails({"cred", "get", "TSO", "--principal", "CORP\\alice"}, "integrity");
    auto v = ssogate({"audit", "verify"});
    EXPECT_EQ(v.exit_code, 1);
    EXPECT_NE(v.err.find("record 2 was altered"), std::string::npos) << v.err;
}

TEST_F(Cli, MigrateUpgradesAnOlderStoreAndRefusesANewerOne) {
    ok({"secret", "init"});
    const std::string db = (dir_ / "store.db").string();
    ASSERT_EQ(run({"/usr/bin/sqlite3", db, "UPDATE schema_version SET version = 1; DROP TABLE audit; DROP TABLE audit_heads;"
                                          " DROP TABLE gateway_heartbeats; DROP TABLE keyring_backups; DROP TABLE recovery_key;"}).exit_code, 0);
    fails({"app", "list"}, "ssogate store migrate");
    EXPECT_NE(ok({"store", "migrate"}).find("to 5"), std::string::npos);
    ok({"app", "list"});
    EXPECT_NE(ok({"store", "migrate"}).find("nothing to do"), std::string::npos);
    ASSERT_EQ(run({"/usr/bin/sqlite3", db, "UPDATE schema_version SET version = 7;"}).exit_code, 0);
    fails({"app", "list"}, "newer than this ssogate");
    fails({"store", "migrate"}, "newer than this ssogate");
}

TEST_F(Cli, OldKeyVersionsRetireOnlyWhenEveryLiveGatewayHoldsTheNewOne) {
    init_with_apps();
    const std::string db = (dir_ / "store.db").string();
    const auto now = std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                        std::chrono::system_clock::now().time_since_epoch()).count());
    ASSERT_EQ(run({"/usr/bin/sqlite3", db, "INSERT INTO gateway_heartbeats VALUES ('gw-live', 'unsealed', 'x', '1', 0, " +
                                               now + "), ('gw-gone', 'unsealed', 'x', '1', 0, 1000)"}).exit_code, 0);
    auto out = ok({"secret", "rotate"});
    EXPECT_NE(out.find("added key version 2"), std::string::npos) << out;
    EXPECT_NE(out.find("kept until every live gateway holds version 2: gateway gw-live"), std::string::npos) << out;
    EXPECT_EQ(out.find("gw-gone"), std::string::npos) << out;  // not seen for ages: not live
    auto st = nlohmann::json::parse(ok({"secret", "status", "--json"}));
    EXPECT_EQ(st["versions"].size(), 2u);
    // the gateway picks version 2 up; rerunning rotate finishes the job without a new version
    ASSERT_EQ(run({"/usr/bin/sqlite3", db, "UPDATE gateway_heartbeats SET key_versions = '1,2' WHERE gateway_id = 'gw-live'"}).exit_code, 0);
    out = ok({"secret", "rotate"});
    EXPECT_NE(out.find("retired key version(s) 1"), std::string::npos) << out;
    st = nlohmann::json::parse(ok({"secret", "status", "--json"}));
    ASSERT_EQ(st["versions"].size(), 1u);
    EXPECT_EQ(st["versions"][0]["version"], 2);
    EXPECT_NE(ok({"cred", "get", "TSO", "--principal", "CORP\\alice", "--reveal"}).find("PW4ALICE"), std::string::npos);
    EXPECT_NE(ok({"audit", "verify"}).find("intact"), std::string::npos);  // old records verify with kept audit keys
}

TEST_F(Cli, RestoreRefusesABackupOlderThanRowsItWouldOrphan) {
    ok({"secret", "init"});
    ok({"app", "create", "TSO", "--kind", "individual"});  // a row, but no encrypted value
    ok({"secret", "backup", "--out", (dir_ / "old.bak").string(), "--password-stdin"}, "backup password one\n");
    ok({"secret", "rotate"});  // the row is MAC'd under version 2 now; version 1 retires
    fails({"secret", "restore", "--in", (dir_ / "old.bak").string(), "--password-stdin"},
          "rows under key version 2", "backup password one\n");
    EXPECT_NE(ok({"audit", "verify"}).find("intact"), std::string::npos);
}

TEST_F(Cli, DemoCreatesAndReusesItsStore) {
    auto r = run({SSOGATE_BIN, "demo", "--dir", (dir_ / "demo").string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("Created the demo store"), std::string::npos);
    EXPECT_NE(r.out.find("TSOPROD"), std::string::npos);
    r = run({SSOGATE_BIN, "demo", "--dir", (dir_ / "demo").string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("Reusing"), std::string::npos);
    r = run({SSOGATE_BIN, "--config", (dir_ / "demo/ssogate.toml").string(), "audit", "verify"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
}
