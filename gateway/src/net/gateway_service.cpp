// The gateway process: the keyring keeper (a thread that fetches, retries with capped
// exponential backoff, re-checks and writes heartbeats) and the management listener
// (Boost.Beast: /healthz, /metrics) on one io_context thread.
#include "../clock.hpp"
#include "accept_loop.hpp"
#include "op_deadline.hpp"
#include <ssogate/credstore/store.hpp>
#include <ssogate/gateway/gateway_service.hpp>
#include <ssogate/gateway/secret_service.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

namespace ssogate::gateway {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using asio::ip::tcp;
using namespace credstore;
using json = nlohmann::json;

namespace {



/// What the management listener reports; written by the keeper, read by HTTP handlers.
class gateway_state {
public:
    struct snapshot {
        std::shared_ptr<const keyring> ring;
        std::string server, last_error;
        std::int64_t unsealed_at = 0, started_at = 0, next_retry_at = 0;
        std::uint64_t fetch_ok = 0, fetch_failed = 0;
    };
    snapshot get() const {
        std::lock_guard lock(mutex_);
        return s_;
    }
    template <class F>
    void update(F&& f) {
        std::lock_guard lock(mutex_);
        f(s_);
    }

private:
    mutable std::mutex mutex_;
    snapshot s_;
};

/// The keyring keeper. Flow: fetch -> (unsealed: wait recheck_seconds | sealed: wait backoff,
/// doubled up to backoff_max_ms) -> fetch ... A failed re-check keeps the keyring it holds.
class keeper {
public:
    keeper(const config& cfg, gateway_state& state) : cfg_(cfg), state_(state) {}

    void run() {
        std::unique_ptr<store> st;
        int backoff = 250;
        const auto started = now_ms();
        state_.update([&](auto& s) { s.started_at = started; });
        while (!stopping()) {
            fetch_result r;
            try {
                r = fetch_keyring(cfg_);
            } catch (const std::exception& e) {
                r.error = e.what();
            }
            bool unsealed = false;
            if (r.ring) {
                std::shared_ptr<const keyring> ring(std::move(r.ring));
                std::string problem;
                try {
                    if (!st) st = store::open(store_options_for(cfg_, "gateway:" + cfg_.gateway.id));
                    st->attach(*ring);  // the keyring must be this store's
                } catch (const std::exception& e) {
                    problem = e.what();
                    st.reset();
                }
                if (problem.empty()) {
                    publish(ring, r.server);
                    unsealed = true;
                } else {
                    fail(r.server + ": " + problem);
                }
            } else {
                fail(r.error);
            }
            const auto snap = state_.get();
            heartbeat(st, snap, started);
            int wait_ms;
            if (snap.ring) {
                wait_ms = cfg_.gateway.recheck_seconds * 1000;
                backoff = 250;
                if (!unsealed) spdlog::warn("keyring re-check failed, keeping the keyring held: {}", snap.last_error);
            } else {
                wait_ms = backoff;
                backoff = std::min(backoff * 2, cfg_.gateway.backoff_max_ms);
                spdlog::warn("sealed: no secret server answered ({}); retrying in {} ms", snap.last_error, wait_ms);
            }
            state_.update([&](auto& s) { s.next_retry_at = now_ms() + wait_ms; });
            sleep(wait_ms);
        }
    }

