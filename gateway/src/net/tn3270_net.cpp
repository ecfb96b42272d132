// The TN3270 tools' I/O: `ssogate sample-host tn3270` (an acceptor, one coroutine per terminal,
// plain or TLS) and `ssogate probe` (one connection with deadlines). The protocol work is in
// sample_host::host_connection and probe_terminal; this file only moves bytes.
#include "../tn3270_probe.hpp"
#include "../tn3270_tools.hpp"
#include "accept_loop.hpp"
#include "op_deadline.hpp"

#include <ssogate/gateway/secret_service.hpp>
#include <ssogate/protocols/tn3270/codepage.hpp>
#include <ssogate/sample_host/host_connection.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <nlohmann/json.hpp>
#include <openssl/x509v3.h>
#include <spdlog/fmt/fmt.h>
#include <spdlog/spdlog.h>

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <memory>
#include <chrono>
#include <ctime>
#include <iostream>

namespace ssogate::gateway {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
namespace tn = protocols::tn3270;
using asio::ip::tcp;

namespace {

using net::op_deadline;

// ------------------------------------------------------------------ sample host

std::string utc_now() {
    const auto now = std::chrono::system_clock::now();
    const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count();
    const std::time_t t = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[40];
    const auto n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    std::snprintf(buf + n, sizeof buf - n, ".%03dZ", static_cast<int>(ms % 1000));
    return buf;
}

/// The sign-on attempt log: one JSON object a line, appended and flushed per attempt. Never a
/// password (the events carry none).
class attempt_log {
  public:
    explicit attempt_log(const std::filesystem::path& file) {
        if (file.empty()) return;
        fd_ = ::open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
        if (fd_ < 0) throw config_error("cannot open the attempt log " + file.string() + ": " + std::strerror(errno));
    }
    ~attempt_log() {
        if (fd_ >= 0) ::close(fd_);
    }
    attempt_log(const attempt_log&) = delete;
    attempt_log& operator=(const attempt_log&) = delete;

    void write(const sample_host::sign_on_attempt& a, const std::string& peer) {
        const nlohmann::json j = {{"time", utc_now()},
                                  {"user", a.user_id},
                                  {"outcome", sample_host::to_string(a.outcome)},
                                  {"peer", peer}};
        const std::string line = j.dump() + "\n";
        if (fd_ >= 0 && ::write(fd_, line.data(), line.size()) != static_cast<ssize_t>(line.size()))
            spdlog::warn("cannot write the attempt log: {}", std::strerror(errno));
    }

  private:
    int fd_ = -1;
};

struct host_state {
    const sample_host::screen_set& screens;
    sample_host::user_directory& users;
    sample_host::host_config cfg;
    attempt_log& log;
    std::chrono::milliseconds idle_timeout;
    std::size_t max_connections;
    unsigned connections = 0;  // names each connection's LU: SAMPL001, SAMPL002, ...
    std::size_t open = 0;      // connections being served now
};

/// Holds one of the host's connection places for the life of a connection; false when all are
/// taken (the caller closes the connection).
class connection_slot {
  public:
    connection_slot(host_state& s, const std::string& peer) : s_(s) {
        if (s_.open >= s_.max_connections) {
            spdlog::warn("refused {}: {} terminals connected (--max-connections)", peer, s_.open);
            return;
        }
        ++s_.open;
        held_ = true;
    }
    ~connection_slot() {
        if (held_) --s_.open;
    }
    connection_slot(const connection_slot&) = delete;
    connection_slot& operator=(const connection_slot&) = delete;
    [[nodiscard]] bool held() const noexcept { return held_; }

