#pragma once
// A scripted conversation with a sans-I/O protocol object, replayed three ways:
//   whole          each peer_sends block fed in one receive() call,
//   split          each block cut in two at every offset (one fresh session per cut),
//   byte by byte   each block fed one byte per call.
// The same expectations must hold in every mode: what the object sent and which events it
// reported after each block. So a parser that mishandles an IAC at the end of a read fails here.
//
//   transcript<session>()
//       .expect_sent("ff fd 18"_hex)                    // round 0: it speaks first
//       .peer_sends("ff fb 18"_hex)                     // round 1
//       .expect_sent("ff fa 18 01 ff f0"_hex)
//       .peer_sends(...).expect_event(negotiated{...})  // round 2
//       .then([](session& s) { std::error_code ec; s.send_record(..., ec); })
//       .expect_sent(...)                               // round 3
//       .run_all([] { return session(role::host, {}); });
//
// A round is: peer bytes, then (optionally) the peer closing, then our actions, then the
// checks. A step that belongs earlier in a round than a step already given starts a new round.
// Checks are exact: all of pending_output() must equal the concatenated expect_sent bytes, and
// the drained events must equal the expect_event list, in order.
//
// The object needs: receive(span, error_code&) -> size_t, receive_eof(error_code&),
// next_event() -> optional<E> with E equality-comparable, pending_output(), consume_output(n).
#include "hex.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

namespace ssogate::test {

/// Which side of an annotated trace (tests/data/*.hex) the object under test plays. In the
/// files, as in x3270 traces, '<' lines go host -> terminal and '>' lines terminal -> host.
enum class trace_side { terminal, host };

template <class Session>
class transcript {
  public:
    using event_type = typename decltype(std::declval<Session&>().next_event())::value_type;
    using action = std::function<void(Session&)>;
    using describer = std::function<std::string(const event_type&)>;
    using marker = std::function<void(transcript&)>;

    transcript& peer_sends(const bytes& data) {
        auto& r = round_for(phase::input);
        r.input.insert(r.input.end(), data.begin(), data.end());
        return *this;
    }
    /// The peer closes after this round's bytes; receive_eof() must report `expected`.
    transcript& peer_closes(std::error_code expected = {}) {
        auto& r = round_for(phase::eof);
        r.eof = true;
        r.eof_error = expected;
        return *this;
    }
    /// Our side acts (sends a record, a command, ...) after the round's input.
    transcript& then(action a) {
        round_for(phase::action).actions.push_back(std::move(a));
        return *this;
    }
    transcript& expect_sent(const bytes& data) {
        auto& r = round_for(phase::check);
        r.sent.insert(r.sent.end(), data.begin(), data.end());
        return *this;
    }
    transcript& expect_event(event_type e) {
        round_for(phase::check).events.push_back(std::move(e));
        return *this;
    }
    /// receive() must fail with `ec` in this round (the first error counts; feeding stops).
    transcript& expect_error(std::error_code ec) {
        round_for(phase::check).error = ec;
        return *this;
    }
    /// Merges an event into the one before it when `m(previous, next)` returns true, in the
    /// events got, before comparing: for stream-like events whose cut depends on the reads
    /// (e.g. NVT data).
    transcript& merge_events_with(std::function<bool(event_type&, const event_type&)> m) {
        merge_ = std::move(m);
        return *this;
    }
    /// How events are shown in failure messages (default: operator<<, else gtest's printer).
    transcript& describe_events_with(describer d) {
        describe_ = std::move(d);
        return *this;
    }

    /// Appends an annotated hex trace: '<' / '>' lines of hex, '#' comments (also after the
    /// bytes), and "@name" lines that call markers.at(name) to add expectations at that point.
    transcript& load(const std::filesystem::path& file, trace_side we_are,
                     const std::map<std::string, marker>& markers = {}) {
        std::ifstream in(file);
        if (!in) throw std::runtime_error("transcript: cannot open " + file.string());
        const char peer_mark = we_are == trace_side::terminal ? '<' : '>';
        std::string line;
        while (std::getline(in, line)) {
            if (const auto hash = line.find('#'); hash != std::string::npos) line.erase(hash);
            const auto first = line.find_first_not_of(" \t\r");
            if (first == std::string::npos) continue;
            const char mark = line[first];
            const std::string rest = line.substr(first + 1);
            if (mark == '@') {
                std::string name = rest;
                name.erase(name.find_last_not_of(" \t\r") + 1);
                markers.at(name)(*this);
            } else if (mark == '<' || mark == '>') {
                const bytes data = parse_hex(rest);
                if (mark == peer_mark) {
                    peer_sends(data);
                } else {
                    expect_sent(data);
                }
            } else {
                throw std::runtime_error("transcript: bad line in " + file.string() + ": " + line);
            }
        }
        return *this;
    }

