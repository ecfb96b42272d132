#pragma once
// Internal to the gateway's I/O layer: one accept loop for every listener. Each connection runs
// as its own coroutine; one that throws is logged and never takes the process down.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include <chrono>
#include <exception>
#include <string_view>

namespace ssogate::gateway::net {

/// Whether an accept failed for want of a file descriptor or kernel memory: retrying at once
/// would fail the same way (the connection waits in the listen backlog meanwhile).
inline bool out_of_resources(const boost::system::error_code& ec) {
    namespace err = boost::asio::error;
    return ec == err::no_descriptors || ec == boost::system::errc::too_many_files_open_in_system ||
           ec == err::no_buffer_space || ec == err::no_memory;
}

/// Accept until the acceptor is closed; `serve(socket)` returns the awaitable for one connection.
/// Out of file descriptors (EMFILE, ENFILE) or memory, it waits 100 ms before each new try and
/// logs once per episode, while the connections it has keep being served.
template <class Acceptor, class Serve>
boost::asio::awaitable<void> accept_loop(Acceptor& acceptor, Serve serve, std::string_view what) {
    namespace asio = boost::asio;
    asio::steady_timer pause(acceptor.get_executor());
    bool starved = false;
    for (;;) {
        boost::system::error_code ec;
        auto sock = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
        if (ec) {
            if (!acceptor.is_open()) co_return;
            if (out_of_resources(ec)) {
                if (!starved)
                    spdlog::warn("cannot accept a connection ({}): {}; trying again every 100 ms", what, ec.message());
                starved = true;
                pause.expires_after(std::chrono::milliseconds(100));
                co_await pause.async_wait(asio::redirect_error(asio::use_awaitable, ec));
            }
            continue;
        }
        if (starved) {
            spdlog::info("accepting connections ({}) again", what);
            starved = false;
        }
        asio::co_spawn(acceptor.get_executor(), serve(std::move(sock)), [what](std::exception_ptr e) {
            if (!e) return;
            try {
                std::rethrow_exception(e);
            } catch (const std::exception& ex) {
                spdlog::error("{} failed: {}", what, ex.what());
            }
        });
    }
}

}  // namespace ssogate::gateway::net
