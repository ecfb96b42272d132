#include "tn3270_probe.hpp"

#include <ssogate/protocols/tn3270/codepage.hpp>
#include <ssogate/protocols/tn3270/render.hpp>
#include <ssogate/protocols/tn3270/screen_text.hpp>
#include <ssogate/protocols/tn3270/terminal_type.hpp>

#include <nlohmann/json.hpp>

#include <sstream>

namespace ssogate::gateway {

namespace tn = protocols::tn3270;
using json = nlohmann::json;

namespace {

tn::session_config terminal_config(const probe_options& o) {
    const auto type = tn::parse_terminal_type("IBM-" + o.model + "-E");
    if (!type || !type->lu_name.empty() || type->kind == tn::terminal_type::family::ibm_dynamic)
        throw config_error("--model must be 3278-2..5 or 3279-2..5, not '" + o.model + "'");
    tn::session_config c;
    c.terminal_type = type->name();
    c.tn3270e = o.tn3270e;
    return c;
}

tn::screen_config screen_config_for(const probe_options& o) {
    const auto page = tn::codepage::parse(o.code_page);
    if (!page) throw config_error("--code-page must be one of cp037, cp1047, cp500, cp273, cp285");
    return tn::screen_config::for_terminal(*tn::parse_terminal_type("IBM-" + o.model + "-E"), *page);
}

const char* function_name(std::byte code) {
    switch (static_cast<unsigned>(code)) {
        case 0:
            return "BIND-IMAGE";
        case 1:
            return "DATA-STREAM-CTL";
        case 2:
            return "RESPONSES";
        case 3:
            return "SCS-CTL-CODES";
        case 4:
            return "SYSREQ";
        default:
            return "?";
    }
}

std::string position(const tn::screen& s, std::size_t address) {
    return std::to_string(s.row_of(address) + 1) + "," + std::to_string(s.column_of(address) + 1);
}

}  // namespace

std::optional<tn::aid> probe_key(const std::string& name) {
    if (name == "enter") return tn::aid::enter;
    if (name == "clear") return tn::aid::clear;
    const auto number = [&](std::size_t from) {
        int n = 0;
        for (std::size_t i = from; i < name.size(); ++i) {
            if (name[i] < '0' || name[i] > '9' || n > 100) return -1;
            n = n * 10 + (name[i] - '0');
        }
        return name.size() > from ? n : -1;
    };
    if (name.rfind("pf", 0) == 0) return tn::pf_key(number(2));
    if (name.rfind("pa", 0) == 0) return tn::pa_key(number(2));
    return std::nullopt;
}

probe_terminal::probe_terminal(const probe_options& o)
    : session_(tn::role::terminal, terminal_config(o)), screen_(screen_config_for(o)) {}

bool probe_terminal::receive(std::span<const std::byte> in) {
    heard_ = heard_ || !in.empty();
    std::error_code ec;
    session_.receive(in, ec);
    if (ec) error_ = "the host broke the telnet protocol: " + ec.message();
    while (auto e = session_.next_event()) {
        if (auto* n = std::get_if<tn::negotiated>(&*e)) {
            negotiated_ = true;
            terminal_type_ = n->terminal_type;
            lu_name_ = n->lu_name;
            mode_ = n->tn3270e ? "TN3270E" : "TN3270";
            functions_.clear();
            for (std::byte code : n->functions.codes()) functions_.emplace_back(function_name(code));
            if (renegotiating_) {
                renegotiating_ = false;
                auto line = negotiation_text();
                line.pop_back();  // its newline
                actions_.push_back("the host negotiated again: " + line.substr(line.find(' ') + 1));
            }
        } else if (auto* r = std::get_if<tn::record>(&*e)) {
            if (r->type() != tn::data_type::data_3270) continue;  // SSCP-LU, NVT, SCS: not a screen
            std::error_code aec;
            const auto reply = screen_.apply(r->data, aec);
            if (aec) {
                if (r->header && r->header->response_flag != static_cast<std::uint8_t>(tn::response_flag::no_response)) {
                    std::error_code rec;
                    session_.send_negative_response(r->header->sequence, tn::negative_code::command_reject, rec);
                }
                error_ = "the host sent a 3270 record this terminal cannot show: " + aec.message();
                break;
            }
            written_ = true;
            if (!reply.empty()) session_.send_record(reply, aec);
            // RFC 2355 section 10.4: a host that asked for it gets DEVICE-END (x3270 does the same).
            if (r->header && r->header->response_flag == static_cast<std::uint8_t>(tn::response_flag::always_response))
                session_.send_positive_response(r->header->sequence, aec);
        } else if (auto* f = std::get_if<tn::negotiation_failed>(&*e)) {
            // A host may restart the negotiation in 3270 mode (RFC 2355: SEND DEVICE-TYPE again;
            // x3270's tn3270e-renegotiate trace): wait for the next
            // `negotiated` and a screen written after it; the deadline catches one that never comes.
            if (negotiated_ && f->reason == make_error_code(protocols::errc::left_3270_mode)) {
                negotiated_ = false;
                written_ = false;
                renegotiating_ = true;
                continue;
            }
            error_ = "negotiation failed: " + f->reason.message();
        } else if (std::holds_alternative<tn::peer_closed>(*e)) {
            closed_ = true;
        }
    }
    return error_.empty();
}

void probe_terminal::receive_eof() {
    std::error_code ec;
    session_.receive_eof(ec);
    closed_ = true;
    while (session_.next_event()) {
    }
}

bool probe_terminal::run(const probe_step& step) {
    std::error_code ec;
    if (step.what == probe_step::kind::key) {
        const auto key = probe_key(step.text);
        if (!key) {
            error_ = "unknown key '" + step.text + "' (enter, clear, pf1..pf24, pa1..pa3)";
            return false;
        }
        const auto record = screen_.press(*key, ec);
        if (!ec) session_.send_record(record, ec);
        if (ec) {
            error_ = "cannot press " + step.text + ": " + ec.message();
            return false;
        }
        written_ = false;
        actions_.push_back("pressed " + step.text);
        return true;
    }
    std::string where;
    bool hidden = false;
    if (!step.after.empty()) {
        const auto f = tn::field_after_label(screen_, step.after);
        if (!f) {
            error_ = "no input field after '" + step.after + "' on the screen";
            return false;
        }
        screen_.fill(*f, step.text, ec);
        where = "the field at " + position(screen_, f->start) + " (after '" + step.after + "')";
        hidden = f->is_non_display();
    } else {
        if (step.at) {
            if (step.at->first < 1 || step.at->second < 1) {
                error_ = "--at ROW,COL counts from 1,1";
                return false;
            }
            screen_.move_cursor(static_cast<std::size_t>(step.at->first - 1),
                                static_cast<std::size_t>(step.at->second - 1), ec);
            if (ec) {
                error_ = "--at " + std::to_string(step.at->first) + "," + std::to_string(step.at->second) +
                         " is outside the " + std::to_string(screen_.size().rows) + "x" +
                         std::to_string(screen_.size().columns) + " screen";
                return false;
            }
        }
        const auto f = screen_.field_at(screen_.cursor());
        hidden = f && f->is_non_display();
        where = "the cursor at " + position(screen_, screen_.cursor());
        if (!ec) screen_.type(step.text, ec);
    }
    if (ec) {
        error_ = "cannot type into " + where + ": " + ec.message();
        return false;
    }
    // Text from standard input is a secret wherever it goes: never quoted.
    if (hidden) actions_.push_back("typed into the non-display field at " + where.substr(where.find(" at ") + 4));
    else if (step.secret) actions_.push_back("typed a line of standard input at " + where);
    else actions_.push_back("typed \"" + step.text + "\" at " + where);
    return true;
}

std::string probe_terminal::negotiation_text() const {
    std::string s = "negotiated " + mode_ + ", terminal type " + terminal_type_ + ", LU " +
                    (lu_name_.empty() ? "(none)" : lu_name_);
    if (mode_ == "TN3270E") {
        s += ", functions";
        if (functions_.empty()) s += " (none)";
        for (const auto& f : functions_) s += " " + f;
    }
    return s + "\n";
}

std::string probe_terminal::screen_text(const std::string& title) const {
    std::string s = "== " + title + "\n";
    for (const auto& a : actions_) s += "   " + a + "\n";
    return s + tn::render(screen_);
}

std::string probe_terminal::negotiation_json() const {
    json j = {{"mode", mode_ == "TN3270E" ? "tn3270e" : "tn3270"},
              {"terminal_type", terminal_type_},
              {"lu_name", lu_name_},
              {"functions", functions_}};
    return j.dump();
}

std::string probe_terminal::screen_json(const std::string& after) const {
    json rows = json::array();
    for (std::size_t r = 0; r < screen_.size().rows; ++r) rows.push_back(tn::row_text(screen_, r));
    json fields = json::array();
    for (const auto& f : screen_.fields()) {
        json jf = {{"row", screen_.row_of(f.start) + 1},
                   {"column", screen_.column_of(f.start) + 1},
                   {"length", f.length},
                   {"protected", f.is_protected()},
                   {"numeric", f.is_numeric()},
                   {"non_display", f.is_non_display()},
                   {"intensified", f.attribute.is_intensified()},
                   {"modified", f.is_modified()}};
        if (!f.is_non_display()) jf["text"] = tn::field_text(screen_, f);
        fields.push_back(std::move(jf));
    }
    json j = {{"after", after},
              {"actions", actions_},
              {"rows", screen_.size().rows},
              {"columns", screen_.size().columns},
              {"cursor", {{"row", screen_.row_of(screen_.cursor()) + 1}, {"column", screen_.column_of(screen_.cursor()) + 1}}},
              {"keyboard_locked", screen_.keyboard_locked()},
              {"text", rows},
              {"fields", fields}};
    return j.dump();
}

}  // namespace ssogate::gateway
