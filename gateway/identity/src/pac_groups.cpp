#include "pac_groups.hpp"

namespace ssogate::identity::detail {

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
            const std::string& name = it->second;
            if (name.empty() || name.find('@') != std::string::npos || name.find('\\') != std::string::npos) continue;
            if (auto p = credstore::principal::parse(name + "@" + user.realm(), realms)) out.push_back(group{*p, sid});
        }
        return out;
    };
}

}  // namespace ssogate::identity::detail
