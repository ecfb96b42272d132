// The secret server and the secret client: mutual TLS 1.3 (Boost.Asio + OpenSSL).
#include "../clock.hpp"
#include "accept_loop.hpp"
#include "op_deadline.hpp"
#include <ssogate/credstore/store.hpp>
#include <ssogate/gateway/secret_service.hpp>
#include <ssogate/identity/certificate_rules.hpp>
#include <ssogate/identity/crl_files.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <openssl/err.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <map>
#include <chrono>
#include <cstring>

namespace ssogate::gateway {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
using asio::ip::tcp;
using namespace credstore;

namespace {

constexpr std::string_view request_line = "SSOGATE-KEYRING 1";
constexpr std::size_t max_payload = 16 * 1024 * 1024;

// ------------------------------------------------------------------ certificates

std::string lower(std::string s) {
    for (auto& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

/// The names a certificate presents: its subject CN and its DNS subject alternative names.
std::vector<std::string> certificate_names(X509* cert) {
    std::vector<std::string> names;
    if (X509_NAME* subject = X509_get_subject_name(cert)) {
        char cn[256] = {};
        if (X509_NAME_get_text_by_NID(subject, NID_commonName, cn, sizeof cn) > 0) names.emplace_back(cn);
    }
    auto* sans = static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
    if (sans != nullptr) {
        for (int i = 0; i < sk_GENERAL_NAME_num(sans); ++i) {
            const GENERAL_NAME* gn = sk_GENERAL_NAME_value(sans, i);
            if (gn->type == GEN_DNS) {
                const auto* s = gn->d.dNSName;
                names.emplace_back(reinterpret_cast<const char*>(ASN1_STRING_get0_data(s)),
                                   static_cast<std::size_t>(ASN1_STRING_length(s)));
            }
        }
        GENERAL_NAMES_free(sans);
    }
    return names;
}

void tls13_only(ssl::context& ctx) {
    SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_3_VERSION);
    // The keyring crosses these connections: OpenSSL zeroes its plaintext record copies.
    SSL_CTX_set_options(ctx.native_handle(), SSL_OP_CLEANSE_PLAINTEXT);
}

void load_identity(ssl::context& ctx, const std::filesystem::path& cert, const std::filesystem::path& key,
                   const std::string& what) {
    std::error_code fec;
    const auto perms = std::filesystem::status(key, fec).permissions();
    if (!fec && (perms & std::filesystem::perms::others_read) != std::filesystem::perms::none)
        throw config_error(what + " private key " + key.string() + " is readable by others; run chmod 600 on it");
    boost::system::error_code ec;
    ctx.use_certificate_chain_file(cert.string(), ec);
    if (ec) throw config_error("cannot load " + what + " certificate " + cert.string() + ": " + ec.message());
    ctx.use_private_key_file(key.string(), ssl::context::pem, ec);
    if (ec) throw config_error("cannot load " + what + " private key " + key.string() + ": " + ec.message());
}

void load_ca(ssl::context& ctx, const std::filesystem::path& ca) {
    boost::system::error_code ec;
    ctx.load_verify_file(ca.string(), ec);
    if (ec) throw config_error("cannot load CA certificates " + ca.string() + ": " + ec.message());
    ctx.set_verify_mode(ssl::verify_peer | ssl::verify_fail_if_no_peer_cert);
}

/// Puts `crls` into `store` and turns on checking the peer's own certificate against them.
void add_crls(X509_STORE* store, const identity::crl_list& crls) {
    for (int i = 0; i < sk_X509_CRL_num(crls.get()); ++i) X509_STORE_add_crl(store, sk_X509_CRL_value(crls.get(), i));
    X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK);
}

/// Check the peer's certificate against `files` too (X509_V_FLAG_CRL_CHECK: the peer's own
/// certificate against its issuer's CRL). Throws config_error when a file cannot be read or
/// holds no CRL: a configured CRL that is not there refuses, never "no check".
void use_crls(ssl::context& ctx, const std::vector<std::filesystem::path>& files, const std::string& what) {
    if (files.empty()) return;
    std::string why;
    const auto crls = identity::load_crl_files(files, why);
    if (!crls) throw config_error("cannot check " + what + " certificates for revocation: " + why);
    add_crls(SSL_CTX_get_cert_store(ctx.native_handle()), crls);
}

tcp::endpoint resolve_one(asio::io_context& io, const endpoint& e) {
    tcp::resolver r(io);
    boost::system::error_code ec;
    auto results = r.resolve(e.host, std::to_string(e.port), ec);
    if (ec || results.empty()) throw config_error("cannot resolve " + e.to_string() + ": " + ec.message());
    return results.begin()->endpoint();
}

// ------------------------------------------------------------------ server

/// [secret_server] crls: a trust store of client_ca and the CRLs, made again when a CRL file
/// changes (size or modification time), appears or disappears. A file that cannot be read gives
/// no store and a reason: every client is refused until it is back (fail closed).
class revocation {
public:
    revocation(std::filesystem::path ca, std::vector<std::filesystem::path> crls)
        : ca_(std::move(ca)), files_(std::move(crls)) {}

