#include <ssogate/credstore/backup.hpp>
#include <ssogate/credstore/keyring.hpp>

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "errc_of.hpp"
#include "temp_dir.hpp"

using namespace ssogate::credstore;
using ssogate::test::code_of;
using ssogate::test::temp_dir;

namespace {
constexpr scrypt_params fast{1024, 8, 1};  // small N keeps the suite quick; format is the same

}  // namespace

TEST(Keyring, GenerateHasVersionOneAndAStableFingerprint) {
    auto k = keyring::generate(1000);
    EXPECT_EQ(k.current_version(), 1u);
    EXPECT_EQ(k.fingerprint().size(), 32u);
    const auto fp = k.fingerprint();
    EXPECT_EQ(k.add_version(2000), 2u);
    EXPECT_EQ(k.current_version(), 2u);
    EXPECT_EQ(k.fingerprint(), fp);  // rotation keeps the keyring's name
    EXPECT_NE(to_hex(k.key(1)), to_hex(k.key(2)));
    EXPECT_THROW((void)k.key(3), error);
    EXPECT_NE(to_hex(k.row_mac_key(1)), to_hex(k.audit_key(1)));
}

TEST(Keyring, RetiredVersionsKeepOnlyTheirAuditKey) {
    auto k = keyring::generate(1000);
    k.add_version(2000);
    const auto audit1 = to_hex(k.audit_key(1));
    EXPECT_THROW(k.retire_version(2), error);  // the current one
    k.retire_version(1);
    EXPECT_FALSE(k.has_version(1));
    EXPECT_TRUE(k.has_audit_key(1));
    EXPECT_THROW((void)k.key(1), error);
    EXPECT_EQ(to_hex(k.audit_key(1)), audit1);
    const auto back = keyring::parse(k.serialize().bytes());
    EXPECT_EQ(back.versions().size(), 1u);
    EXPECT_EQ(back.retired_versions().size(), 1u);
    EXPECT_EQ(to_hex(back.audit_key(1)), audit1);
    EXPECT_FALSE(back.has_version(1));
}

TEST(Keyring, SerializeParseRoundTrip) {
    auto k = keyring::generate(1000);
    k.add_version(2000);
    const auto payload = k.serialize();
    const auto back = keyring::parse(payload.bytes());
    EXPECT_EQ(back.fingerprint(), k.fingerprint());
    EXPECT_EQ(back.current_version(), 2u);
    EXPECT_EQ(to_hex(back.key(2)), to_hex(k.key(2)));
    EXPECT_EQ(back.versions()[1].created_at, 2000);
}

