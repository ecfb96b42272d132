// HTTP Negotiate: the Authorization header parser, strict base64, and the GSSAPI acceptor fed
// with whatever the fuzzer makes (as a header, and as raw token bytes). The acceptor uses a
// keytab with a random key made here, so no input can be a valid ticket: every outcome must be
// a refusal with a message, and never a crash, a hang or a "fatal" (keytab) verdict.
#include <ssogate/identity/identity_config.hpp>
#include <ssogate/identity/negotiate_acceptor.hpp>
#include <ssogate/identity/negotiate_header.hpp>

#include <krb5/krb5.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

using namespace ssogate::identity;

namespace {

std::unique_ptr<negotiate_acceptor> acceptor;
std::string work_dir;

void remove_work_dir() {
    acceptor.reset();
    std::error_code ec;
    std::filesystem::remove_all(work_dir, ec);
}

void make_keytab(const std::string& file) {
    krb5_context ctx = nullptr;
    if (krb5_init_context(&ctx) != 0) std::abort();
    krb5_keytab kt = nullptr;
    krb5_keytab_entry e{};
    if (krb5_kt_resolve(ctx, ("FILE:" + file).c_str(), &kt) != 0 ||
        krb5_parse_name(ctx, "HTTP/localhost@CORP.EXAMPLE", &e.principal) != 0 ||
        krb5_c_make_random_key(ctx, ENCTYPE_AES256_CTS_HMAC_SHA1_96, &e.key) != 0)
        std::abort();
    e.vno = 2;
    if (krb5_kt_add_entry(ctx, kt, &e) != 0) std::abort();
    krb5_free_keyblock_contents(ctx, &e.key);
    krb5_free_principal(ctx, e.principal);
    krb5_kt_close(ctx, kt);
    krb5_free_context(ctx);
}

void check(const outcome& o) {
    if (o || o.refused.message.empty() || is_fatal(o.code())) __builtin_trap();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    char tmpl[] = "/tmp/ssogate-fuzz-negotiate.XXXXXX";
    if (::mkdtemp(tmpl) == nullptr) std::abort();
    const std::string dir = tmpl;
    work_dir = dir;
    std::atexit(remove_work_dir);
    make_keytab(dir + "/http.keytab");
    ::setenv("KRB5_CONFIG", (dir + "/no-krb5.conf").c_str(), 1);
    acceptor = std::make_unique<negotiate_acceptor>(parse_identity_config(
        "[identity]\ndefault_domain = \"CORP\"\nkeytab = \"http.keytab\"\nreplay_cache = \"rcache\"\n"
        "[identity.domains]\nCORP = \"CORP.EXAMPLE\"\n",
        dir + "/ssogate.toml"));
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);

    // strict base64 is canonical: what decodes, encodes back to the same text
    if (auto bytes = base64_decode(text); bytes && base64_encode(*bytes) != text) __builtin_trap();

    // the header parser: a token it accepts survives a round trip through the header
    const auto h = parse_negotiate_header(text);
    if (h) {
        if (h.token.empty() || h.token.size() > max_negotiate_token) __builtin_trap();
        const auto again = parse_negotiate_header("Negotiate " + base64_encode(h.token));
        if (!again || again.token != h.token) __builtin_trap();
    } else if (h.why.empty() || !h.token.empty()) {
        __builtin_trap();
    }
    (void)classify_token({data, size});

    // the acceptor, with the input as a header and as the token itself
    check(acceptor->accept(text));
    if (size > 0 && size <= max_negotiate_token)
        check(acceptor->accept("Negotiate " + base64_encode({data, size})));
    return 0;
}