  private:
    host_state& s_;
    bool held_ = false;
};

std::string peer_of(const tcp::socket& sock) {
    boost::system::error_code ec;
    const auto ep = sock.remote_endpoint(ec);
    return ec ? "?" : ep.address().to_string() + ":" + std::to_string(ep.port());
}

template <class Stream>
asio::awaitable<void> serve_terminal(Stream& stream, const std::string& peer, host_state& s) {
    sample_host::host_config cfg = s.cfg;
    char lu[16];
    std::snprintf(lu, sizeof lu, "SAMPL%03u", ++s.connections % 1000);
    cfg.lu_name = lu;
    sample_host::host_connection conn(s.screens, s.users, cfg);
    std::array<std::byte, 4096> buf{};
    boost::system::error_code ec;
    // The idle timeout bounds every read and write: a terminal that goes quiet, or stops reading
    // what it is sent, gives its place back.
    op_deadline idle(stream.lowest_layer());
    const bool limited = s.idle_timeout.count() > 0;
    auto idle_ended = [&] {
        if (!idle.fired()) return false;
        spdlog::info("terminal {} idle for {} s: disconnected", peer,
                     std::chrono::duration<double>(s.idle_timeout).count());
        return true;
    };
    auto drain = [&] {
        while (auto e = conn.next_event()) {
            if (const auto* a = std::get_if<sample_host::sign_on_attempt>(&*e)) {
                spdlog::info("sign-on attempt from {}: user {} {}", peer, a->user_id.empty() ? "(unknown)" : a->user_id,
                             sample_host::to_string(a->outcome));
                s.log.write(*a, peer);
            } else {
                spdlog::info("{} signed off ({})", std::get<sample_host::signed_off>(*e).user_id, peer);
            }
        }
    };
    for (;;) {
        while (conn.want_write()) {
            const auto out = conn.pending_output();
            if (limited) idle.arm(s.idle_timeout, true);
            const std::size_t n = co_await asio::async_write(stream, asio::buffer(out.data(), out.size()),
                                                             asio::redirect_error(asio::use_awaitable, ec));
            idle.disarm();
            if (ec) {
                idle_ended();
                co_return;
            }
            conn.consume_output(n);
        }
        if (!conn.want_read()) co_return;
        if (limited) idle.arm(s.idle_timeout, true);
        const std::size_t n = co_await stream.async_read_some(asio::buffer(buf), asio::redirect_error(asio::use_awaitable, ec));
        idle.disarm();
        std::error_code pec;
        if (ec) {
            idle_ended();
            conn.receive_eof(pec);
            drain();
            co_return;
        }
        conn.receive(std::span<const std::byte>(buf.data(), n), pec);
        drain();
        if (pec) {
            spdlog::warn("{}: {}", peer, pec.message());
            co_return;
        }
    }
}

asio::awaitable<void> serve_plain(tcp::socket sock, host_state& s) {
    boost::system::error_code ec;
    const std::string peer = peer_of(sock);
    const connection_slot slot(s, peer);
    if (!slot.held()) co_return;  // the socket closes with this frame
    spdlog::info("terminal connected from {}", peer);
    co_await serve_terminal(sock, peer, s);
    sock.close(ec);
    spdlog::info("terminal {} disconnected", peer);
}

asio::awaitable<void> serve_tls(tcp::socket sock, ssl::context& ctx, host_state& s) {
    boost::system::error_code ec;
    const std::string peer = peer_of(sock);
    const connection_slot slot(s, peer);
    if (!slot.held()) co_return;
    ssl::stream<tcp::socket> stream(std::move(sock), ctx);
    op_deadline deadline(stream.lowest_layer());
    deadline.arm(std::chrono::seconds(10), true);
    co_await stream.async_handshake(ssl::stream_base::server, asio::redirect_error(asio::use_awaitable, ec));
    deadline.disarm();
    if (ec) {
        spdlog::warn("TLS handshake with {} failed: {}", peer, ec.message());
        co_return;
    }
    spdlog::info("terminal connected from {} (TLS)", peer);
    co_await serve_terminal(stream, peer, s);
    // close_notify both ways, unless the terminal never answers it.
    deadline.arm(std::chrono::seconds(5), true);
    co_await stream.async_shutdown(asio::redirect_error(asio::use_awaitable, ec));
    deadline.disarm();
    spdlog::info("terminal {} disconnected", peer);
}

tcp::endpoint resolve(asio::io_context& io, const std::string& host, std::uint16_t port) {
    tcp::resolver r(io);
    boost::system::error_code ec;
    const auto results = r.resolve(host, std::to_string(port), ec);
    if (ec || results.empty()) throw config_error("cannot resolve " + host + ": " + ec.message());
    return results.begin()->endpoint();
}

// ------------------------------------------------------------------ probe

class probe_failure : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

/// The probe's TLS client: TLS 1.2 or later; the host's certificate checked against --ca-file or
/// the system's store unless --insecure.
ssl::context probe_tls_context(const probe_options& o) {
    ssl::context ctx(ssl::context::tls_client);
    SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_2_VERSION);
    if (o.insecure) {
        ctx.set_verify_mode(ssl::verify_none);
        return ctx;
    }
    boost::system::error_code ec;
    if (o.ca_file.empty()) ctx.set_default_verify_paths(ec);
    else ctx.load_verify_file(o.ca_file.string(), ec);
    if (ec)
        throw probe_failure(o.ca_file.empty() ? "cannot load the system's CA certificates: " + ec.message()
                                              : "cannot load the CA certificates " + o.ca_file.string() + ": " +
                                                    ec.message());
    ctx.set_verify_mode(ssl::verify_peer);
    return ctx;
}

/// The certificate must name the URL's host: a DNS name (wildcards only as a whole left-most
/// label), or an IP address as an IP subjectAltName (RFC 6125). SNI carries names only (RFC 6066
/// section 3).
void expect_host_in_certificate(SSL* ssl, const probe_options& o) {
    boost::system::error_code ec;
    (void)asio::ip::make_address(o.host, ec);
    const bool is_ip = !ec;
    if (!is_ip)
        SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, const_cast<char*>(o.host.c_str()));
    if (o.insecure) return;
    X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    const int ok = is_ip ? X509_VERIFY_PARAM_set1_ip_asc(param, o.host.c_str())
                         : X509_VERIFY_PARAM_set1_host(param, o.host.c_str(), o.host.size());
    if (ok != 1) throw probe_failure("cannot check a certificate against the host name '" + o.host + "'");
}

