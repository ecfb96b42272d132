// Configuration files: any text gives a config or one config_error, never a crash.
#include <ssogate/gateway/config.hpp>

#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    try {
        (void)ssogate::gateway::parse_config(text, "/nonexistent/fuzz.toml");
    } catch (const ssogate::gateway::config_error&) {
    }
    return 0;
}
