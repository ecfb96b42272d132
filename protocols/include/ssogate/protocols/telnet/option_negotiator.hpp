#pragma once
// Telnet option negotiation by RFC 1143's Q method: for each option, the state of our side
// ("us": do we perform it, WILL/WONT) and of the peer's side ("him": DO/DONT), each one of
// NO, YES, WANTNO, WANTYES plus a queue bit. It never sends a WILL/WONT/DO/DONT that only
// confirms the state already in force, so two telnets can never loop, whichever side asks
// first and even when both ask at once. Works the same in either role (host or terminal).
#include <ssogate/protocols/telnet/constants.hpp>

#include <array>
#include <cstdint>
#include <vector>

namespace ssogate::protocols::telnet {

/// local: an option we perform (we say WILL/WONT, the peer says DO/DONT).
/// remote: an option the peer performs (the peer says WILL/WONT, we say DO/DONT).
enum class side : std::uint8_t { local, remote };

enum class q_state : std::uint8_t { no, yes, want_no, want_yes };

/// What one received WILL/WONT/DO/DONT did to the option's enabled state.
enum class option_change : std::uint8_t {
    none,      // no change visible to the caller (maybe an answer was sent)
    enabled,   // the side went to YES (RFC 1143: "an option is enabled iff its state is YES")
    disabled,  // the side left YES
    refused,   // we asked to enable (WANTYES, queue empty) and the peer said no: now NO
};

/// Flow (RFC 1143 section 7, per option and side):
///   NO --we ask--> WANTYES --peer agrees--> YES --we ask--> WANTNO --peer agrees--> NO
///   NO --peer asks, allowed--> YES (answered)     NO --peer asks, not allowed--> NO (refused)
///   A request made while the opposite one is pending sets the queue bit (OPPOSITE); it is
///   sent when the pending answer arrives.
/// All output (the WILL/WONT/DO/DONT to send) is appended to the `out` vector the caller passes.
class option_negotiator {
  public:
    /// Whether we agree when the peer asks to enable `opt` on side `s` (default: no, the RFC 854
    /// default of refusing what one does not know). Does not send anything.
    void allow(option opt, side s, bool allowed = true) noexcept;
    [[nodiscard]] bool allowed(option opt, side s) const noexcept;

    /// Asks to enable or disable `opt` on side `s` (RFC 1143 "If we decide to ask him to
    /// enable/disable"), queueing when the opposite request is still unanswered. A request for
    /// the state already in force or already being negotiated sends nothing.
    void request(option opt, side s, bool enable, std::vector<std::byte>& out);

    /// Applies a WILL, WONT, DO or DONT received from the peer (RFC 1143 "Upon receipt of ...")
    /// and appends the answer, if one is due, to `out`. Any other `verb` is ignored.
    option_change receive(command verb, option opt, std::vector<std::byte>& out);

    [[nodiscard]] q_state state(option opt, side s) const noexcept;
    /// true when the queue bit is OPPOSITE.
    [[nodiscard]] bool queued(option opt, side s) const noexcept;
    [[nodiscard]] bool enabled(option opt, side s) const noexcept {
        return state(opt, s) == q_state::yes;
    }

  private:
    struct half {
        q_state state = q_state::no;
        bool opposite = false;  // the queue bit
        bool allowed = false;
    };
    struct entry {
        half us;
        half him;
    };

    half& at(option opt, side s) noexcept;
    const half& at(option opt, side s) const noexcept;

    std::array<entry, 256> options_{};
};

}  // namespace ssogate::protocols::telnet