/// Why a TLS handshake failed, naming the certificate check when that was it.
std::string tls_failure(SSL* ssl, const boost::system::error_code& ec, const probe_options& o) {
    const long verdict = SSL_get_verify_result(ssl);
    if (o.insecure || verdict == X509_V_OK) return ec.message();
    return std::string("the host's certificate is not accepted: ") + X509_verify_cert_error_string(verdict) +
           (o.ca_file.empty() ? " (--ca-file FILE names the CA that issued it; --insecure skips the check)"
                              : " (checked against " + o.ca_file.string() + "; --insecure skips the check)");
}

template <class Stream>
asio::awaitable<void> probe_session(Stream& stream, probe_terminal& t, const probe_options& o, std::ostream& out) {
    std::array<std::byte, 8192> buf{};
    boost::system::error_code ec;
    op_deadline deadline(stream.lowest_layer());

    auto flush = [&]() -> asio::awaitable<void> {
        while (!t.pending_output().empty()) {
            const auto p = t.pending_output();
            const std::size_t n = co_await asio::async_write(stream, asio::buffer(p.data(), p.size()),
                                                             asio::redirect_error(asio::use_awaitable, ec));
            if (ec) throw probe_failure("cannot send to the host: " + ec.message());
            t.consume_output(n);
        }
    };
    // Reads until `done()` or the deadline; false on timeout (the deadline cancels the read).
    // `quiet_close`: the host closing ends the wait (true) instead of failing it.
    auto read_until = [&](auto done, std::chrono::milliseconds limit, bool quiet_close) -> asio::awaitable<bool> {
        deadline.arm(limit);
        while (!done()) {
            co_await flush();
            const std::size_t n =
                co_await stream.async_read_some(asio::buffer(buf), asio::redirect_error(asio::use_awaitable, ec));
            // Bytes that arrived as the deadline fired still count.
            if (n > 0 && !t.receive(std::span<const std::byte>(buf.data(), n))) {
                deadline.disarm();
                throw probe_failure(t.error());
            }
            if (deadline.fired()) co_return false;
            if (ec) {
                t.receive_eof();
                deadline.disarm();
                const bool closed = ec == asio::error::eof || ec == ssl::error::stream_truncated;
                if (closed && quiet_close) co_return true;
                throw probe_failure(closed ? "the host closed the connection"
                                           : "cannot read from the host: " + ec.message());
            }
            co_await flush();
        }
        deadline.disarm();
        co_return true;
    };
    auto wait_screen = [&]() -> asio::awaitable<void> {
        if (!co_await read_until([&] { return t.ready(); }, o.timeout, false)) {
            const std::string within = " within " + std::to_string(o.timeout.count()) + " ms";
            if (t.renegotiating()) throw probe_failure("the host left 3270 mode and did not negotiate again" + within);
            if (!t.heard_from_host())
                throw probe_failure("the host sent nothing" + within +
                                    (o.tls ? std::string() : std::string(" (a TLS port? tn3270s://)")));
            throw probe_failure("no screen from the host" + within);
        }
        // A host may write several records: take what follows within a short quiet time (a host
        // that closes after its last screen, e.g. after a logoff, has still shown it).
        ec = {};
        (void)co_await read_until([] { return false; }, std::chrono::milliseconds(150), true);
    };

    co_await wait_screen();
    if (o.json) {
        out << "{\"negotiation\":" << t.negotiation_json() << ",\"screens\":[" << t.screen_json("connect");
    } else {
        out << t.negotiation_text() << t.screen_text("screen after connect");
    }
    for (const auto& step : o.steps) {
        if (t.closed()) throw probe_failure("the host closed the connection");
        if (!t.run(step)) throw probe_failure(t.error());
        if (step.what != probe_step::kind::key) continue;
        co_await flush();
        co_await wait_screen();
        if (o.json) out << "," << t.screen_json(step.text);
        else out << t.screen_text("screen after " + step.text);
        t.clear_actions();
    }
    if (o.json) out << "]}\n";
    out.flush();
}

}  // namespace