    [[nodiscard]] bool enabled() const { return !files_.empty(); }

    /// The store to verify a client with, or null and `why`. Cheap when nothing changed.
    X509_STORE* store(std::string& why) {
        auto now = stamps();
        if (!read_ || now != stamps_) {
            read_ = true;
            stamps_ = std::move(now);
            reload();
        }
        why = why_;
        return store_.get();
    }

private:
    struct stamp {
        bool present = false;
        std::filesystem::file_time_type mtime{};
        std::uintmax_t size = 0;
        bool operator==(const stamp&) const = default;
    };
    struct store_free {
        void operator()(X509_STORE* s) const { X509_STORE_free(s); }
    };

    std::vector<stamp> stamps() const {
        std::vector<stamp> out;
        for (const auto& f : files_) {
            std::error_code ec;
            stamp st;
            st.mtime = std::filesystem::last_write_time(f, ec);
            if (!ec) st.size = std::filesystem::file_size(f, ec);
            st.present = !ec;
            out.push_back(st);
        }
        return out;
    }

    void reload() {
        store_.reset();
        why_.clear();
        const auto crls = identity::load_crl_files(files_, why_);
        if (!crls) {
            spdlog::error("every client is refused until the CRLs can be read: {}", why_);
            return;
        }
        std::unique_ptr<X509_STORE, store_free> st(X509_STORE_new());
        if (!st || X509_STORE_load_file(st.get(), ca_.c_str()) != 1) {
            ERR_clear_error();
            why_ = "cannot load CA certificates " + ca_.string();
            spdlog::error("every client is refused: {}", why_);
            return;
        }
        add_crls(st.get(), crls);
        store_ = std::move(st);
        spdlog::info("client certificates are checked against {} CRL(s) from {} file(s)", sk_X509_CRL_num(crls.get()),
                     files_.size());
    }

    std::filesystem::path ca_;
    std::vector<std::filesystem::path> files_;
    std::vector<stamp> stamps_;
    bool read_ = false;
    std::unique_ptr<X509_STORE, store_free> store_;
    std::string why_;
};

/// The store connection and the unsealed keyring of a secret server. A failed database call
/// drops the connection; the next request opens a new one (a restarted PostgreSQL is no outage).
/// Only the current keyring is kept: a replaced one (an older key set, retired versions) is
/// destroyed, its keys zeroed (secret_bytes), as soon as the last request serving it is done.
class keyring_source {
public:
    keyring_source(const config& cfg, const unseal_key& key) : cfg_(cfg), key_(key) { refresh(); }

    /// Re-read the sealed keyring; unseal again only when it changed (a rotation, a restore).
    /// The caller holds the result while it uses it: a refresh by another request may replace it.
    std::shared_ptr<const keyring> refresh() {
        try {
            store& st = db();
            auto row = st.load_sealed_keyring();
            if (!row) throw error(errc::keyring_missing, "the store has no keyring: run `ssogate secret init`");
            if (!ring_ || row->updated_at != updated_at_ || row->fingerprint != ring_->fingerprint()) {
                auto fresh = std::make_shared<keyring>(unseal_keyring(row->sealed, key_));
                st.attach(*fresh);  // the store lets go of the old one here; requests may still hold it
                ring_ = std::move(fresh);
                updated_at_ = row->updated_at;
                spdlog::info("keyring {} unsealed (current key version {})", ring_->fingerprint(),
                             ring_->current_version());
            }
            return ring_;
        } catch (const error& e) {
            if (e.code() == make_error_code(errc::store_unavailable)) st_.reset();
            throw;
        }
    }