    void stop() {
        {
            std::lock_guard lock(mutex_);
            stop_ = true;
        }
        cv_.notify_all();
    }
    /// Re-check at once (a value under a key version the gateway lacks).
    void recheck_now() {
        {
            std::lock_guard lock(mutex_);
            wake_ = true;
        }
        cv_.notify_all();
    }

private:
    bool stopping() {
        std::lock_guard lock(mutex_);
        return stop_;
    }
    void sleep(int ms) {
        std::unique_lock lock(mutex_);
        cv_.wait_for(lock, std::chrono::milliseconds(ms), [&] { return stop_ || wake_; });
        wake_ = false;
    }
    void publish(std::shared_ptr<const keyring> ring, const std::string& server) {
        const auto before = state_.get();
        const bool changed = !before.ring || before.ring->fingerprint() != ring->fingerprint() ||
                             version_list(*before.ring) != version_list(*ring);
        state_.update([&](auto& s) {
            if (changed) {
                s.ring = ring;
                s.unsealed_at = now_ms();
            }
            s.server = server;
            s.last_error.clear();
            ++s.fetch_ok;
        });
        if (changed)
            spdlog::info("unsealed: keyring {} (key versions {}) from {}", ring->fingerprint(),
                         version_list(*ring), server);
    }
    void fail(const std::string& error) {
        state_.update([&](auto& s) {
            s.last_error = error;
            ++s.fetch_failed;
        });
    }
    void heartbeat(std::unique_ptr<store>& st, const gateway_state::snapshot& snap, std::int64_t started) {
        try {
            if (!st) st = store::open(store_options_for(cfg_, "gateway:" + cfg_.gateway.id));
            heartbeat_row(*st, snap, started);
        } catch (const std::exception& e) {
            spdlog::warn("cannot write the heartbeat: {}", e.what());
            st.reset();
        }
    }
    void heartbeat_row(store& st, const gateway_state::snapshot& snap, std::int64_t started) {
        credstore::heartbeat hb;
        hb.gateway_id = cfg_.gateway.id;
        hb.state = snap.ring ? "unsealed" : "sealed";
        hb.fingerprint = snap.ring ? snap.ring->fingerprint() : "";
        hb.key_versions = snap.ring ? version_list(*snap.ring) : "";
        hb.started_at = started;
        hb.seen_at = now_ms();
        st.write_heartbeat(hb);
    }

