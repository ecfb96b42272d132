// Principal names as typed by admins or delivered by identity sources.
#include <ssogate/credstore/principal.hpp>

#include <string_view>

using namespace ssogate::credstore;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const realm_map realms = [] {
        realm_map m;
        m.add("CORP", "CORP.EXAMPLE");
        m.set_default_domain("CORP");
        return m;
    }();
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    std::string why;
    if (auto p = principal::parse(text, realms, &why)) {
        // normal form is stable: parsing the display form gives the same key
        auto again = principal::parse(p->display(realms), realms);
        if (!again || again->key() != p->key()) __builtin_trap();
    }
    return 0;
}