    template <class Factory>
    void run_whole(Factory&& make) const {
        SCOPED_TRACE("transcript fed whole");
        Session s = make();
        play(s, [](std::size_t, std::size_t n) { return std::vector<std::size_t>{n}; });
    }

    template <class Factory>
    void run_split(Factory&& make) const {
        for (std::size_t r = 0; r < rounds_.size(); ++r) {
            const std::size_t n = rounds_[r].input.size();
            for (std::size_t cut = 1; cut < n; ++cut) {
                SCOPED_TRACE("transcript round " + std::to_string(r) + " split at " +
                             std::to_string(cut));
                Session s = make();
                play(s, [&](std::size_t index, std::size_t len) {
                    if (index != r) return std::vector<std::size_t>{len};
                    return std::vector<std::size_t>{cut, len - cut};
                });
                if (::testing::Test::HasFailure()) return;  // one broken cut is enough to see
            }
        }
    }

    template <class Factory>
    void run_bytewise(Factory&& make) const {
        SCOPED_TRACE("transcript fed byte by byte");
        Session s = make();
        play(s, [](std::size_t, std::size_t n) { return std::vector<std::size_t>(n, 1); });
    }

    template <class Factory>
    void run_all(Factory&& make) const {
        run_whole(make);
        run_split(make);
        run_bytewise(make);
    }

    [[nodiscard]] std::size_t rounds() const noexcept { return rounds_.size(); }

  private:
    enum class phase { input, eof, action, check };

    struct round {
        bytes input;
        bool eof = false;
        std::error_code eof_error;
        std::vector<action> actions;
        bytes sent;
        std::vector<event_type> events;
        std::optional<std::error_code> error;
        phase last = phase::input;
        bool used = false;
    };

    round& round_for(phase p) {
        if (rounds_.empty() || (rounds_.back().used && p < rounds_.back().last))
            rounds_.emplace_back();
        auto& r = rounds_.back();
        r.last = std::max(r.last, p);
        r.used = true;
        return r;
    }

    std::string describe(const event_type& e) const {
        if (describe_) return describe_(e);
        if constexpr (requires(std::ostream & os) { os << e; }) {
            std::ostringstream os;
            os << e;
            return os.str();
        } else {
            return ::testing::PrintToString(e);
        }
    }

    // chunks(round index, input length) -> chunk sizes summing to the length.
    template <class Chunker>
    void play(Session& s, Chunker&& chunks) const {
        for (std::size_t i = 0; i < rounds_.size(); ++i) {
            SCOPED_TRACE("round " + std::to_string(i));
            const round& r = rounds_[i];
            std::error_code first_error;
            std::size_t offset = 0;
            for (std::size_t len : chunks(i, r.input.size())) {
                if (first_error) break;
                if (len == 0) continue;  // a round without peer bytes
                const std::span<const std::byte> chunk(r.input.data() + offset, len);
                std::error_code ec;
                const std::size_t used = s.receive(chunk, ec);
                if (ec) {
                    first_error = ec;
                } else {
                    EXPECT_EQ(used, len) << "receive() left input unconsumed without an error";
                }
                offset += len;
            }
            if (r.error) {
                EXPECT_EQ(first_error, *r.error) << first_error.message();
            } else {
                EXPECT_FALSE(first_error) << "unexpected error: " << first_error.message();
            }
            if (r.eof) {
                std::error_code ec;
                s.receive_eof(ec);
                EXPECT_EQ(ec, r.eof_error) << ec.message();
            }
            for (const auto& a : r.actions) a(s);

            const auto out = s.pending_output();
            EXPECT_EQ(to_hex(out), to_hex(r.sent)) << "bytes sent";
            s.consume_output(out.size());

            std::vector<event_type> got;
            while (auto e = s.next_event()) {
                if (merge_ && !got.empty() && merge_(got.back(), *e)) continue;
                got.push_back(std::move(*e));
            }
            if (got != r.events) {
                std::ostringstream msg;
                msg << "events differ\n  expected:";
                for (const auto& e : r.events) msg << "\n    " << describe(e);
                msg << "\n  got:";
                for (const auto& e : got) msg << "\n    " << describe(e);
                ADD_FAILURE() << msg.str();
            }
        }
    }

    std::vector<round> rounds_;
    describer describe_;
    std::function<bool(event_type&, const event_type&)> merge_;
};

}  // namespace ssogate::test