    const config& cfg_;
    gateway_state& state_;
    std::mutex mutex_;
    std::condition_variable cv_;
    bool stop_ = false, wake_ = false;
};

// ------------------------------------------------------------------ management listener

std::string iso_time(std::int64_t ms) {
    if (ms <= 0) return "";
    const std::time_t t = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

http::response<http::string_body> answer(const http::request<http::string_body>& req, const config& cfg,
                                         const gateway_state& state) {
    http::response<http::string_body> res;
    res.version(req.version());
    res.keep_alive(false);
    res.set(http::field::server, "ssogate");
    const auto snap = state.get();
    std::string target(req.target());
    target = target.substr(0, target.find('?'));
    if (req.method() != http::verb::get && req.method() != http::verb::head) {
        res.result(http::status::method_not_allowed);
        res.set(http::field::allow, "GET, HEAD");
        res.set(http::field::content_type, "application/json");
        res.body() = json{{"error", "only GET is served here"}}.dump();
    } else if (target == "/healthz") {
        json j = {{"gateway", cfg.gateway.id}, {"started", iso_time(snap.started_at)}};
        if (snap.ring) {
            json versions = json::array();
            for (const auto& v : snap.ring->versions()) versions.push_back(v.version);
            j["state"] = "unsealed";
            j["keyring"] = snap.ring->fingerprint();
            j["key_versions"] = versions;
            j["unsealed_since"] = iso_time(snap.unsealed_at);
            j["secret_server"] = snap.server;
            if (!snap.last_error.empty()) j["last_recheck_error"] = snap.last_error;
            res.result(http::status::ok);
        } else {
            j["state"] = "sealed";
            j["reason"] = snap.last_error.empty() ? "starting" : snap.last_error;
            j["next_retry"] = iso_time(snap.next_retry_at);
            res.result(http::status::service_unavailable);
        }
        res.set(http::field::content_type, "application/json");
        res.body() = j.dump();
    } else if (target == "/metrics") {
        std::string m;
        m += "# HELP ssogate_keyring_unsealed 1 when the gateway holds the keyring.\n";
        m += "# TYPE ssogate_keyring_unsealed gauge\n";
        m += "ssogate_keyring_unsealed " + std::string(snap.ring ? "1" : "0") + "\n";
        m += "# HELP ssogate_keyring_key_versions Key versions the gateway holds.\n";
        m += "# TYPE ssogate_keyring_key_versions gauge\n";
        m += "ssogate_keyring_key_versions " + std::to_string(snap.ring ? snap.ring->versions().size() : 0) + "\n";
        m += "# HELP ssogate_keyring_fetch_total Keyring fetches from secret servers, by result.\n";
        m += "# TYPE ssogate_keyring_fetch_total counter\n";
        m += "ssogate_keyring_fetch_total{result=\"ok\"} " + std::to_string(snap.fetch_ok) + "\n";
        m += "ssogate_keyring_fetch_total{result=\"error\"} " + std::to_string(snap.fetch_failed) + "\n";
        m += "# HELP ssogate_start_time_seconds When the gateway started (unix time).\n";
        m += "# TYPE ssogate_start_time_seconds gauge\n";
        m += "ssogate_start_time_seconds " + std::to_string(snap.started_at / 1000) + "\n";
        res.result(http::status::ok);
        res.set(http::field::content_type, "text/plain; version=0.0.4");
        res.body() = std::move(m);
    } else {
        res.result(http::status::not_found);
        res.set(http::field::content_type, "application/json");
        res.body() = json{{"error", "not found"}, {"paths", {"/healthz", "/metrics"}}}.dump();
    }
    res.prepare_payload();
    if (req.method() == http::verb::head) res.body().clear();  // Content-Length stays
    return res;
}

asio::awaitable<void> serve_http(tcp::socket sock, const config& cfg, const gateway_state& state) {
    beast::tcp_stream stream(std::move(sock));
    beast::flat_buffer buffer;
    http::request_parser<http::string_body> parser;
    parser.body_limit(4096);
    parser.header_limit(8192);
    boost::system::error_code ec;
    stream.expires_after(std::chrono::seconds(10));
    co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
    http::response<http::string_body> res;
    if (ec) {
        if (ec == http::error::end_of_stream) co_return;
        res.result(http::status::bad_request);
        res.set(http::field::content_type, "application/json");
        res.body() = json{{"error", "bad request: " + ec.message()}}.dump();
        res.keep_alive(false);
        res.prepare_payload();
    } else {
        res = answer(parser.get(), cfg, state);
    }
    co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}


// ------------------------------------------------------------------ local admin socket

using local = asio::local::stream_protocol;

/// A client has this long to send its request line, and the line may be this long: a client
/// that connects and stays silent (or stops half-way) is cut off instead of holding a socket.
constexpr auto admin_read_timeout = std::chrono::seconds(5);
constexpr std::size_t admin_max_line = 4096;

/// Emergency export. Flow: peer uid (SO_PEERCRED) must be root or ours -> "EXPORT" -> the
/// gateway must hold the keyring -> a recovery key must be registered (MAC-verified with the
/// keyring) -> audited -> "OK n" + the keyring encrypted to that recovery key only.
/// "CHECK app<TAB>user[<TAB>group...]": resolve with the gateway's own keyring and say what
/// it found: the host user and the mapping, never a secret. A value under a key version the
/// gateway lacks makes it re-check its keyring at once and try again (within 5 s).
asio::awaitable<std::string> check_resolution(const std::string& args, const config& cfg, const gateway_state& state,
                                              keeper& k, const std::string& who) {
    std::vector<std::string> parts;
    for (std::size_t start = 0;;) {
        const auto tab = args.find('\t', start);
        parts.push_back(args.substr(start, tab - start));
        if (tab == std::string::npos) break;
        start = tab + 1;
    }
    if (parts.size() < 2) co_return "ERR usage: CHECK app<TAB>user[<TAB>group...]";
    const std::vector<std::string> groups(parts.begin() + 2, parts.end());
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (int attempt = 0;; ++attempt) {
        auto snap = state.get();
        if (!snap.ring) co_return "ERR the gateway is sealed: sign-on unavailable";
        try {
            auto st = store::open(store_options_for(cfg, "gateway:" + cfg.gateway.id));
            st->attach(*snap.ring);
            const resolution r = st->resolve(parts[0], parts[1], groups);
            if (r.ec == make_error_code(errc::unknown_key_version) && attempt == 0) {
                spdlog::info("a value is under a key version this gateway lacks: re-checking the keyring now");
                k.recheck_now();
                const auto had = version_list(*snap.ring);
                for (int i = 0; i < 50 && version_list(*state.get().ring) == had; ++i) {
                    timer.expires_after(std::chrono::milliseconds(100));
                    co_await timer.async_wait(asio::use_awaitable);
                }
                continue;
            }
            st->audit("cred.check", "app " + r.application + " user " + parts[1], r.ok() ? "ok" : "denied",
                      (r.ok() ? "host user " + r.host_user + " via " + r.principal : r.message) + " (" + who + ")");
            if (!r.ok()) co_return "ERR " + r.message;
            co_return "OK host_user=" + r.host_user + " via=" + r.principal + (r.via_group ? " (group)" : " (user)") +
                " key_versions=" + version_list(*snap.ring);
        } catch (const std::exception& e) {
            co_return std::string("ERR ") + e.what();
        }
    }
}

asio::awaitable<void> serve_admin(local::socket sock, const config& cfg, const gateway_state& state, keeper& k) {
    ucred cred{};
    socklen_t len = sizeof cred;
    const bool have_cred = ::getsockopt(sock.native_handle(), SOL_SOCKET, SO_PEERCRED, &cred, &len) == 0;
    const std::string who = have_cred ? "uid " + std::to_string(cred.uid) + " pid " + std::to_string(cred.pid) : "unknown peer";
    boost::system::error_code ec;
    std::string line;
    bool timed_out = false, complete = false;
    {
        net::op_deadline deadline(sock);
        deadline.arm(admin_read_timeout);
        char c = 0;
        while (line.size() <= admin_max_line) {
            co_await asio::async_read(sock, asio::buffer(&c, 1), asio::redirect_error(asio::use_awaitable, ec));
            if (ec) break;
            if (c == '\n') {
                complete = true;
                break;
            }
            line.push_back(c);
        }
        deadline.disarm();
        timed_out = deadline.fired();
    }
    if (timed_out || (ec && !complete)) {
        // Nothing to answer: the client sent no whole line in time, or went away.
        spdlog::warn("admin request from {} dropped: {}", who,
                     timed_out ? "no request line within " + std::to_string(admin_read_timeout.count()) + " s"
                               : "the connection ended before a whole request line");
        co_return;
    }
    if (!complete) {
        spdlog::warn("admin request from {} refused: the request line is longer than {} bytes", who, admin_max_line);
        const std::string refusal = "ERR the request line is longer than " + std::to_string(admin_max_line) + " bytes\n";
        co_await asio::async_write(sock, asio::buffer(refusal), asio::redirect_error(asio::use_awaitable, ec));
        co_return;
    }
    std::string answer;
    bytes payload;
    auto snap = state.get();
    auto audit = [&](std::string_view outcome, const std::string& detail) {
        try {
            auto st = store::open(store_options_for(cfg, "gateway:" + cfg.gateway.id));
            if (snap.ring) st->attach(*snap.ring);
            st->audit("secret.export", "gateway " + cfg.gateway.id, outcome, detail + " (" + who + ")");
            return true;
        } catch (const std::exception& e) {
            spdlog::error("cannot audit the export request: {}", e.what());
            return false;
        }
    };
    if (!have_cred || (cred.uid != 0 && cred.uid != ::geteuid())) {
        answer = "ERR only root or the gateway's own user may use this socket";
        if (snap.ring) audit("denied", "refused: wrong user");
    } else if (line.rfind("CHECK ", 0) == 0) {
        answer = co_await check_resolution(line.substr(6), cfg, state, k, who);
    } else if (line != "EXPORT") {
        answer = "ERR unknown request (expected EXPORT or CHECK)";
    } else if (!snap.ring) {
        answer = "ERR the gateway is sealed: it holds no keyring to export";
    } else {
        try {
            auto st = store::open(store_options_for(cfg, "gateway:" + cfg.gateway.id));
            st->attach(*snap.ring);
            std::optional<recovery_public_key> rk;
            try {
                rk = st->recovery_key();
            } catch (const error& e) {
                if (e.code() != make_error_code(errc::unknown_key_version)) throw;
                k.recheck_now();  // behind a rotation: fetch the keyring again
                throw error(errc::unknown_key_version,
                            "this gateway's keyring is behind a rotation and is being fetched again: export again in a few seconds");
            }
            if (!rk) {
                answer = "ERR no recovery key is registered: on an admin machine run `ssogate secret recovery-key set "
                         "--public-key FILE` (keep the private key offline), then export again";
                st->audit("secret.export", "gateway " + cfg.gateway.id, "denied", "no recovery key registered (" + who + ")");
            } else {
                payload = write_export(*snap.ring, *rk, now_ms());
                // Audited before anything leaves: no record, no export.
                st->audit("secret.export", "gateway " + cfg.gateway.id, "ok",
                          "keyring " + snap.ring->fingerprint() + " exported to recovery key " + rk->id + " (" + who + ")");
                spdlog::critical("EMERGENCY EXPORT of keyring {} to recovery key {} requested by {}",
                                 snap.ring->fingerprint(), rk->id, who);
                answer = "OK " + std::to_string(payload.size());
            }
        } catch (const std::exception& e) {
            payload.clear();
            answer = std::string("ERR ") + e.what();
        }
    }
    answer += "\n";
    std::array<asio::const_buffer, 2> out{asio::buffer(answer), asio::buffer(payload)};
    co_await asio::async_write(sock, out, asio::redirect_error(asio::use_awaitable, ec));
}


}  // namespace

int run_gateway(const config& cfg) {
    if (!cfg.gateway.present) throw config_error(cfg.file.string() + ": no [gateway] section");
    {
        // Fail fast on what an operator must fix; a missing secret server is not one of them.
        auto st = store::open(store_options_for(cfg, "gateway:" + cfg.gateway.id));
        st->require_current_schema();
        check_gateway_tls(cfg);
    }
    asio::io_context io;
    tcp::acceptor acceptor(io);
    {
        tcp::resolver r(io);
        boost::system::error_code ec;
        auto results = r.resolve(cfg.gateway.management_listen.host,
                                 std::to_string(cfg.gateway.management_listen.port), ec);
        if (ec || results.empty())
            throw config_error("cannot resolve " + cfg.gateway.management_listen.to_string());
        const auto ep = results.begin()->endpoint();
        acceptor.open(ep.protocol(), ec);
        if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
        if (!ec) acceptor.bind(ep, ec);
        if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
        if (ec)
            throw config_error("cannot listen on " + cfg.gateway.management_listen.to_string() + ": " +
                               ec.message());
    }
    const auto bound = acceptor.local_endpoint();
    spdlog::info("gateway {} management listening on {}:{}", cfg.gateway.id, bound.address().to_string(),
                 bound.port());

    // The local admin socket: mode 0600 from the start (umask), a stale one replaced.
    local::acceptor admin(io);
    {
        const auto path = cfg.gateway.admin_socket.string();
        ::unlink(path.c_str());
        const mode_t old = ::umask(077);
        boost::system::error_code ec;
        admin.open(local(), ec);
        if (!ec) admin.bind(local::endpoint(path), ec);
        if (!ec) admin.listen(8, ec);
        ::umask(old);
        if (ec) throw config_error("cannot listen on the admin socket " + path + ": " + ec.message());
        ::chmod(path.c_str(), 0600);
        spdlog::info("admin socket {}", path);
    }

    gateway_state state;
    keeper k(cfg, state);
    std::thread keeper_thread([&] {
        try {
            k.run();
        } catch (const std::exception& e) {
            spdlog::critical("keyring keeper stopped: {}", e.what());
        }
    });
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](boost::system::error_code, int sig) {
        spdlog::info("signal {}: stopping", sig);
        acceptor.close();
        admin.close();
        k.stop();
        io.stop();
    });
    asio::co_spawn(io, net::accept_loop(acceptor, [&](tcp::socket s) { return serve_http(std::move(s), cfg, state); },
                                        "management request"),
                   asio::detached);
    asio::co_spawn(io, net::accept_loop(admin, [&](local::socket s) { return serve_admin(std::move(s), cfg, state, k); },
                                        "admin request"),
                   asio::detached);
    io.run();
    k.stop();
    keeper_thread.join();
    ::unlink(cfg.gateway.admin_socket.c_str());
    return 0;
}

}  // namespace ssogate::gateway
