// The MS-PAC logon info decoder (pac.hpp) on whatever the fuzzer makes: every input must be
// decoded or refused with a reason, never read past the buffer, crash or hang. Seeds: a real
// PAC_LOGON_INFO from a Samba AD DC (tests/data/samba_pac_logon_info.hex) and truncations of it,
// written by tests/fuzz/run.sh.
#include <ssogate/identity/pac.hpp>

#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string why;
    const auto info = ssogate::identity::parse_pac_logon_info(std::span<const std::uint8_t>(data, size), &why);
    if (info) {
        // a decoded PAC names a user of a domain
        if (info->user_sid.rfind("S-1-", 0) != 0 || info->account_name.empty() ||
            info->group_sids.size() > ssogate::identity::max_pac_groups)
            std::abort();
    } else if (why.empty()) {
        std::abort();  // every refusal says why
    }
    return 0;
}
