#include <ssogate/credstore/crypto.hpp>

#include <gtest/gtest.h>

using namespace ssogate::credstore;

namespace {
bytes hex(std::string_view h) {
    auto b = from_hex(h);
    EXPECT_TRUE(b.has_value()) << h;
    return b.value_or(bytes{});
}
}  // namespace

// NIST / McGrew-Viega GCM specification, test case 16 (AES-256, 60-byte plaintext, 20-byte AAD).
TEST(Crypto, Aes256GcmMatchesNistTestCase16) {
    const auto key = hex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308");
    const auto iv = hex("cafebabefacedbaddecaf888");
    const auto pt = hex(
        "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e24"
        "49a6b525b16aedf5aa0de657ba637b39");
    const auto aad = hex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
    const auto expect_ct = hex(
        "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b10"
        "56828838c5f61e6393ba7a0abcc9f662");
    const auto expect_tag = hex("76fc6ece0f4e1768cddf8853bb2d551b");

    bytes ct(pt.size());
    std::array<std::byte, gcm_tag_size> tag{};
    aes256gcm_encrypt(key, iv, pt, aad, ct, tag);
    EXPECT_EQ(to_hex(ct), to_hex(expect_ct));
    EXPECT_EQ(to_hex(tag), to_hex(expect_tag));

    bytes back(ct.size());
    ASSERT_TRUE(aes256gcm_decrypt(key, iv, ct, aad, std::span<const std::byte, 16>(tag), back));
    EXPECT_EQ(back, pt);
}

// Test case 14: all-zero key and IV, one zero block.
TEST(Crypto, Aes256GcmMatchesNistTestCase14) {
    const bytes key(32), iv(12), pt(16);
    bytes ct(16);
    std::array<std::byte, gcm_tag_size> tag{};
    aes256gcm_encrypt(key, iv, pt, {}, ct, tag);
    EXPECT_EQ(to_hex(ct), "cea7403d4d606b6e074ec5d3baf39d18");
    EXPECT_EQ(to_hex(tag), "d0d1c8a799996bf0265b98b5d48ab919");
}

TEST(Crypto, SealUsesFreshNonceAndOpens) {
    const auto key = random_bytes(32);
    const auto a = aead_seal(key, as_bytes("ALICEPW1"), as_bytes("aad"));
    const auto b = aead_seal(key, as_bytes("ALICEPW1"), as_bytes("aad"));
    EXPECT_NE(a, b);  // random nonce
    ASSERT_EQ(a.size(), 8 + gcm_overhead);
    secret_bytes out;
    ASSERT_EQ(aead_open(key, a, as_bytes("aad"), out), errc::ok);
    EXPECT_EQ(out.reveal(), "ALICEPW1");
}

TEST(Crypto, EveryTamperedByteIsDetected) {
    const auto key = random_bytes(32);
    const auto sealed = aead_seal(key, as_bytes("secret"), as_bytes("row-1"));
    for (std::size_t i = 0; i < sealed.size(); ++i) {
        auto t = sealed;
        t[i] ^= std::byte{0x01};
        secret_bytes out;
        EXPECT_EQ(aead_open(key, t, as_bytes("row-1"), out), errc::decrypt_failed) << "byte " << i;
    }
}

TEST(Crypto, WrongAssociatedDataOrKeyOrLengthFails) {
    const auto key = random_bytes(32);
    const auto sealed = aead_seal(key, as_bytes("secret"), as_bytes("row-1"));
    secret_bytes out;
    EXPECT_EQ(aead_open(key, sealed, as_bytes("row-2"), out), errc::decrypt_failed);
    EXPECT_EQ(aead_open(random_bytes(32), sealed, as_bytes("row-1"), out), errc::decrypt_failed);
    EXPECT_EQ(aead_open(key, std::span(sealed).first(10), as_bytes("row-1"), out),
              errc::decrypt_failed);
    EXPECT_EQ(aead_open(key, {}, as_bytes("row-1"), out), errc::decrypt_failed);
    EXPECT_TRUE(out.empty());
}

// RFC 4231 test case 2.
TEST(Crypto, HmacSha256MatchesRfc4231) {
    const auto mac = hmac_sha256(as_bytes("Jefe"), as_bytes("what do ya want for nothing?"));
    EXPECT_EQ(to_hex(mac), "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
}

TEST(Crypto, PreparedHmacKeyMatchesHmacForAllKeyLengths) {
    const hmac_sha256_key jefe(as_bytes("Jefe"));
    EXPECT_EQ(to_hex(jefe.mac(as_bytes("what do ya want for nothing?"))),
              "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    for (std::size_t n : {0u, 1u, 32u, 63u, 64u, 65u, 131u}) {
        const auto key = random_bytes(n);
        const auto data = random_bytes(n * 3 + 1);
        EXPECT_EQ(to_hex(hmac_sha256_key(key).mac(data)), to_hex(hmac_sha256(key, data))) << n;
    }
}

// RFC 5869 test case 1.
TEST(Crypto, HkdfMatchesRfc5869) {
    const auto ikm = hex("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b");
    const auto salt = hex("000102030405060708090a0b0c");
    const auto info = hex("f0f1f2f3f4f5f6f7f8f9");
    const auto okm = hkdf_sha256(ikm, salt, as_text(info), 42);
    EXPECT_EQ(to_hex(okm.bytes()),
              "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
}

// RFC 7914 section 12, second vector (N=1024, r=8, p=16).
TEST(Crypto, ScryptMatchesRfc7914) {
    const auto dk = scrypt("password", as_bytes("NaCl"), {1024, 8, 16}, 64);
    EXPECT_EQ(to_hex(dk.bytes()),
              "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b3731622eaf30d92e22a3886ff1"
              "09279d9830dac727afb94a83ee6d8360cbdfa2cc0640");
}

TEST(Crypto, ScryptRejectsInsaneParameters) {
    EXPECT_THROW(scrypt("pw", as_bytes("salt"), {1000, 8, 1}, 32), error);     // not a power of 2
    EXPECT_THROW(scrypt("pw", as_bytes("salt"), {1u << 30, 8, 1}, 32), error); // too much memory
    EXPECT_THROW(scrypt("pw", as_bytes("salt"), {1024, 0, 1}, 32), error);
}

TEST(Crypto, HexAndBase64RoundTripAndRejectGarbage) {
    const auto data = random_bytes(100);
    for (std::size_t n = 0; n <= data.size(); ++n) {
        auto part = std::span(data).first(n);
        EXPECT_EQ(from_base64(to_base64(part)).value(), bytes(part.begin(), part.end()));
        EXPECT_EQ(from_hex(to_hex(part)).value(), bytes(part.begin(), part.end()));
    }
    EXPECT_EQ(to_base64(as_bytes("foobar")), "Zm9vYmFy");
    EXPECT_EQ(to_base64(as_bytes("fo")), "Zm8=");
    EXPECT_FALSE(from_base64("Zm9").has_value());
    EXPECT_FALSE(from_base64("Zm=v").has_value());
    EXPECT_FALSE(from_base64("Zm8*").has_value());
    EXPECT_FALSE(from_base64("Zm9=").has_value());  // non-canonical: dropped bits set
    EXPECT_FALSE(from_base64("Zh==").has_value());
    EXPECT_FALSE(from_hex("abc").has_value());
    EXPECT_FALSE(from_hex("zz").has_value());
}
