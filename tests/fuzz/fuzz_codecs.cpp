// Stored text codecs: base64 and hex columns, and AEAD opening of stored ciphertexts.
#include <ssogate/credstore/crypto.hpp>

#include <string_view>

using namespace ssogate::credstore;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    if (auto b = from_base64(text)) {
        if (to_base64(*b) != text) __builtin_trap();  // canonical round trip
        static const bytes key(32, std::byte{7});
        secret_bytes out;
        (void)aead_open(key, *b, as_bytes("aad"), out);
    }
    if (auto h = from_hex(text)) (void)to_hex(*h);
    return 0;
}
