#pragma once
// Internal: `ssogate probe`'s terminal, sans-I/O. A tn3270::session in the terminal role and a
// screen; the driver (net/tn3270_net.cpp) moves bytes and waits until ready().
//
// Flow: connect -> negotiate -> first write that unlocks the keyboard (ready) -> for each step:
// type (into the screen, nothing sent) or key (Read Modified sent, keyboard locked until the
// host unlocks it: ready again) -> snapshot after each key.
//
// Secrets: typed text is never kept apart from the screen and never printed; screens print
// through tn3270::render and field texts through screen_text, which show non-display fields as
// '*' / "(hidden)" whatever they hold.
#include "tn3270_tools.hpp"

#include <ssogate/protocols/tn3270/constants.hpp>
#include <ssogate/protocols/tn3270/screen.hpp>
#include <ssogate/protocols/tn3270/session.hpp>

#include <optional>
#include <span>
#include <string>
#include <system_error>
#include <vector>

namespace ssogate::gateway {

/// The AID of a --key name: enter, clear, pf1..pf24, pa1..pa3 (lower case); nothing otherwise.
[[nodiscard]] std::optional<protocols::tn3270::aid> probe_key(const std::string& name);

class probe_terminal {
  public:
    /// Throws config_error for a bad model or code page.
    explicit probe_terminal(const probe_options& o);

    /// Bytes from the host. Returns false (and `error` set, one line) when the session cannot go
    /// on: a fatal telnet error, a failed negotiation, a record the screen refuses. A host that
    /// leaves 3270 mode after negotiating is waited for (renegotiating(), not ready()).
    bool receive(std::span<const std::byte> in);
    void receive_eof();
    [[nodiscard]] std::span<const std::byte> pending_output() const noexcept { return session_.pending_output(); }
    void consume_output(std::size_t n) noexcept { session_.consume_output(n); }

    /// Negotiated, and a write unlocked the keyboard since the last key.
    [[nodiscard]] bool ready() const noexcept { return negotiated_ && !screen_.keyboard_locked() && written_; }
    [[nodiscard]] bool closed() const noexcept { return closed_; }
    /// Some bytes came from the host.
    [[nodiscard]] bool heard_from_host() const noexcept { return heard_; }
    /// The host left 3270 mode after negotiating, and has not negotiated again yet.
    [[nodiscard]] bool renegotiating() const noexcept { return renegotiating_; }
    [[nodiscard]] const std::string& error() const noexcept { return error_; }

    /// Runs one step; false and error() set when it cannot be done (the message never quotes
    /// the text). A key step sends the Read Modified.
    bool run(const probe_step& step);

    /// Text for people: the negotiation line, or a screen with what led to it.
    [[nodiscard]] std::string negotiation_text() const;
    [[nodiscard]] std::string screen_text(const std::string& title) const;
    /// JSON: the negotiation object and one screen object (nlohmann json dumped).
    [[nodiscard]] std::string negotiation_json() const;
    [[nodiscard]] std::string screen_json(const std::string& after) const;
    /// "typed into the field at 6,17" (never the text when the field is non-display).
    [[nodiscard]] const std::vector<std::string>& actions() const noexcept { return actions_; }
    void clear_actions() { actions_.clear(); }

  private:
    protocols::tn3270::session session_;
    protocols::tn3270::screen screen_;
    bool negotiated_ = false;
    bool written_ = false;
    bool closed_ = false;
    bool renegotiating_ = false;
    bool heard_ = false;
    std::string error_;
    std::string terminal_type_, lu_name_, mode_ = "TN3270";
    std::vector<std::string> functions_;
    std::vector<std::string> actions_;
};

}  // namespace ssogate::gateway
