#pragma once
// Internal: the group SIDs of a ticket's PAC named through the directory (ldap_directory's SID
// names, kept for cache_seconds and shared by every user), for negotiate_acceptor::use_pac_groups.
#include <ssogate/identity/ldap_directory.hpp>
#include <ssogate/identity/negotiate_acceptor.hpp>

#include <memory>
#include <optional>
#include <string_view>

namespace ssogate::identity::detail {

/// A group name from the directory as a principal of the user's realm (`CORP\MainframeUsers`);
/// nullopt for an empty name or one that names its own domain ('@', '\\').
std::optional<credstore::principal> group_principal(std::string_view name, const credstore::principal& user,
                                                    const credstore::realm_map& realms);

/// Groups in PAC order, as principals of the user's realm (CORP\MainframeUsers); SIDs the
/// directory does not name (BUILTIN, well-known, foreign) are left out; nullopt when the
/// directory cannot be asked (then the identity gets no groups from the PAC).
negotiate_acceptor::pac_group_namer directory_pac_namer(std::shared_ptr<ldap_directory> dir,
                                                        credstore::realm_map realms);

}  // namespace ssogate::identity::detail
