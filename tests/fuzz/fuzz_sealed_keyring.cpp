// Sealed keyring blobs and keyring payloads from the store: malformed, truncated or tampered
// bytes must give errc, never a crash. The key file is made once; the blob is the input.
#include <ssogate/credstore/keyring.hpp>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

using namespace ssogate::credstore;

namespace {
const unseal_key& key() {
    static const unseal_key k = [] {
        static char tmpl[] = "/tmp/ssogate-fuzz.XXXXXX";
        const std::filesystem::path dir = ::mkdtemp(tmpl);
        create_key_file(dir / "k");
        std::atexit([] { std::filesystem::remove_all(tmpl); });
        return unseal_key::from_key_file(dir / "k");
    }();
    return k;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::span<const std::byte> in(reinterpret_cast<const std::byte*>(data), size);
    try {
        (void)unseal_keyring(in, key());
    } catch (const error&) {
    }
    try {
        (void)keyring::parse(in);
    } catch (const error&) {
    }
    (void)sealed_fingerprint(in);
    return 0;
}