    /// Audit, at most once a `quiet_ms` for the same key (a port checker or a re-checking
    /// gateway would otherwise write a record every few seconds). Never throws.
    void audit(const std::string& key, std::int64_t quiet_ms, std::string_view action, const std::string& target,
               std::string_view outcome, const std::string& detail) {
        const std::int64_t now = now_ms();
        if (auto it = last_.find(key); it != last_.end() && now - it->second < quiet_ms) return;
        try {
            db().audit(action, target, outcome, detail);
            last_[key] = now;
        } catch (const std::exception& e) {
            st_.reset();
            spdlog::error("audit failed: {}", e.what());
        }
    }

private:
    store& db() {
        if (!st_) {
            st_ = store::open(store_options_for(cfg_, "secret-server"));
            st_->require_current_schema();
            if (ring_) st_->attach(*ring_);
        }
        return *st_;
    }

    const config& cfg_;
    const unseal_key& key_;
    std::shared_ptr<keyring> ring_;
    std::unique_ptr<store> st_;  // declared after the keyring: destroyed before it
    std::int64_t updated_at_ = -1;
    std::map<std::string, std::int64_t> last_;
};

struct server_state {
    const config& cfg;
    keyring_source& source;
    revocation& crls;
};

asio::awaitable<void> serve(ssl::stream<tcp::socket> stream, server_state& s) {
    std::string peer = "?";
    boost::system::error_code ec;
    if (auto ep = stream.lowest_layer().remote_endpoint(ec); !ec) peer = ep.address().to_string();
    // [secret_server] crls: this connection verifies with the store that holds them.
    std::string crl_problem;
    if (s.crls.enabled()) {
        if (X509_STORE* st = s.crls.store(crl_problem)) {
            SSL_set1_verify_cert_store(stream.native_handle(), st);
            X509_VERIFY_PARAM_set_flags(SSL_get0_param(stream.native_handle()), X509_V_FLAG_CRL_CHECK);
        }
    }
    std::string verify_problem;
    stream.set_verify_callback([&verify_problem](bool ok, ssl::verify_context& vc) {
        if (!ok && verify_problem.empty()) {
            X509_STORE_CTX* x = vc.native_handle();
            char subject[256] = "?";
            if (X509* c = X509_STORE_CTX_get_current_cert(x))
                X509_NAME_oneline(X509_get_subject_name(c), subject, sizeof subject);
            const int err = X509_STORE_CTX_get_error(x);
            const std::string what = X509_verify_cert_error_string(err);
            if (err == X509_V_ERR_CERT_REVOKED)
                verify_problem = std::string("certificate revoked: ") + subject + " is on a CRL of [secret_server] crls";
            else if (identity::crl_unusable(err))
                verify_problem = "cannot check whether " + std::string(subject) + " is revoked: " + what +
                                 "; refused until a current CRL is in place";
            else
                verify_problem = what + " (" + subject + ")";
        }
        return ok;
    });
    // The whole exchange, handshake to shutdown, within 10 s: then the socket is closed.
    net::op_deadline deadline(stream.lowest_layer());
    deadline.arm(std::chrono::seconds(10), true);
    auto refuse = [&](const std::string& why) -> asio::awaitable<void> {
        spdlog::warn("refused {}: {}", peer, why);
        s.source.audit("refused|" + peer + "|" + why, 60000, "secret.refused", "client " + peer, "denied", why);
        const std::string line = "ERR " + why + "\n";
        boost::system::error_code e2;
        co_await asio::async_write(stream, asio::buffer(line), asio::redirect_error(asio::use_awaitable, e2));
    };

    co_await stream.async_handshake(ssl::stream_base::server, asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
        const std::string why = verify_problem.empty() ? "TLS handshake failed: " + ec.message()
                                                       : "certificate not trusted: " + verify_problem;
        spdlog::warn("refused {}: {}", peer, why);
        s.source.audit("refused|" + peer + "|" + why, 60000, "secret.refused", "client " + peer, "denied", why);
        co_return;
    }
    // Read the request line first (byte by byte, so nothing past it is buffered): a refusal
    // written before it would meet a connection reset instead of being read.
    std::string line;
    char c = 0;
    while (line.size() <= request_line.size()) {
        co_await asio::async_read(stream, asio::buffer(&c, 1), asio::redirect_error(asio::use_awaitable, ec));
        if (ec || c == '\n') break;
        line.push_back(c);
    }
    X509* cert = SSL_get0_peer_certificate(stream.native_handle());
    if (cert == nullptr) {
        co_await refuse("no client certificate");
        co_return;
    }
    const auto names = certificate_names(cert);
    const std::string name = names.empty() ? "?" : names.front();
    peer = name + "@" + peer;
    if (!crl_problem.empty()) {  // fail closed: a configured CRL that cannot be read
        co_await refuse("cannot check whether the certificate of '" + name + "' is revoked: " + crl_problem +
                        "; refused until the CRL is in place");
        co_return;
    }
    if (!identity::has_client_auth_usage(*cert)) {
        co_await refuse("certificate of '" + name + "' lacks the clientAuth extended key usage");
        co_return;
    }
    const auto& allowed = s.cfg.secret_server.allowed_clients;
    const bool listed = std::any_of(names.begin(), names.end(), [&](const std::string& n) {
        return std::any_of(allowed.begin(), allowed.end(),
                           [&](const std::string& a) { return lower(a) == lower(n); });
    });
    if (!listed) {
        co_await refuse("'" + name + "' is not on [secret_server] allowed_clients");
        co_return;
    }
    if (ec || line != request_line) {
        co_await refuse("bad request");
        co_return;
    }
    std::string failure;
    try {
        const std::shared_ptr<const keyring> held = s.source.refresh();
        const keyring& ring = *held;
        const secret_bytes payload = ring.serialize();
        const std::string header = "OK " + std::to_string(payload.size()) + "\n";
        std::array<asio::const_buffer, 2> out{asio::buffer(header), asio::buffer(payload.data(), payload.size())};
        co_await asio::async_write(stream, out, asio::redirect_error(asio::use_awaitable, ec));
        if (ec) {
            spdlog::warn("sending the keyring to {} failed: {}", peer, ec.message());
        } else {
            spdlog::info("served keyring {} to {}", ring.fingerprint(), peer);
            // Once an hour per client and keyring state: every re-check is not news.
            s.source.audit("served|" + name + "|" + ring.fingerprint() + "|" + version_list(ring), 3600000,
                           "secret.served", "client " + peer, "ok",
                           "keyring " + ring.fingerprint() + " key versions " + version_list(ring));
        }
    } catch (const std::exception& e) {
        failure = e.what();
    }
    if (!failure.empty()) {
        spdlog::error("cannot serve {}: {}", peer, failure);
        const std::string err = "ERR the secret server cannot unseal: " + failure + "\n";
        co_await asio::async_write(stream, asio::buffer(err), asio::redirect_error(asio::use_awaitable, ec));
    }
    co_await stream.async_shutdown(asio::redirect_error(asio::use_awaitable, ec));
    deadline.disarm();
}


// ------------------------------------------------------------------ client

asio::awaitable<void> fetch_one(ssl::stream<tcp::socket>& stream, tcp::endpoint ep, fetch_result& out,
                                const std::string& server) {
    co_await stream.lowest_layer().async_connect(ep, asio::use_awaitable);
    co_await stream.async_handshake(ssl::stream_base::client, asio::use_awaitable);
    const std::string req = std::string(request_line) + "\n";
    co_await asio::async_write(stream, asio::buffer(req), asio::use_awaitable);
    std::string header;
    char c = 0;
    while (header.size() < 256) {
        co_await asio::async_read(stream, asio::buffer(&c, 1), asio::use_awaitable);
        if (c == '\n') break;
        header.push_back(c);
    }
    if (header.rfind("ERR ", 0) == 0) {
        out.error = server + " refused: " + header.substr(4);
        co_return;
    }
    if (header.rfind("OK ", 0) != 0) {
        out.error = server + " answered with a bad header";
        co_return;
    }
    const auto n = std::strtoull(header.c_str() + 3, nullptr, 10);
    if (n == 0 || n > max_payload) {
        out.error = server + " answered with a bad length";
        co_return;
    }
    secret_bytes payload(static_cast<std::size_t>(n));
    co_await asio::async_read(stream, asio::buffer(payload.data(), payload.size()), asio::use_awaitable);
    out.ring = std::make_unique<keyring>(keyring::parse(payload.bytes()));
    boost::system::error_code ec;
    co_await stream.async_shutdown(asio::redirect_error(asio::use_awaitable, ec));
}

}  // namespace

void init_service_logging() {
    auto logger = spdlog::stderr_logger_mt("ssogate");
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l %v", spdlog::pattern_time_type::utc);
    logger->flush_on(spdlog::level::info);
    spdlog::set_default_logger(logger);
}

int run_secret_server(const config& cfg, const unseal_key& key) {
    if (!cfg.secret_server.present) throw config_error(cfg.file.string() + ": no [secret_server] section");
    keyring_source source(cfg, key);  // unseals now: a wrong key fails the start, clearly

    asio::io_context io;
    ssl::context ctx(ssl::context::tls_server);
    tls13_only(ctx);
    load_identity(ctx, cfg.secret_server.certificate, cfg.secret_server.private_key, "server");
    load_ca(ctx, cfg.secret_server.client_ca);
    revocation crls(cfg.secret_server.client_ca, cfg.secret_server.crls);
    if (crls.enabled()) {
        std::string why;
        if (crls.store(why) == nullptr) throw config_error("[secret_server] crls: " + why);
    }

    tcp::acceptor acceptor(io);
    const auto ep = resolve_one(io, cfg.secret_server.listen);
    boost::system::error_code ec;
    acceptor.open(ep.protocol(), ec);
    if (!ec) acceptor.set_option(tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor.bind(ep, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) throw config_error("cannot listen on " + cfg.secret_server.listen.to_string() + ": " + ec.message());
    const auto bound = acceptor.local_endpoint();
    spdlog::info("secret server listening on {}:{}", bound.address().to_string(), bound.port());

    server_state state{cfg, source, crls};
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](boost::system::error_code, int sig) {
        spdlog::info("signal {}: stopping", sig);
        acceptor.close();
        io.stop();
    });
    asio::co_spawn(io,
                   net::accept_loop(acceptor,
                                    [&](tcp::socket sock) { return serve(ssl::stream<tcp::socket>(std::move(sock), ctx), state); },
                                    "secret server session"),
                   asio::detached);
    io.run();
    return 0;
}