int run_sample_host_tn3270(const sample_host_options& o) {
    const auto page = tn::codepage::parse(o.code_page);
    if (!page) throw config_error("--code-page must be one of cp037, cp1047, cp500, cp273, cp285");
    if (o.tls_cert.empty() != o.tls_key.empty()) throw config_error("--tls-cert and --tls-key go together");
    sample_host::screen_set screens;
    sample_host::user_directory users;
    try {
        screens = o.screens_dir.empty() ? sample_host::screen_set::built_in()
                                        : sample_host::screen_set::load_directory(o.screens_dir);
        users = sample_host::user_directory::load(o.users_file);
    } catch (const sample_host::screen_file_error& e) {
        throw config_error(e.what());
    } catch (const sample_host::users_file_error& e) {
        throw config_error(e.what());
    }
    attempt_log log(o.attempt_log);

    init_service_logging();
    asio::io_context io;
    std::optional<ssl::context> ctx;
    if (!o.tls_cert.empty()) {
        ctx.emplace(ssl::context::tls_server);
        SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
        boost::system::error_code ec;
        ctx->use_certificate_chain_file(o.tls_cert.string(), ec);
        if (ec) throw config_error("cannot load the certificate " + o.tls_cert.string() + ": " + ec.message());
        ctx->use_private_key_file(o.tls_key.string(), ssl::context::pem, ec);
        if (ec) throw config_error("cannot load the private key " + o.tls_key.string() + ": " + ec.message());
    }
    tcp::acceptor acceptor(io);
    {
        const auto ep = resolve(io, o.listen.host, o.listen.port);
        boost::system::error_code ec;
        acceptor.open(ep.protocol(), ec);
        if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
        if (!ec) acceptor.bind(ep, ec);
        if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
        if (ec) throw config_error("cannot listen on " + o.listen.to_string() + ": " + ec.message());
    }
    const auto bound = acceptor.local_endpoint();
    spdlog::info("sample host tn3270 listening on {}:{} ({}, {}, {} users, {} screens, code page {}, idle timeout {}, "
                 "at most {} terminals)",
                 bound.address().to_string(), bound.port(), ctx ? "TLS" : "plain",
                 o.tn3270e ? "TN3270E offered" : "plain TN3270 only", users.size(), screens.size(),
                 tn::codepage::get(*page).name(),
                 o.idle_timeout.count() > 0 ? fmt::format("{} s", std::chrono::duration<double>(o.idle_timeout).count()) : "none",
                 o.max_connections);

    sample_host::host_config cfg;
    cfg.code_page = *page;
    cfg.tn3270e = o.tn3270e;
    host_state state{screens, users, cfg, log, o.idle_timeout, o.max_connections};
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](boost::system::error_code, int sig) {
        spdlog::info("signal {}: stopping", sig);
        acceptor.close();
        io.stop();
    });
    if (ctx) {
        asio::co_spawn(io,
                       net::accept_loop(acceptor, [&](tcp::socket sock) { return serve_tls(std::move(sock), *ctx, state); },
                                        "terminal session"),
                       asio::detached);
    } else {
        asio::co_spawn(io,
                       net::accept_loop(acceptor, [&](tcp::socket sock) { return serve_plain(std::move(sock), state); },
                                        "terminal session"),
                       asio::detached);
    }
    io.run();
    return 0;
}

