#pragma once
// The sample host's screens: a small text format (docs/sample-host.md), parsed into definitions
// and turned into Erase/Write records with their dynamic parts filled in. Sans-I/O.
//
// File format: UTF-8, one directive a line, blank lines and lines starting with '#' ignored.
// Rows and columns are 1-origin on the 24x80 screen Erase/Write selects (as ISPF counts).
//
//   screen NAME                                  starts a screen (`logon`, `application`, ...)
//   text ROW COL "TEXT" [bright]                 protected text; its attribute sits at COL-1
//   input ROW COL LENGTH NAME [hidden] [numeric] an input field (attribute at COL-1, a protected
//                                                stop attribute at COL+LENGTH unless another
//                                                item starts there)
//   message ROW COL LENGTH                       where the host writes its message (bright)
//   cursor NAME                                  the input field the cursor starts in
//   end                                          ends the screen
//
// TEXT is between double quotes with \" and \\ as escapes. Placeholders filled in when the screen
// is shown (cut at the end of the row): {userid} {terminal_type} {lu_name} {echo_text}
// {echo_hex}. Characters must be printable Latin-1 (every supported EBCDIC page holds them).
// COL is at least 2 (the attribute needs a position on the same row); items may not overlap.
//
// The host needs two screens: `logon` (inputs `userid` and `password`, optionally
// `new_password`, and a `message`) and `application` (optionally an input `echo` and a
// `message`). Errors: screen_file_error, "SOURCE:LINE: what", thrown at start-up only.
#include <ssogate/protocols/tn3270/codepage.hpp>

#include <cstddef>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace ssogate::sample_host {

class screen_file_error : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

inline constexpr std::size_t screen_rows = 24;
inline constexpr std::size_t screen_columns = 80;

struct screen_item {
    enum class kind : std::uint8_t { text, input, message };
    kind what = kind::text;
    std::size_t row = 0;     // 0-origin
    std::size_t column = 0;  // 0-origin, the first data position (the attribute is one before)
    std::size_t length = 0;  // input, message; text: its length in characters before filling in
    std::string text;        // text: UTF-8 with placeholders
    std::string name;        // input: the field's name
    bool bright = false;     // text
    bool hidden = false;     // input: non-display
    bool numeric = false;    // input

    /// The buffer address of the first data position.
    [[nodiscard]] std::size_t address() const noexcept { return row * screen_columns + column; }
};

struct screen_definition {
    std::string name;
    std::vector<screen_item> items;  // in buffer order
    std::string cursor;              // an input's name; empty: the first input

    /// The input called `name`; nullptr when there is none.
    [[nodiscard]] const screen_item* input(std::string_view name) const noexcept;
    /// The message item; nullptr when there is none.
    [[nodiscard]] const screen_item* message() const noexcept;
};

/// The dynamic parts of a screen.
struct screen_values {
    std::string userid;
    std::string terminal_type;
    std::string lu_name;
    std::string echo_text;
    std::string echo_hex;
    std::string message;                         // into the message item
    std::map<std::string, std::string> prefill;  // input name -> text written (MDT set)
    std::string cursor;                          // overrides the definition's cursor field
};

class screen_set {
  public:
    /// Parses one file's text and adds its screens. A screen named twice is an error.
    void add(std::string_view text, const std::string& source);
    [[nodiscard]] const screen_definition* find(std::string_view name) const noexcept;
    [[nodiscard]] std::size_t size() const noexcept { return screens_.size(); }
    /// Throws screen_file_error when `logon` or `application` lacks what the host needs.
    void check_host_screens() const;

    /// Every `*.screen` file in `dir`, in name order, checked for the host.
    [[nodiscard]] static screen_set load_directory(const std::filesystem::path& dir);
    /// The built-in set (samples/tn3270/screens/tso, compiled in), checked for the host.
    [[nodiscard]] static screen_set built_in();

  private:
    std::map<std::string, screen_definition, std::less<>> screens_;
};

/// One Erase/Write record (no IAC EOR) showing `d` with `v` filled in: WCC reset, keyboard
/// restore, reset MDT; text through `page`; the cursor in the cursor field. Characters `page`
/// lacks (only possible in filled-in values) show as '?'.
[[nodiscard]] std::vector<std::byte> erase_write(const screen_definition& d, const screen_values& v,
                                                 const protocols::tn3270::codepage& page);

}  // namespace ssogate::sample_host
