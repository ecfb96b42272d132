#pragma once
// Writing telnet: IAC doubling and the command, negotiation and subnegotiation byte sequences
// (RFC 854, RFC 855). Each function appends to `out`; none allocates anything else.
#include <ssogate/protocols/telnet/constants.hpp>

#include <cstddef>
#include <span>
#include <vector>

namespace ssogate::protocols::telnet {

/// Appends `data` with every FF doubled (RFC 854: a data byte 255 is sent as IAC IAC).
void append_escaped(std::vector<std::byte>& out, std::span<const std::byte> data);

/// Appends IAC <c>. For WILL/WONT/DO/DONT use append_negotiation, for SB append_subnegotiation.
void append_command(std::vector<std::byte>& out, command c);

/// Appends IAC <verb> <opt>; `verb` is WILL, WONT, DO or DONT.
void append_negotiation(std::vector<std::byte>& out, command verb, option opt);

/// Appends IAC SB <opt> <payload, FF doubled> IAC SE (RFC 855).
void append_subnegotiation(std::vector<std::byte>& out, option opt,
                           std::span<const std::byte> payload);

/// `data` with every FF doubled.
[[nodiscard]] std::vector<std::byte> escape(std::span<const std::byte> data);

}  // namespace ssogate::protocols::telnet
