#pragma once
// The sample host's security system: users from a TOML file, answers like RACF's.
//
//   [[user]]
//   id = "ALICE"            # 1..8 of A-Z 0-9 # @ $, not starting with a digit (stored uppercase)
//   password = "SECRET1"    # 1..8 characters, compared exactly
//   expired = false         # optional: the next sign-on must give a new password
//   revoked = false         # optional: every sign-on is refused
//
// State (failure counts, revocations, new passwords, who is signed on) lives in memory for the
// process lifetime; the file is never written back. Not thread-safe: the sample host runs all
// connections on one thread.
//
// Rules, in order: unknown user id -> unknown_user; revoked -> revoked; wrong password ->
// invalid_password with the count of failures in a row, and the third in a row revokes the user
// (revoked, and it stays revoked); signed on elsewhere -> in_use; expired without a new password
// -> password_expired; a new password that is empty, too long or the old one ->
// new_password_invalid; otherwise signed_on (a new password replaces the old and clears
// `expired`). A right password resets the failure count.
//
// Errors in the file: users_file_error ("SOURCE: what"), thrown at start-up only. Passwords are
// credstore::secret_bytes and never appear in an error.
#include <ssogate/credstore/secret_bytes.hpp>

#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <map>
#include <stdexcept>
#include <string>
#include <string_view>

namespace ssogate::sample_host {

class users_file_error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

enum class sign_on_outcome : std::uint8_t {
    signed_on,
    unknown_user,
    invalid_password,
    revoked,
    password_expired,
    new_password_invalid,
    in_use,
};

/// "signed_on", "unknown_user", ... (the attempt log's words).
[[nodiscard]] std::string_view to_string(sign_on_outcome o) noexcept;
std::ostream& operator<<(std::ostream& os, sign_on_outcome o);

struct sign_on_result {
    sign_on_outcome outcome = sign_on_outcome::unknown_user;
    int failures = 0;  // invalid_password: wrong passwords in a row, this one included
};

/// A user id as the host takes it: trimmed, uppercased; nothing when it is no valid user id.
[[nodiscard]] std::string normalize_user_id(std::string_view text);

class user_directory {
  public:
    static constexpr int max_failures = 3;
    static constexpr std::size_t max_password = 8;

    struct account {
        credstore::secret_bytes password;
        bool expired = false;
        bool revoked = false;
        int failures = 0;
        int sessions = 0;
    };

    /// Parses a users file's text; throws users_file_error.
    [[nodiscard]] static user_directory parse(std::string_view toml_text, const std::string& source);
    [[nodiscard]] static user_directory load(const std::filesystem::path& file);

    /// One sign-on attempt (user id already normalized). On signed_on the user counts as signed
    /// on until sign_off().
    sign_on_result sign_on(const std::string& user_id, std::string_view password, std::string_view new_password);
    void sign_off(const std::string& user_id) noexcept;

    [[nodiscard]] const account* find(std::string_view user_id) const noexcept;
    [[nodiscard]] std::size_t size() const noexcept { return accounts_.size(); }

  private:
    std::map<std::string, account, std::less<>> accounts_;
};

}  // namespace ssogate::sample_host
