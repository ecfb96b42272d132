#include <ssogate/protocols/telnet/encode.hpp>
#include <ssogate/protocols/telnet/option_negotiator.hpp>

namespace ssogate::protocols::telnet {
namespace {

// The verbs we send for a side: local is WILL/WONT, remote is DO/DONT.
command affirm(side s) noexcept {
    return s == side::local ? command::will : command::do_;
}
command negate(side s) noexcept {
    return s == side::local ? command::wont : command::dont;
}

}  // namespace

option_negotiator::half& option_negotiator::at(option opt, side s) noexcept {
    auto& e = options_[static_cast<std::size_t>(opt)];
    return s == side::local ? e.us : e.him;
}

const option_negotiator::half& option_negotiator::at(option opt, side s) const noexcept {
    const auto& e = options_[static_cast<std::size_t>(opt)];
    return s == side::local ? e.us : e.him;
}

void option_negotiator::allow(option opt, side s, bool allowed) noexcept {
    at(opt, s).allowed = allowed;
}

bool option_negotiator::allowed(option opt, side s) const noexcept {
    return at(opt, s).allowed;
}

q_state option_negotiator::state(option opt, side s) const noexcept {
    return at(opt, s).state;
}

bool option_negotiator::queued(option opt, side s) const noexcept {
    return at(opt, s).opposite;
}

void option_negotiator::request(option opt, side s, bool enable, std::vector<std::byte>& out) {
    half& h = at(opt, s);
    // RFC 1143 section 7, "If we decide to ask him to enable / disable". The "Error" rows are
    // requests for what is already in force or already asked for: nothing to do.
    switch (h.state) {
        case q_state::no:
            if (enable) {
                h.state = q_state::want_yes;
                append_negotiation(out, affirm(s), opt);
            }
            break;
        case q_state::yes:
            if (!enable) {
                h.state = q_state::want_no;
                append_negotiation(out, negate(s), opt);
            }
            break;
        case q_state::want_no:
            h.opposite = enable;  // queue the enable, or cancel a queued one
            break;
        case q_state::want_yes:
            h.opposite = !enable;  // queue the disable, or cancel a queued one
            break;
    }
}

option_change option_negotiator::receive(command verb, option opt, std::vector<std::byte>& out) {
    if (!is_negotiation_verb(verb)) return option_change::none;
    const side s = (verb == command::will || verb == command::wont) ? side::remote : side::local;
    const bool positive = verb == command::will || verb == command::do_;
    half& h = at(opt, s);
    const q_state before = h.state;
    const bool queue_was_empty = !h.opposite;

    if (positive) {
        // RFC 1143 section 7, "Upon receipt of WILL" (and DO, mirrored).
        switch (h.state) {
            case q_state::no:
                if (h.allowed) {
                    h.state = q_state::yes;
                    append_negotiation(out, affirm(s), opt);
                } else {
                    append_negotiation(out, negate(s), opt);
                }
                break;
            case q_state::yes:
                break;  // already enabled: no answer, this is what ends loops
            case q_state::want_no:
                // "Error: DONT answered by WILL." No answer: do not talk more to a broken peer.
                h.state = h.opposite ? q_state::yes : q_state::no;
                h.opposite = false;
                break;
            case q_state::want_yes:
                if (h.opposite) {
                    h.state = q_state::want_no;
                    h.opposite = false;
                    append_negotiation(out, negate(s), opt);
                } else {
                    h.state = q_state::yes;
                }
                break;
        }
    } else {
        // "Upon receipt of WONT" (and DONT).
        switch (h.state) {
            case q_state::no:
                break;
            case q_state::yes:
                h.state = q_state::no;
                append_negotiation(out, negate(s), opt);
                break;
            case q_state::want_no:
                if (h.opposite) {
                    h.state = q_state::want_yes;
                    h.opposite = false;
                    append_negotiation(out, affirm(s), opt);
                } else {
                    h.state = q_state::no;
                }
                break;
            case q_state::want_yes:
                h.state = q_state::no;  // refused (or "refused into" the state we queued)
                h.opposite = false;
                break;
        }
    }

    if (before != q_state::yes && h.state == q_state::yes) return option_change::enabled;
    if (before == q_state::yes && h.state != q_state::yes) return option_change::disabled;
    if (before == q_state::want_yes && queue_was_empty && h.state == q_state::no)
        return option_change::refused;
    return option_change::none;
}

}  // namespace ssogate::protocols::telnet