TEST(Keyring, SealedUnderKeyFileOpensOnlyWithThatFile) {
    temp_dir d;
    create_key_file(d / "unseal.key");
    struct stat st {};
    ASSERT_EQ(::stat((d / "unseal.key").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    EXPECT_EQ(st.st_size, 32);

    auto k = keyring::generate(1);
    const auto sealed = seal_keyring(k, unseal_key::from_key_file(d / "unseal.key"));
    EXPECT_EQ(sealed_fingerprint(sealed).value(), k.fingerprint());
    const auto back = unseal_keyring(sealed, unseal_key::from_key_file(d / "unseal.key"));
    EXPECT_EQ(to_hex(back.key(1)), to_hex(k.key(1)));

    create_key_file(d / "other.key");
    EXPECT_EQ(code_of([&] { (void)unseal_keyring(sealed, unseal_key::from_key_file(d / "other.key")); }),
              errc::wrong_unseal_key);
    EXPECT_EQ(code_of([&] {
                  (void)unseal_keyring(sealed, unseal_key::from_passphrase(
                                                   secret_bytes::copy_of("a passphrase!"), fast));
              }),
              errc::wrong_unseal_key);
}

TEST(Keyring, KeyFileIsNeverOverwrittenAndMustBePrivate) {
    temp_dir d;
    create_key_file(d / "k");
    EXPECT_EQ(code_of([&] { create_key_file(d / "k"); }), errc::key_file_invalid);
    ::chmod((d / "k").c_str(), 0644);
    try {
        (void)read_key_file(d / "k");
        FAIL() << "a world-readable key file was accepted";
    } catch (const error& e) {
        EXPECT_NE(std::string(e.what()).find("chmod 600"), std::string::npos) << e.what();
    }
    ssogate::test::write_file(d / "short", "0123456789", 0600);
    EXPECT_EQ(code_of([&] { (void)read_key_file(d / "short"); }), errc::key_file_invalid);
    EXPECT_EQ(code_of([&] { (void)read_key_file(d / "missing"); }), errc::key_file_invalid);
}

TEST(Keyring, PassphraseSealAndWrongPassphrase) {
    auto k = keyring::generate(1);
    const auto sealed =
        seal_keyring(k, unseal_key::from_passphrase(secret_bytes::copy_of("correct horse battery"), fast));
    const auto back = unseal_keyring(
        sealed, unseal_key::from_passphrase(secret_bytes::copy_of("correct horse battery"), fast));
    EXPECT_EQ(back.fingerprint(), k.fingerprint());
    try {
        (void)unseal_keyring(sealed, unseal_key::from_passphrase(secret_bytes::copy_of("wrong horse"), fast));
        FAIL();
    } catch (const error& e) {
        EXPECT_EQ(e.code(), make_error_code(errc::wrong_unseal_key));
        EXPECT_NE(std::string(e.what()).find("wrong passphrase"), std::string::npos);
    }
}

TEST(Keyring, ScryptParametersAreAuthenticated) {
    auto k = keyring::generate(1);
    auto sealed =
        seal_keyring(k, unseal_key::from_passphrase(secret_bytes::copy_of("correct horse battery"), fast));
    // Header: magic(8) kdf(1) N(8): lower N from 1024 to 512 -> the tag must fail.
    sealed[8 + 1 + 6] = std::byte{0x02};
    sealed[8 + 1 + 7] = std::byte{0x00};
    EXPECT_EQ(code_of([&] {
                  (void)unseal_keyring(sealed, unseal_key::from_passphrase(
                                                   secret_bytes::copy_of("correct horse battery"), fast));
              }),
              errc::wrong_unseal_key);
}

TEST(Backup, RoundTripWithReminderAndVersions) {
    auto k = keyring::generate(1);
    k.add_version(2);
    const auto file = write_backup(k, "correct horse battery", "ask Ann", 77, fast);
    const auto info = read_backup_info(file);
    EXPECT_EQ(info.fingerprint, k.fingerprint());
    EXPECT_EQ(info.versions, (std::vector<std::uint32_t>{1, 2}));
    EXPECT_EQ(info.reminder, "ask Ann");
    EXPECT_EQ(info.created_at, 77);
    const auto back = open_backup(file, "correct horse battery");
    EXPECT_EQ(to_hex(back.key(2)), to_hex(k.key(2)));
}

TEST(Backup, WrongPasswordShortPasswordAndAlteredFiles) {
    auto k = keyring::generate(1);
    EXPECT_EQ(code_of([&] { (void)write_backup(k, "short", "", 1, fast); }), errc::invalid_argument);
    const auto file = write_backup(k, "correct horse battery", "hint", 1, fast);
    EXPECT_EQ(code_of([&] { (void)open_backup(file, "wrong horse battery"); }), errc::wrong_unseal_key);
    for (std::size_t i = 0; i < file.size(); i += 7) {
        auto t = file;
        t[i] ^= std::byte{0x10};
        const auto e = code_of([&] { (void)open_backup(t, "correct horse battery"); });
        EXPECT_TRUE(e == errc::wrong_unseal_key || e == errc::corrupt_sealed_keyring || e == errc::invalid_argument) << i;
    }
    for (std::size_t n = 0; n < file.size(); n += 5)
        EXPECT_NE(code_of([&] { (void)open_backup(std::span(file).first(n), "correct horse battery"); }), errc::ok);
}

TEST(Keyring, CorruptBlobsGiveClearErrorsNeverCrash) {
    temp_dir d;
    create_key_file(d / "k");
    auto k = keyring::generate(1);
    const auto sealed = seal_keyring(k, unseal_key::from_key_file(d / "k"));
    const auto key = unseal_key::from_key_file(d / "k");
    for (std::size_t n = 0; n < sealed.size(); ++n) {
        const auto e = code_of([&] { (void)unseal_keyring(std::span(sealed).first(n), key); });
        EXPECT_TRUE(e == errc::corrupt_sealed_keyring || e == errc::wrong_unseal_key) << n;
    }
    for (std::size_t i = 0; i < sealed.size(); ++i) {
        auto t = sealed;
        t[i] ^= std::byte{0x80};
        EXPECT_NE(code_of([&] { (void)unseal_keyring(t, key); }), errc::ok) << i;
    }
    EXPECT_EQ(code_of([] { (void)keyring::parse(ssogate::credstore::as_bytes("SSOGKP01garbage")); }),
              errc::corrupt_sealed_keyring);
}
