#pragma once
// Internal: the PAC of an accepted Kerberos ticket, as MIT's GSSAPI exposes it (RFC 6680 name
// attributes; `urn:mspac:logon-info` is PAC buffer type 1), decoded by pac.hpp, and the ticket's
// logon time (authtime) that bounds how long its groups are believed.
#include <ssogate/identity/pac.hpp>

#include <gssapi/gssapi.h>

#include <chrono>
#include <optional>
#include <string>

namespace ssogate::identity::detail {

struct ticket_pac {
    /// The ticket carries a logon-info buffer that MIT verified (server signature). AD and Samba
    /// tickets do; MIT KDC tickets carry a PAC without logon info.
    bool present = false;
    std::optional<pac_logon_info> info;  // decoded; nullopt when absent or refused
    std::string error;                   // present but not decodable: why (one line)
    /// When the user logged on to the KDC (the TGT's authtime): the PAC's groups are as old.
    std::optional<std::chrono::system_clock::time_point> authtime;
};

/// Reads the PAC logon info of `client` (the name gss_accept_sec_context returned) and the
/// authtime of the established context. Never throws on bad input.
ticket_pac read_ticket_pac(gss_ctx_id_t context, gss_name_t client);

}  // namespace ssogate::identity::detail
