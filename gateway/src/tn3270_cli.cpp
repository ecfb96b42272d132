// CLI11 wiring of `ssogate sample-host tn3270` and `ssogate probe` (tn3270_tools.hpp).
#include "tn3270_probe.hpp"
#include "tn3270_tools.hpp"
#include "output.hpp"
#include "tty.hpp"

#include <CLI/CLI.hpp>

#include <cmath>

namespace ssogate::gateway {

namespace {

/// tn3270://HOST[:PORT] or tn3270s://HOST[:PORT] (TLS); ports default to 23 and 992.
void parse_url(const std::string& url, probe_options& o) {
    std::string_view rest = url;
    if (rest.rfind("tn3270s://", 0) == 0) {
        o.tls = true;
        rest.remove_prefix(10);
    } else if (rest.rfind("tn3270://", 0) == 0) {
        rest.remove_prefix(9);
    } else {
        throw CLI::ValidationError("URL", "give tn3270://HOST:PORT or tn3270s://HOST:PORT");
    }
    if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
    if (const auto e = parse_endpoint(rest)) {
        o.host = e->host;
        o.port = e->port;
    } else if (!rest.empty() && rest.find_first_of(":/[]@?") == std::string_view::npos) {
        o.host = std::string(rest);
        o.port = o.tls ? 992 : 23;
    } else {
        throw CLI::ValidationError("URL", "give tn3270://HOST:PORT or tn3270s://HOST:PORT");
    }
    if (o.port == 0) throw CLI::ValidationError("URL", "the port must be 1..65535");
}

std::pair<int, int> parse_at(const std::string& text) {
    const auto comma = text.find(',');
    try {
        std::size_t used1 = 0, used2 = 0;
        const int row = std::stoi(text.substr(0, comma), &used1);
        const int col = comma == std::string::npos ? -1 : std::stoi(text.substr(comma + 1), &used2);
        if (comma != std::string::npos && used1 == comma && used2 == text.size() - comma - 1 && row >= 1 &&
            col >= 1)
            return {row, col};
    } catch (const std::exception&) {
    }
    throw CLI::ValidationError("--at", "give ROW,COL counted from 1,1, e.g. --at 6,17");
}

/// The next line of standard input for --type-stdin, without its line end. Bounded: no screen
/// holds more than 27x132 characters. At a terminal it is asked for, naming the field, and not
/// echoed.
std::string stdin_line(const probe_step& step) {
    std::string prompt = "Text for field ";
    if (step.at) prompt += "at " + std::to_string(step.at->first) + "," + std::to_string(step.at->second);
    else if (!step.after.empty()) prompt += "after '" + printable(step.after) + "'";
    else prompt += "at the cursor";
    const input_line line = read_input_line(prompt + ": ", 4096);
    if (line.too_long)
        throw CLI::ValidationError("--type-stdin", "the line of standard input is longer than 4096 characters");
    if (!line.found) throw CLI::ValidationError("--type-stdin", "standard input has no line left for it");
    return std::string(line.text.reveal());
}

}  // namespace

void tn3270_cli::add_to(CLI::App& app, std::function<int()>& action) {
    // sample-host tn3270
    auto* group = app.add_subcommand("sample-host", "run a sample host to sign on to (tests, demos)");
    group->require_subcommand(1);
    group->fallthrough();
    auto* h = group->add_subcommand("tn3270", "a TN3270/TN3270E logon host: screens from files, users from TOML");
    h->fallthrough();
    h->add_option("--listen", listen_, "ADDR:PORT to listen on (port 0: any free port, logged)")->required();
    h->add_option("--users", host_.users_file, "the users file (TOML [[user]] id, password, expired, revoked)")
        ->required();
    h->add_option("--screens", host_.screens_dir, "a folder of *.screen files (default: the built-in TSO-like set)");
    h->add_option("--tls-cert", host_.tls_cert, "serve TLS with this certificate chain (PEM)");
    h->add_option("--tls-key", host_.tls_key, "the certificate's private key (PEM)");
    h->add_option("--attempt-log", host_.attempt_log, "append one JSON line per sign-on attempt to this file");
    h->add_option("--code-page", host_.code_page, "the host's EBCDIC code page (cp037, cp1047, cp500, cp273, cp285)");
    h->add_flag("--no-tn3270e", no_tn3270e_host_, "offer plain TN3270 only");
    h->add_option("--idle-timeout", idle_timeout_s_,
                  "disconnect a terminal silent for this many seconds (default 300; 0: never)")
        ->check(CLI::Range(0.0, 86400.0));
    h->add_option("--max-connections", host_.max_connections,
                  "terminals served at once; more are closed at once (default 64)")
        ->check(CLI::Range(1, 100000));
    h->callback([this, &action] {
        const auto e = parse_endpoint(listen_);
        if (!e) throw CLI::ValidationError("--listen", "give ADDR:PORT, e.g. 127.0.0.1:3270");
        host_.listen = *e;
        host_.tn3270e = !no_tn3270e_host_;
        host_.idle_timeout = std::chrono::milliseconds(std::llround(idle_timeout_s_ * 1000));
        action = [this] { return run_sample_host_tn3270(host_); };
    });

    // probe
    auto* p = app.add_subcommand("probe", "connect to a TN3270 host as a terminal and print its screens");
    p->fallthrough();
    p->add_option("URL", url_, "tn3270://HOST:PORT or tn3270s://HOST:PORT (TLS)")->required();
    p->add_option("--model", probe_.model, "terminal model: 3278-2..5 or 3279-2..5 (default 3279-2)");
    p->add_option("--code-page", probe_.code_page, "the host's EBCDIC code page (default cp037)");
    p->add_flag("--no-tn3270e", no_tn3270e_, "refuse TN3270E: plain TN3270 (RFC 1576)");
    p->add_flag("--tls", probe_.tls, "TLS from the first byte (as tn3270s://)");
    auto* ca_file = p->add_option("--ca-file", probe_.ca_file,
                                  "TLS: trust the CA certificates in this PEM file (default: the system's store)");
    auto* insecure = p->add_flag("--insecure", probe_.insecure,
                                 "TLS: do not check the host's certificate at all (lab hosts only)");
    ca_file->excludes(insecure);
    p->add_flag("--json", probe_.json, "print JSON: the negotiation and every screen");
    p->add_option("--timeout", timeout_s_, "seconds to wait for the connection, the TLS handshake and each screen (default 10)")
        ->check(CLI::Range(0.1, 3600.0));
    auto* type = p->add_option("--type", types_, "type TEXT (at the cursor, or see --at / --after); repeatable")
                     ->allow_extra_args(false);
    auto* type_stdin = p->add_flag("--type-stdin", type_stdin_,
                                   "type the next line of standard input (for passwords: never on a command line)");
    auto* at = p->add_option("--at", ats_, "ROW,COL (1-origin) where the --type before it goes")->allow_extra_args(false);
    auto* after = p->add_option("--after", afters_, "the input field after LABEL gets the --type before it")
                      ->allow_extra_args(false);
    auto* key = p->add_option("--key", keys_, "press enter | clear | pf1..pf24 | pa1..pa3; repeatable, in order")
                    ->allow_extra_args(false);
    p->callback([this, p, type, type_stdin, at, after, key, &action] {
        parse_url(url_, probe_);
        if (!probe_.tls && (!probe_.ca_file.empty() || probe_.insecure))
            throw CLI::ValidationError(probe_.insecure ? "--insecure" : "--ca-file",
                                       "applies to TLS only (tn3270s:// or --tls)");
        probe_.tn3270e = !no_tn3270e_;
        probe_.timeout = std::chrono::milliseconds(static_cast<long>(std::llround(timeout_s_ * 1000)));
        // The steps in the order given on the command line.
        std::size_t ti = 0, ai = 0, fi = 0, ki = 0;
        for (const CLI::Option* opt : p->parse_order()) {
            if (opt == type) {
                probe_step s;
                s.text = types_.at(ti++);
                probe_.steps.push_back(std::move(s));
            } else if (opt == type_stdin) {
                probe_step s;
                s.secret = true;  // its line is read below, once its --at or --after is known
                probe_.steps.push_back(std::move(s));
            } else if (opt == at || opt == after) {
                const std::string name = opt == at ? "--at" : "--after";
                if (probe_.steps.empty() || probe_.steps.back().what != probe_step::kind::type ||
                    probe_.steps.back().at || !probe_.steps.back().after.empty())
                    throw CLI::ValidationError(name, "follows a --type (one place per --type)");
                if (opt == at) probe_.steps.back().at = parse_at(ats_.at(ai++));
                else probe_.steps.back().after = afters_.at(fi++);
                if (opt == after && probe_.steps.back().after.empty())
                    throw CLI::ValidationError("--after", "the label must not be empty");
            } else if (opt == key) {
                probe_step s;
                s.what = probe_step::kind::key;
                s.text = keys_.at(ki++);
                for (auto& c : s.text)
                    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
                if (!probe_key(s.text))
                    throw CLI::ValidationError("--key", "enter, clear, pf1..pf24 or pa1..pa3");
                probe_.steps.push_back(std::move(s));
            }
        }
        for (probe_step& s : probe_.steps)
            if (s.secret) s.text = stdin_line(s);
        try {
            (void)probe_terminal(probe_);  // a bad --model or --code-page is a bad option (exit 2)
        } catch (const config_error& e) {
            throw CLI::ValidationError(e.what());
        }
        action = [this] { return run_probe(probe_); };
    });
}

}  // namespace ssogate::gateway
