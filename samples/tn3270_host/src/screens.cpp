#include <ssogate/sample_host/screens.hpp>

#include "read_file.hpp"

#include <ssogate/protocols/tn3270/buffer_address.hpp>
#include <ssogate/protocols/tn3270/constants.hpp>

#include <algorithm>
#include <array>
#include <charconv>
#include <fstream>
#include <sstream>

namespace ssogate::sample_host {

namespace tn = protocols::tn3270;

namespace {

constexpr std::array<std::string_view, 5> placeholders = {"{userid}", "{terminal_type}", "{lu_name}",
                                                          "{echo_text}", "{echo_hex}"};
constexpr std::size_t max_file_size = 1 << 20;

struct token {
    std::string text;
    bool quoted = false;
};

class line_parser {
  public:
    line_parser(const std::string& source, std::size_t line) : source_(source), line_(line) {}

    [[noreturn]] void fail(const std::string& what) const {
        throw screen_file_error(source_ + ":" + std::to_string(line_) + ": " + what);
    }

    std::vector<token> split(std::string_view s) const {
        std::vector<token> out;
        std::size_t i = 0;
        while (i < s.size()) {
            if (s[i] == ' ' || s[i] == '\t' || s[i] == '\r') {
                ++i;
                continue;
            }
            token t;
            if (s[i] == '"') {
                t.quoted = true;
                ++i;
                bool closed = false;
                while (i < s.size()) {
                    const char c = s[i++];
                    if (c == '"') {
                        closed = true;
                        break;
                    }
                    if (c == '\\') {
                        if (i >= s.size() || (s[i] != '"' && s[i] != '\\')) fail("bad escape in text");
                        t.text.push_back(s[i++]);
                    } else {
                        t.text.push_back(c);
                    }
                }
                if (!closed) fail("text without its closing quote");
            } else {
                while (i < s.size() && s[i] != ' ' && s[i] != '\t' && s[i] != '\r') t.text.push_back(s[i++]);
            }
            out.push_back(std::move(t));
        }
        return out;
    }

    std::size_t number(const token& t, std::size_t low, std::size_t high, const char* what) const {
        std::size_t v = 0;
        const char* end = t.text.data() + t.text.size();
        const auto r = std::from_chars(t.text.data(), end, v);
        if (t.quoted || r.ec != std::errc{} || r.ptr != end || v < low || v > high)
            fail(std::string(what) + " must be a number from " + std::to_string(low) + " to " +
                 std::to_string(high));
        return v;
    }

    std::string name(const token& t) const {
        if (t.quoted || t.text.empty() || t.text.size() > 32) fail("a name must be 1 to 32 characters");
        for (char c : t.text)
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
                fail("a name holds only letters, digits and '_'");
        return t.text;
    }

    // Counts characters (not bytes) and checks each is printable Latin-1.
    std::size_t check_text(const std::string& s) const {
        std::size_t count = 0;
        for (std::size_t i = 0; i < s.size();) {
            const auto b = static_cast<unsigned char>(s[i]);
            char32_t c = 0;
            if (b < 0x80) {
                c = b;
                i += 1;
            } else if ((b & 0xE0) == 0xC0 && i + 1 < s.size() &&
                       (static_cast<unsigned char>(s[i + 1]) & 0xC0) == 0x80) {
                c = ((b & 0x1Fu) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3Fu);
                if (c < 0x80) fail("text is not valid UTF-8");
                i += 2;
            } else {
                fail("text holds a character outside printable Latin-1");
            }
            if (c < 0x20 || (c >= 0x7F && c < 0xA0)) fail("text holds a control character");
            ++count;
        }
        for (std::size_t p = 0; (p = s.find('{', p)) != std::string::npos; ++p) {
            const bool known = std::any_of(placeholders.begin(), placeholders.end(),
                                           [&](std::string_view ph) { return s.compare(p, ph.size(), ph) == 0; });
            if (!known) fail("unknown placeholder in text (known: {userid} {terminal_type} {lu_name} {echo_text} {echo_hex})");
        }
        return count;
    }

