#pragma once
// Internal to the gateway's I/O layer: one accept loop for every listener. Each connection runs
// as its own coroutine; one that throws is logged and never takes the process down.
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <spdlog/spdlog.h>

#include <exception>
#include <string_view>

namespace ssogate::gateway::net {

/// Accept until the acceptor is closed; `serve(socket)` returns the awaitable for one connection.
template <class Acceptor, class Serve>
boost::asio::awaitable<void> accept_loop(Acceptor& acceptor, Serve serve, std::string_view what) {
    namespace asio = boost::asio;
    for (;;) {
        boost::system::error_code ec;
        auto sock = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
        if (ec) {
            if (!acceptor.is_open()) co_return;
            continue;
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
