#include "pac_groups.hpp"

namespace ssogate::identity::detail {

std::optional<credstore::principal> group_principal(std::string_view name, const credstore::principal& user,
                                                    const credstore::realm_map& realms) {
    if (name.empty() || name.find('@') != std::string_view::npos || name.find('\\') != std::string_view::npos)
        return std::nullopt;
    return credstore::principal::parse(std::string(name) + "@" + user.realm(), realms);
}

negotiate_acceptor::pac_group_namer directory_pac_namer(std::shared_ptr<ldap_directory> dir,
                                                        credstore::realm_map realms) {
    return [dir = std::move(dir), realms = std::move(realms)](
               const credstore::principal& user, const std::vector<std::string>& sids) -> std::optional<std::vector<group>> {
        const auto names = dir->name_sids(sids);
        if (!names) return std::nullopt;
        std::vector<group> out;
        for (const auto& sid : sids) {
            if (sid.rfind("S-1-5-32-", 0) == 0) continue;  // BUILTIN: not a group of the domain
            const auto it = names->find(sid);
            if (it == names->end()) continue;
            if (auto p = group_principal(it->second, user, realms)) out.push_back(group{*p, sid});
        }
        return out;
    };
}

}  // namespace ssogate::identity::detail