  private:
    const std::string& source_;
    std::size_t line_;
};

// Marks positions [from, to) as used; an overlap is an error.
void occupy(std::vector<bool>& used, std::size_t from, std::size_t to, const line_parser& p) {
    for (std::size_t a = from; a < to && a < used.size(); ++a) {
        if (used[a]) p.fail("this item overlaps another one");
        used[a] = true;
    }
}

void finish(screen_definition& d, const line_parser& p) {
    std::sort(d.items.begin(), d.items.end(),
              [](const screen_item& a, const screen_item& b) { return a.address() < b.address(); });
    if (!d.cursor.empty() && d.input(d.cursor) == nullptr) p.fail("cursor names no input of screen " + d.name);
}

std::string fill_placeholders(const std::string& text, const screen_values& v) {
    std::string out;
    for (std::size_t i = 0; i < text.size();) {
        bool replaced = false;
        if (text[i] == '{') {
            const std::pair<std::string_view, const std::string*> map[] = {
                {"{userid}", &v.userid},       {"{terminal_type}", &v.terminal_type},
                {"{lu_name}", &v.lu_name},     {"{echo_text}", &v.echo_text},
                {"{echo_hex}", &v.echo_hex}};
            for (const auto& [ph, value] : map) {
                if (text.compare(i, ph.size(), ph) == 0) {
                    out += *value;
                    i += ph.size();
                    replaced = true;
                    break;
                }
            }
        }
        if (!replaced) out.push_back(text[i++]);
    }
    return out;
}

// UTF-8 to EBCDIC, at most `limit` characters; what the page lacks (or broken UTF-8) becomes '?'.
std::vector<std::uint8_t> encode_lenient(std::string_view s, const tn::codepage& page, std::size_t limit) {
    std::vector<std::uint8_t> out;
    const std::uint8_t question = page.from_unicode(U'?').value_or(0x6F);
    for (std::size_t i = 0; i < s.size() && out.size() < limit;) {
        const auto b = static_cast<unsigned char>(s[i]);
        std::size_t n = b < 0x80 ? 1 : (b & 0xE0) == 0xC0 ? 2 : (b & 0xF0) == 0xE0 ? 3 : (b & 0xF8) == 0xF0 ? 4 : 1;
        if (i + n > s.size()) n = s.size() - i;
        char32_t c = n == 1 ? b : static_cast<char32_t>(b & (0x7Fu >> n));
        bool ok = n == 1 ? b < 0x80 : true;
        for (std::size_t k = 1; k < n; ++k) {
            const auto cb = static_cast<unsigned char>(s[i + k]);
            if ((cb & 0xC0) != 0x80) ok = false;
            c = (c << 6) | (cb & 0x3Fu);
        }
        i += n;
        std::optional<std::uint8_t> e;
        if (ok && c >= 0x20 && c != 0x7F) e = page.from_unicode(c);
        out.push_back(e && *e >= 0x40 && *e != 0xFF ? *e : question);
    }
    return out;
}

}  // namespace

const screen_item* screen_definition::input(std::string_view n) const noexcept {
    for (const auto& i : items)
        if (i.what == screen_item::kind::input && i.name == n) return &i;
    return nullptr;
}

const screen_item* screen_definition::message() const noexcept {
    for (const auto& i : items)
        if (i.what == screen_item::kind::message) return &i;
    return nullptr;
}

void screen_set::add(std::string_view text, const std::string& source) {
    if (text.size() > max_file_size) throw screen_file_error(source + ": larger than 1 MiB");
    std::optional<screen_definition> current;
    std::vector<bool> used;
    std::size_t line_no = 0;
    std::size_t pos = 0;
    while (pos <= text.size()) {
        auto nl = text.find('\n', pos);
        if (nl == std::string_view::npos) nl = text.size();
        const std::string_view line = text.substr(pos, nl - pos);
        pos = nl + 1;
        ++line_no;
        line_parser p(source, line_no);
        const auto first = line.find_first_not_of(" \t\r");
        if (first == std::string_view::npos || line[first] == '#') continue;
        const auto t = p.split(line);
        const std::string& verb = t[0].text;
        auto need = [&](std::size_t low, std::size_t high) {
            if (t.size() < low || t.size() > high) p.fail("wrong number of words for '" + verb + "'");
            if (!current) p.fail("'" + verb + "' outside a screen (start one with 'screen NAME')");
        };
        auto position = [&](std::size_t length) {
            const std::size_t row = p.number(t[1], 1, screen_rows, "ROW") - 1;
            const std::size_t col = p.number(t[2], 2, screen_columns, "COL") - 1;
            if (col + length > screen_columns) p.fail("the item runs past the end of its row");
            return std::pair{row, col};
        };
        if (t[0].quoted) p.fail("a line starts with a directive");
        if (verb == "screen") {
            if (current) p.fail("screen " + current->name + " has no 'end'");
            if (t.size() != 2) p.fail("use: screen NAME");
            current.emplace();
            current->name = p.name(t[1]);
            if (screens_.count(current->name) != 0) p.fail("screen " + current->name + " is defined twice");
            used.assign(screen_rows * screen_columns, false);
        } else if (verb == "text") {
            need(4, 5);
            if (!t[3].quoted) p.fail("the text goes between double quotes");
            screen_item it;
            it.what = screen_item::kind::text;
            it.text = t[3].text;
            it.length = p.check_text(it.text);
            if (it.length == 0) p.fail("empty text");
            if (t.size() == 5) {
                if (t[4].text != "bright" || t[4].quoted) p.fail("after the text only 'bright' may follow");
                it.bright = true;
            }
            std::tie(it.row, it.column) = position(it.length);
            occupy(used, it.address() - 1, it.address() + it.length, p);
            current->items.push_back(std::move(it));
        } else if (verb == "input") {
            need(5, 7);
            screen_item it;
            it.what = screen_item::kind::input;
            it.length = p.number(t[3], 1, screen_columns - 1, "LENGTH");
            std::tie(it.row, it.column) = position(it.length);
            it.name = p.name(t[4]);
            if (current->input(it.name) != nullptr) p.fail("input " + it.name + " is defined twice");
            for (std::size_t k = 5; k < t.size(); ++k) {
                if (t[k].text == "hidden" && !t[k].quoted) it.hidden = true;
                else if (t[k].text == "numeric" && !t[k].quoted) it.numeric = true;
                else p.fail("after an input only 'hidden' and 'numeric' may follow");
            }
            occupy(used, it.address() - 1, it.address() + it.length, p);
            current->items.push_back(std::move(it));
        } else if (verb == "message") {
            need(4, 4);
            screen_item it;
            it.what = screen_item::kind::message;
            it.length = p.number(t[3], 1, screen_columns - 1, "LENGTH");
            std::tie(it.row, it.column) = position(it.length);
            if (current->message() != nullptr) p.fail("a screen has one message item");
            occupy(used, it.address() - 1, it.address() + it.length, p);
            current->items.push_back(std::move(it));
        } else if (verb == "cursor") {
            need(2, 2);
            current->cursor = p.name(t[1]);
        } else if (verb == "end") {
            need(1, 1);
            finish(*current, p);
            std::string name = current->name;
            screens_.emplace(std::move(name), std::move(*current));
            current.reset();
        } else {
            p.fail("unknown directive '" + verb + "' (screen, text, input, message, cursor, end)");
        }
    }
    if (current) throw screen_file_error(source + ": screen " + current->name + " has no 'end'");
}

const screen_definition* screen_set::find(std::string_view name) const noexcept {
    const auto it = screens_.find(name);
    return it == screens_.end() ? nullptr : &it->second;
}

void screen_set::check_host_screens() const {
    const auto* logon = find("logon");
    if (logon == nullptr) throw screen_file_error("no 'logon' screen");
    for (const char* n : {"userid", "password"})
        if (logon->input(n) == nullptr) throw screen_file_error(std::string("the logon screen has no input '") + n + "'");
    if (logon->message() == nullptr) throw screen_file_error("the logon screen has no message item");
    if (find("application") == nullptr) throw screen_file_error("no 'application' screen");
}

screen_set screen_set::load_directory(const std::filesystem::path& dir) {
    std::error_code ec;
    std::vector<std::filesystem::path> files;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec))
        if (e.path().extension() == ".screen") files.push_back(e.path());
    if (ec) throw screen_file_error("cannot read the screen folder " + dir.string() + ": " + ec.message());
    if (files.empty()) throw screen_file_error("no *.screen file in " + dir.string());
    std::sort(files.begin(), files.end());
    screen_set set;
    for (const auto& f : files) {
        std::string why;
        const auto text = detail::read_bounded(f, max_file_size, why);
        if (!text) throw screen_file_error(f.string() + ": the screen file " + why);
        set.add(*text, f.string());
    }
    set.check_host_screens();
    return set;
}

