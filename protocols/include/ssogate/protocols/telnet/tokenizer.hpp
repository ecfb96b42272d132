#pragma once
// Telnet tokenizer: splits the bytes a peer sends into data, commands, option negotiations and
// subnegotiations (RFC 854, RFC 855), undoubling IAC IAC on the way. Sans-I/O: it is fed
// whatever a read returned, and keeps a partial command (an IAC at the end of a read, half an SB)
// for the next call.
#include <ssogate/protocols/telnet/constants.hpp>

#include <cstddef>
#include <optional>
#include <span>
#include <system_error>
#include <vector>

namespace ssogate::protocols::telnet {

enum class token_kind : std::uint8_t {
    data,            // bytes: a run of data bytes (IAC IAC already undoubled)
    command,         // cmd: IAC <cmd> for a command without option (NOP, BRK, EOR, GA, ...)
    negotiation,     // cmd: WILL / WONT / DO / DONT, opt: the option
    subnegotiation,  // opt: the option, bytes: the payload between IAC SB <opt> and IAC SE
};

struct token {
    token_kind kind = token_kind::data;
    command cmd = command::nop;
    option opt = option::binary;
    /// data: a view into the input span given to next(), or into a static FF byte for IAC IAC.
    /// subnegotiation: a view into the tokenizer, valid until the next call to next() or reset().
    std::span<const std::byte> bytes;
};

/// Flow: DATA -IAC-> IAC -WILL/WONT/DO/DONT-> VERB -opt-> DATA
///                       IAC -SB-> SB_OPTION -opt-> SB -IAC-> SB_IAC -SE-> DATA
///                       IAC -IAC-> DATA (one FF data byte)   SB_IAC -IAC-> SB (one FF)
/// Errors (ec set, the tokenizer has resynchronised and the next call may go on):
/// - errc::invalid_command: IAC followed by a byte below EF (RFC 854 defines none there). Both
///   bytes are consumed and dropped.
/// - errc::unterminated_subnegotiation: IAC x inside SB with x neither SE nor IAC (RFC 855: only
///   IAC SE ends an SB). The SB is dropped and IAC x is read again as a command, so a peer that
///   forgets IAC SE loses the SB only. Also IAC SB IAC (no option code).
/// - errc::subnegotiation_too_long: the payload grew past max_subnegotiation. Reported once, at
///   the byte that crossed the limit; the rest up to IAC SE is skipped. A session treats this as
///   fatal (see errc.hpp).
/// A stray IAC SE outside SB is returned as a command (RFC 854 lists SE as a command); callers
/// ignore it.
class tokenizer {
  public:
    static constexpr std::size_t default_max_subnegotiation = 1024;

    explicit tokenizer(std::size_t max_subnegotiation = default_max_subnegotiation) noexcept
        : max_sb_(max_subnegotiation) {}

    /// Reads at most one token from the front of `in` and advances `in` past the bytes it
    /// consumed. Returns the token, or nothing when `in` ran out before a token was complete (the
    /// partial token is kept) or on an error (`ec` set, see above). Never throws on any input.
    /// A data token never spans a call: a run of data is returned as soon as it ends or `in` does.
    std::optional<token> next(std::span<const std::byte>& in, std::error_code& ec);

    /// True between the IAC that starts a command or SB and its last byte. A peer that closes
    /// then cut a command short.
    [[nodiscard]] bool in_command() const noexcept { return state_ != state::data; }

    /// Forgets any partial command.
    void reset() noexcept;

  private:
    enum class state : std::uint8_t {
        data,
        iac,
        verb,
        sb_option,
        sb,
        sb_iac,
        sb_skip,  // over the limit: skipping to IAC SE
        sb_skip_iac,
    };

    std::size_t max_sb_;
    state state_ = state::data;
    command verb_ = command::will;
    option sb_option_ = option::binary;
    std::vector<std::byte> sb_;
};

}  // namespace ssogate::protocols::telnet