int run_probe(const probe_options& o) {
    probe_terminal t(o);  // checks the model and code page first (config_error: exit 1)
    asio::io_context io;
    std::string failure;
    std::ostringstream out;
    auto run = [&](auto& stream, auto connect) {
        bool done = false;
        asio::co_spawn(
            io,
            [&]() -> asio::awaitable<void> {
                co_await connect();
                co_await probe_session(stream, t, o, out);
            },
            [&](std::exception_ptr e) {
                done = true;
                if (!e) return;
                try {
                    std::rethrow_exception(e);
                } catch (const boost::system::system_error& ex) {
                    failure = ex.code().message();
                } catch (const std::exception& ex) {
                    failure = ex.what();
                }
            });
        io.run();
        if (!done && failure.empty()) failure = "stopped";
    };
    const std::string where = o.host + ":" + std::to_string(o.port);
    try {
        tcp::resolver r(io);
        boost::system::error_code ec;
        const auto endpoints = r.resolve(o.host, std::to_string(o.port), ec);
        if (ec) throw probe_failure("cannot resolve " + o.host + ": " + ec.message());
        // The connect gets the same deadline as each screen.
        auto connect_with_deadline = [&](tcp::socket& sock) -> asio::awaitable<void> {
            op_deadline deadline(sock);
            deadline.arm(o.timeout, true);  // a range connect stops on a closed socket only
            boost::system::error_code cec;
            co_await asio::async_connect(sock, endpoints, asio::redirect_error(asio::use_awaitable, cec));
            deadline.disarm();
            if (deadline.fired()) throw probe_failure("cannot connect to " + where + ": no answer");
            if (cec) throw probe_failure("cannot connect to " + where + ": " + cec.message());
        };
        if (o.tls) {
            ssl::context ctx = probe_tls_context(o);
            ssl::stream<tcp::socket> stream(io, ctx);
            expect_host_in_certificate(stream.native_handle(), o);
            run(stream, [&]() -> asio::awaitable<void> {
                co_await connect_with_deadline(stream.next_layer());
                op_deadline deadline(stream.lowest_layer());
                deadline.arm(o.timeout);
                boost::system::error_code hec;
                co_await stream.async_handshake(ssl::stream_base::client, asio::redirect_error(asio::use_awaitable, hec));
                deadline.disarm();
                if (deadline.fired())
                    throw probe_failure("TLS handshake with " + where + " failed: no TLS answer within " +
                                        std::to_string(o.timeout.count()) + " ms (a plain TN3270 port? tn3270://)");
                if (hec) throw probe_failure("TLS handshake with " + where + " failed: " + tls_failure(stream.native_handle(), hec, o));
            });
        } else {
            tcp::socket sock(io);
            run(sock, [&]() -> asio::awaitable<void> { co_await connect_with_deadline(sock); });
        }
    } catch (const probe_failure& e) {
        failure = e.what();
    }
    // Text shows the screens that came before a failure; JSON is printed whole or not at all.
    if (failure.empty() || !o.json) std::cout << out.str();
    std::cout.flush();
    if (!failure.empty()) {
        std::cerr << "ssogate probe: " << failure << "\n";
        return 1;
    }
    return 0;
}

}  // namespace ssogate::gateway
