#include "negotiate_http_server.hpp"

#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>

namespace ssogate::test {
namespace {

std::string lower(std::string s) {
    for (auto& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

bool send_all(int fd, const std::string& data) {
    std::size_t off = 0;
    while (off < data.size()) {
        const ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
        if (n <= 0) return false;
        off += static_cast<std::size_t>(n);
    }
    return true;
}

std::string response(int status, const std::string& reason, const std::string& www, const std::string& body) {
    std::string r = "HTTP/1.1 " + std::to_string(status) + " " + reason + "\r\n";
    if (!www.empty()) r += "WWW-Authenticate: " + www + "\r\n";
    r += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
    return r;
}

}  // namespace

negotiate_http_server::negotiate_http_server(const identity::negotiate_acceptor& acceptor)
    : decide_([&acceptor](const std::string& authorization) { return acceptor.accept(authorization); }) {
    start();
}

negotiate_http_server::negotiate_http_server(identity::authenticator& authenticator)
    : decide_([&authenticator](const std::string& authorization) {
          return authenticator.authenticate(identity::negotiate_evidence{authorization, "127.0.0.1"});
      }) {
    start();
}

void negotiate_http_server::start() {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(listen_fd_, 16) != 0)
        throw std::runtime_error("cannot listen on 127.0.0.1");
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
}

negotiate_http_server::~negotiate_http_server() {
    stop_ = true;
    thread_.join();
    ::close(listen_fd_);
}

std::vector<std::string> negotiate_http_server::authorizations() const {
    std::lock_guard lock(mutex_);
    return seen_;
}

void negotiate_http_server::serve() {
    while (!stop_) {
        pollfd p{listen_fd_, POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0) continue;
        const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0) continue;
        timeval tv{5, 0};
        ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
        handle(fd);
        ::close(fd);
    }
}

void negotiate_http_server::handle(int fd) {
    std::string buffer;
    char chunk[4096];
    while (!stop_) {
        std::size_t end;
        while ((end = buffer.find("\r\n\r\n")) == std::string::npos) {
            if (buffer.size() > 256 * 1024) return;
            const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
            if (n <= 0) return;
            buffer.append(chunk, static_cast<std::size_t>(n));
        }
        const std::string head = buffer.substr(0, end);
        buffer.erase(0, end + 4);
        std::string authorization;
        bool close = false;
        std::size_t pos = head.find("\r\n");
        while (pos != std::string::npos) {
            const std::size_t next = head.find("\r\n", pos + 2);
            const std::string line = head.substr(pos + 2, next == std::string::npos ? std::string::npos : next - pos - 2);
            const auto colon = line.find(':');
            if (colon != std::string::npos) {
                const std::string name = lower(line.substr(0, colon));
                std::string value = line.substr(colon + 1);
                while (!value.empty() && value.front() == ' ') value.erase(0, 1);
                if (name == "authorization") authorization = value;
                if (name == "connection" && lower(value) == "close") close = true;
            }
            pos = next;
        }
        if (!send_all(fd, answer(authorization)) || close) return;
    }
}

std::string negotiate_http_server::answer(const std::string& authorization) {
    if (authorization.empty()) return response(401, "Unauthorized", "Negotiate", "{\"error\":\"no credentials\"}");
    {
        std::lock_guard lock(mutex_);
        seen_.push_back(authorization);
    }
    const auto o = decide_(authorization);
    const std::string www = o.negotiate_reply.empty() ? "" : "Negotiate " + o.negotiate_reply;
    if (!o) {
        const nlohmann::json j{{"error", std::string(identity::to_string(static_cast<identity::errc>(o.code().value())))},
                               {"message", o.refused.message}};
        return response(401, "Unauthorized", www, j.dump());
    }
    nlohmann::json j{{"principal", o.identity->principal.name() + "@" + o.identity->principal.realm()},
                     {"key", o.identity->principal.key()},
                     {"kerberos", o.identity->kerberos_name},
                     {"sid", o.identity->sid ? nlohmann::json(*o.identity->sid) : nlohmann::json(nullptr)},
                     {"groups", nlohmann::json::array()}};
    for (const auto& g : o.identity->groups)
        j["groups"].push_back({{"name", g.principal.name() + "@" + g.principal.realm()},
                               {"sid", g.sid ? nlohmann::json(*g.sid) : nlohmann::json(nullptr)}});
    return response(200, "OK", www, j.dump());
}

http_reply raw_get(int port, const std::string& authorization) {
    http_reply r;
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval tv{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return r;
    }
    std::string req = "GET / HTTP/1.1\r\nHost: localhost\r\n";
    if (!authorization.empty()) req += "Authorization: " + authorization + "\r\n";
    req += "Connection: close\r\n\r\n";
    send_all(fd, req);
    std::string resp;
    char buf[4096];
    for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) resp.append(buf, static_cast<std::size_t>(n));
    ::close(fd);
    if (resp.rfind("HTTP/1.1 ", 0) == 0) r.status = std::atoi(resp.c_str() + 9);
    if (const auto p = resp.find("\r\n\r\n"); p != std::string::npos) {
        r.headers = resp.substr(0, p);
        r.body = resp.substr(p + 4);
    }
    return r;
}

}  // namespace ssogate::test
