#include <ssogate/sample_host/users.hpp>

#include "read_file.hpp"

#include <toml++/toml.h>

#include <fstream>
#include <ostream>
#include <sstream>

namespace ssogate::sample_host {

namespace {
constexpr std::size_t max_users_file_size = 1 << 20;
}  // namespace

std::string_view to_string(sign_on_outcome o) noexcept {
    switch (o) {
        case sign_on_outcome::signed_on:
            return "signed_on";
        case sign_on_outcome::unknown_user:
            return "unknown_user";
        case sign_on_outcome::invalid_password:
            return "invalid_password";
        case sign_on_outcome::revoked:
            return "revoked";
        case sign_on_outcome::password_expired:
            return "password_expired";
        case sign_on_outcome::new_password_invalid:
            return "new_password_invalid";
        case sign_on_outcome::in_use:
            return "in_use";
    }
    return "?";
}

std::ostream& operator<<(std::ostream& os, sign_on_outcome o) { return os << to_string(o); }

std::string normalize_user_id(std::string_view text) {
    const auto first = text.find_first_not_of(' ');
    if (first == std::string_view::npos) return {};
    text = text.substr(first, text.find_last_not_of(' ') - first + 1);
    if (text.empty() || text.size() > 8 || (text[0] >= '0' && text[0] <= '9')) return {};
    std::string out;
    for (char c : text) {
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '#' || c == '@' || c == '$';
        if (!ok) return {};
        out.push_back(c);
    }
    return out;
}

user_directory user_directory::parse(std::string_view toml_text, const std::string& source) {
    auto fail = [&](const std::string& what) -> void { throw users_file_error(source + ": " + what); };
    toml::table root;
    try {
        root = toml::parse(toml_text, source);
    } catch (const toml::parse_error& e) {
        throw users_file_error(source + ":" + std::to_string(e.source().begin.line) + ": " +
                               std::string(e.description()));
    }
    for (const auto& [key, node] : root)
        if (key.str() != "user") fail("unknown key '" + std::string(key.str()) + "' (only [[user]] tables)");
    const toml::array* list = root["user"].as_array();
    if (list == nullptr) fail("no users: add [[user]] tables with id and password");
    user_directory dir;
    std::size_t n = 0;
    for (const auto& item : *list) {
        ++n;
        const std::string where = "user " + std::to_string(n);
        const toml::table* t = item.as_table();
        if (t == nullptr) fail(where + " is not a table");
        for (const auto& [key, node] : *t) {
            const auto k = key.str();
            if (k != "id" && k != "password" && k != "expired" && k != "revoked")
                fail(where + ": unknown key '" + std::string(k) + "' (id, password, expired, revoked)");
        }
        const auto* id = t->get_as<std::string>("id");
        if (id == nullptr) fail(where + ": id is missing or not a string");
        const std::string user = normalize_user_id(id->get());
        if (user.empty()) fail(where + ": id must be 1 to 8 of A-Z 0-9 # @ $, not starting with a digit");
        const auto* pw = t->get_as<std::string>("password");
        if (pw == nullptr) fail(where + " (" + user + "): password is missing or not a string");
        if (pw->get().empty() || pw->get().size() > max_password)
            fail(where + " (" + user + "): password must be 1 to 8 characters");
        account a;
        a.password = credstore::secret_bytes::copy_of(std::string_view(pw->get()));
        for (auto [k, flag] : {std::pair{"expired", &a.expired}, std::pair{"revoked", &a.revoked}}) {
            if (const toml::node* f = t->get(k)) {
                if (!f->is_boolean()) fail(where + " (" + user + "): " + k + " must be true or false");
                *flag = f->as_boolean()->get();
            }
        }
        if (!dir.accounts_.emplace(user, std::move(a)).second) fail(where + ": user " + user + " is listed twice");
    }
    if (dir.accounts_.empty()) fail("no users: add [[user]] tables with id and password");
    return dir;
}

user_directory user_directory::load(const std::filesystem::path& file) {
    std::string why;
    const auto text = detail::read_bounded(file, max_users_file_size, why);
    if (!text) throw users_file_error(file.string() + ": the users file " + why);
    return parse(*text, file.string());
}

sign_on_result user_directory::sign_on(const std::string& user_id, std::string_view password,
                                       std::string_view new_password) {
    const auto it = accounts_.find(user_id);
    if (it == accounts_.end()) return {sign_on_outcome::unknown_user};
    account& a = it->second;
    if (a.revoked) return {sign_on_outcome::revoked};
    const auto given = std::as_bytes(std::span(password.data(), password.size()));
    if (!credstore::equal_ct(given, a.password.bytes())) {
        if (++a.failures >= max_failures) {
            a.revoked = true;
            return {sign_on_outcome::revoked, a.failures};
        }
        return {sign_on_outcome::invalid_password, a.failures};
    }
    a.failures = 0;
    if (a.sessions > 0) return {sign_on_outcome::in_use};
    if (!new_password.empty() || a.expired) {
        if (new_password.empty()) return {sign_on_outcome::password_expired};
        const auto fresh = std::as_bytes(std::span(new_password.data(), new_password.size()));
        if (new_password.size() > max_password || credstore::equal_ct(fresh, a.password.bytes()))
            return {sign_on_outcome::new_password_invalid};
        a.password = credstore::secret_bytes::copy_of(fresh);
        a.expired = false;
    }
    ++a.sessions;
    return {sign_on_outcome::signed_on};
}

void user_directory::sign_off(const std::string& user_id) noexcept {
    const auto it = accounts_.find(user_id);
    if (it != accounts_.end() && it->second.sessions > 0) --it->second.sessions;
}

const user_directory::account* user_directory::find(std::string_view user_id) const noexcept {
    const auto it = accounts_.find(user_id);
    return it == accounts_.end() ? nullptr : &it->second;
}

}  // namespace ssogate::sample_host