std::vector<std::byte> erase_write(const screen_definition& d, const screen_values& v, const tn::codepage& page) {
    constexpr std::size_t buffer = screen_rows * screen_columns;
    std::vector<std::byte> out;
    auto put = [&](std::uint8_t b) { out.push_back(static_cast<std::byte>(b)); };
    auto sba = [&](std::size_t address) {
        put(static_cast<std::uint8_t>(tn::order::sba));
        const auto a = tn::encode_address(address % buffer, buffer);
        put(a[0]);
        put(a[1]);
    };
    auto sf = [&](std::uint8_t bits) {
        put(static_cast<std::uint8_t>(tn::order::sf));
        put(tn::encode_6bit(bits));
    };
    auto text = [&](const std::vector<std::uint8_t>& bytes) {
        for (auto b : bytes) put(b);
    };
    put(static_cast<std::uint8_t>(tn::command_code::erase_write));
    put(tn::encode_6bit(tn::wcc::reset | tn::wcc::keyboard_restore | tn::wcc::reset_mdt));

    // Where the next item's attribute sits, so an input's stop attribute is not written twice.
    std::vector<bool> attribute_at(buffer, false);
    for (const auto& it : d.items) attribute_at[it.address() - 1] = true;

    const std::string cursor_name = !v.cursor.empty() ? v.cursor : d.cursor;
    std::optional<std::size_t> cursor;
    for (const auto& it : d.items) {
        sba(it.address() - 1);
        switch (it.what) {
            case screen_item::kind::text:
                sf(tn::fa::protect | (it.bright ? tn::fa::display_intensified : tn::fa::display_normal));
                text(encode_lenient(fill_placeholders(it.text, v), page, screen_columns - it.column));
                break;
            case screen_item::kind::message:
                sf(tn::fa::protect | tn::fa::display_intensified);
                text(encode_lenient(v.message, page, it.length));
                break;
            case screen_item::kind::input: {
                const auto pre = v.prefill.find(it.name);
                const bool filled = pre != v.prefill.end() && !pre->second.empty();
                sf(static_cast<std::uint8_t>((it.hidden ? tn::fa::display_none : tn::fa::display_normal) |
                                             (it.numeric ? tn::fa::numeric : 0) | (filled ? tn::fa::mdt : 0)));
                if (filled) text(encode_lenient(pre->second, page, it.length));
                const std::size_t stop = it.address() + it.length;
                if (stop < buffer && !attribute_at[stop]) {
                    sba(stop);
                    sf(tn::fa::protect);
                }
                if (!cursor && (cursor_name.empty() || cursor_name == it.name)) {
                    cursor = it.address();
                    if (filled && cursor_name.empty()) cursor = it.address() + std::min(pre->second.size(), it.length - 1);
                }
                break;
            }
        }
    }
    sba(cursor.value_or(0));
    put(static_cast<std::uint8_t>(tn::order::ic));
    return out;
}

}  // namespace ssogate::sample_host
