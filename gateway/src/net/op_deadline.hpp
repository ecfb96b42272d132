#pragma once
// Internal to the gateway's I/O layer (included by gateway/src/net/*.cpp only): a deadline for
// socket operations whose timer handler can never touch a finished coroutine's state.
#include <boost/asio/steady_timer.hpp>
#include <boost/system/error_code.hpp>

#include <chrono>
#include <memory>

namespace ssogate::gateway::net {

/// A deadline for one operation at a time on a socket: arm() before it, disarm() after it. When
/// it fires, fired() turns true and the socket's operations end with an error: cancelled, or
/// closed with `close` (what a range connect needs to stop). A firing that raced the end of the
/// operation (or the deadline's destruction) finds a newer generation and does nothing; the
/// handler holds its own state, so it may run after the owner is gone. The socket must outlive
/// the deadline: declare the deadline after the socket or stream it guards.
template <class Socket>
class op_deadline {
  public:
    explicit op_deadline(Socket& sock) : sock_(sock), timer_(sock.get_executor()) {}
    ~op_deadline() { ++state_->generation; }
    op_deadline(const op_deadline&) = delete;
    op_deadline& operator=(const op_deadline&) = delete;

    void arm(std::chrono::milliseconds limit, bool close = false) {
        const unsigned mine = ++state_->generation;
        state_->fired = false;
        timer_.expires_after(limit);
        timer_.async_wait([st = state_, mine, close, &sock = sock_](boost::system::error_code e) {
            if (e || mine != st->generation) return;
            st->fired = true;
            boost::system::error_code ignored;
            if (close) sock.close(ignored);
            else sock.cancel(ignored);
        });
    }
    void disarm() {
        ++state_->generation;
        timer_.cancel();
    }
    [[nodiscard]] bool fired() const noexcept { return state_->fired; }

  private:
    struct state {
        unsigned generation = 0;
        bool fired = false;
    };
    Socket& sock_;
    boost::asio::steady_timer timer_;
    std::shared_ptr<state> state_ = std::make_shared<state>();
};

}  // namespace ssogate::gateway::net
