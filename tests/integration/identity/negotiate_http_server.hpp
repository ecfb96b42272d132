#pragma once
// A tiny HTTP/1.1 server for the Negotiate tests: plain POSIX sockets on 127.0.0.1, one thread,
// keep-alive, and the identity library's negotiate_acceptor deciding every request:
//   no Authorization   -> 401, WWW-Authenticate: Negotiate
//   accepted           -> 200, WWW-Authenticate: Negotiate <mutual token>, JSON body with the principal
//   refused            -> 401, JSON body {"error": errc name, "message": ...}
#include <ssogate/identity/negotiate_acceptor.hpp>

#include <atomic>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace ssogate::test {

class negotiate_http_server {
public:
    explicit negotiate_http_server(const identity::negotiate_acceptor& acceptor);
    /// The same, with a whole authenticator deciding (negotiate_evidence from 127.0.0.1): the
    /// acceptor plus what the authenticator adds (the directory's groups and account state).
    explicit negotiate_http_server(identity::authenticator& authenticator);
    ~negotiate_http_server();
    negotiate_http_server(const negotiate_http_server&) = delete;
    negotiate_http_server& operator=(const negotiate_http_server&) = delete;

    [[nodiscard]] int port() const noexcept { return port_; }
    /// Every Authorization value received, in order.
    [[nodiscard]] std::vector<std::string> authorizations() const;

private:
    void serve();
    void handle(int fd);
    std::string answer(const std::string& authorization);

    void start();

    std::function<identity::outcome(const std::string&)> decide_;
    int listen_fd_ = -1;
    int port_ = 0;
    std::atomic<bool> stop_{false};
    mutable std::mutex mutex_;
    std::vector<std::string> seen_;
    std::thread thread_;
};

struct http_reply {
    int status = 0;
    std::string headers;  // the header block, lines joined with "\r\n"
    std::string body;
};

/// One GET / to 127.0.0.1:port with the given Authorization value ("" = none), Connection: close.
http_reply raw_get(int port, const std::string& authorization);

}  // namespace ssogate::test