void check_gateway_tls(const config& cfg) {
    ssl::context ctx(ssl::context::tls_client);
    load_identity(ctx, cfg.gateway.certificate, cfg.gateway.private_key, "gateway");
    load_ca(ctx, cfg.gateway.ca);
    use_crls(ctx, cfg.gateway.secret_server_crls, "the secret servers'");
}

fetch_result fetch_keyring(const config& cfg) {
    const auto& g = cfg.gateway;
    fetch_result result;
    ssl::context ctx(ssl::context::tls_client);
    try {
        tls13_only(ctx);
        load_identity(ctx, g.certificate, g.private_key, "gateway");
        load_ca(ctx, g.ca);
        use_crls(ctx, g.secret_server_crls, "the secret servers'");  // read at every fetch
    } catch (const std::exception& e) {
        result.error = e.what();  // files changed since start: report, and the keeper retries
        return result;
    }
    std::vector<std::string> errors;
    for (const auto& server : g.secret_servers) {
        const std::string name = server.to_string();
        asio::io_context io;
        fetch_result one;
        one.server = name;
        try {
            const auto ep = resolve_one(io, server);
            ssl::stream<tcp::socket> stream(io, ctx);
            // The secret server must present a certificate for the name (or address) we dialled.
            X509_VERIFY_PARAM* param = SSL_get0_param(stream.native_handle());
            boost::system::error_code ec;
            asio::ip::make_address(server.host, ec);
            if (!ec) X509_VERIFY_PARAM_set1_ip_asc(param, server.host.c_str());
            else {
                X509_VERIFY_PARAM_set1_host(param, server.host.c_str(), 0);
                SSL_ctrl(stream.native_handle(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                         const_cast<char*>(server.host.c_str()));
            }
            std::exception_ptr failure;
            bool done = false;
            asio::co_spawn(io, fetch_one(stream, ep, one, name), [&](std::exception_ptr e) {
                failure = e;
                done = true;
            });
            io.run_for(std::chrono::milliseconds(g.connect_timeout_ms));
            if (!done) {
                one.error = name + ": no answer within " + std::to_string(g.connect_timeout_ms) + " ms";
            } else if (failure) {
                try {
                    std::rethrow_exception(failure);
                } catch (const boost::system::system_error& e) {
                    const long verdict = SSL_get_verify_result(stream.native_handle());
                    one.error = name + ": " + e.code().message();
                    if (verdict != X509_V_OK)
                        one.error = name + ": the secret server's certificate is refused: " +
                                    X509_verify_cert_error_string(verdict) +
                                    (verdict == X509_V_ERR_CERT_REVOKED ? " (on a CRL of [gateway] secret_server_crls)" : "");
                } catch (const std::exception& e) {
                    one.error = name + ": " + e.what();
                }
            }
        } catch (const std::exception& e) {
            one.error = name + ": " + e.what();
        }
        if (one.ring) return one;
        errors.push_back(one.error.empty() ? name + ": no keyring" : one.error);
    }
    for (const auto& e : errors) result.error += (result.error.empty() ? "" : "; ") + e;
    return result;
}

}  // namespace ssogate::gateway
