#include <ssogate/protocols/telnet/errc.hpp>
#include <ssogate/protocols/telnet/tokenizer.hpp>

#include <algorithm>

namespace ssogate::protocols::telnet {
namespace {

constexpr std::byte iac{0xFF};
constexpr std::byte se{0xF0};
constexpr std::byte sb{0xFA};
constexpr std::byte lowest_command{0xEF};  // EOR (RFC 885); F0..FE are RFC 854's
const std::byte escaped_iac[1] = {iac};

}  // namespace

void tokenizer::reset() noexcept {
    state_ = state::data;
    sb_.clear();
}

std::optional<token> tokenizer::next(std::span<const std::byte>& in, std::error_code& ec) {
    ec.clear();
    while (!in.empty()) {
        const std::byte b = in.front();
        switch (state_) {
            case state::data: {
                if (b == iac) {
                    in = in.subspan(1);
                    state_ = state::iac;
                    break;
                }
                const auto end = std::find(in.begin(), in.end(), iac);
                const auto n = static_cast<std::size_t>(end - in.begin());
                token t;
                t.kind = token_kind::data;
                t.bytes = in.first(n);
                in = in.subspan(n);
                return t;
            }
            case state::iac: {
                in = in.subspan(1);
                if (b == iac) {  // RFC 854: IAC IAC is one data byte 255
                    state_ = state::data;
                    token t;
                    t.kind = token_kind::data;
                    t.bytes = std::span<const std::byte>(escaped_iac);
                    return t;
                }
                const auto c = static_cast<command>(b);
                if (is_negotiation_verb(c)) {
                    verb_ = c;
                    state_ = state::verb;
                    break;
                }
                if (b == sb) {
                    state_ = state::sb_option;
                    break;
                }
                state_ = state::data;
                if (b < lowest_command) {
                    ec = errc::invalid_command;
                    return std::nullopt;
                }
                token t;
                t.kind = token_kind::command;
                t.cmd = c;
                return t;
            }
            case state::verb: {
                in = in.subspan(1);
                state_ = state::data;
                token t;
                t.kind = token_kind::negotiation;
                t.cmd = verb_;
                t.opt = static_cast<option>(b);
                return t;
            }
            case state::sb_option: {
                if (b == iac) {  // IAC SB IAC: no option code. Read the IAC again as a command.
                    state_ = state::data;
                    ec = errc::unterminated_subnegotiation;
                    return std::nullopt;
                }
                in = in.subspan(1);
                sb_option_ = static_cast<option>(b);
                sb_.clear();
                state_ = state::sb;
                break;
            }
            case state::sb: {
                if (b == iac) {
                    in = in.subspan(1);
                    state_ = state::sb_iac;
                    break;
                }
                const auto end = std::find(in.begin(), in.end(), iac);
                const auto n = static_cast<std::size_t>(end - in.begin());
                const std::size_t room = max_sb_ - sb_.size();
                if (n > room) {
                    // Consume up to and including the first byte over the limit.
                    in = in.subspan(room + 1);
                    sb_.clear();
                    state_ = state::sb_skip;
                    ec = errc::subnegotiation_too_long;
                    return std::nullopt;
                }
                sb_.insert(sb_.end(), in.begin(), end);
                in = in.subspan(n);
                break;
            }
            case state::sb_iac: {
                if (b == iac) {  // RFC 855: IAC IAC inside SB is one data byte 255
                    in = in.subspan(1);
                    if (sb_.size() >= max_sb_) {
                        sb_.clear();
                        state_ = state::sb_skip;
                        ec = errc::subnegotiation_too_long;
                        return std::nullopt;
                    }
                    sb_.push_back(iac);
                    state_ = state::sb;
                    break;
                }
                if (b == se) {
                    in = in.subspan(1);
                    state_ = state::data;
                    token t;
                    t.kind = token_kind::subnegotiation;
                    t.opt = sb_option_;
                    t.bytes = sb_;
                    return t;
                }
                // IAC x inside SB: the SB was never ended. Drop it and read x as a command
                // (x is not consumed: the state is IAC now).
                sb_.clear();
                state_ = state::iac;
                ec = errc::unterminated_subnegotiation;
                return std::nullopt;
            }
            case state::sb_skip: {
                const auto end = std::find(in.begin(), in.end(), iac);
                if (end == in.end()) {
                    in = in.subspan(in.size());
                } else {
                    in = in.subspan(static_cast<std::size_t>(end - in.begin()) + 1);
                    state_ = state::sb_skip_iac;
                }
                break;
            }
            case state::sb_skip_iac: {
                if (b == iac) {
                    in = in.subspan(1);
                    state_ = state::sb_skip;
                } else if (b == se) {
                    in = in.subspan(1);
                    state_ = state::data;
                } else {
                    state_ = state::iac;  // already reported: read x as a command, quietly
                }
                break;
            }
        }
    }
    return std::nullopt;
}

}  // namespace ssogate::protocols::telnet
