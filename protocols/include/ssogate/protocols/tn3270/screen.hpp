#pragma once
// The screen of one 3270 terminal (a display station, GA23-0059): buffer, fields, cursor and
// keyboard, changed by the host's records (apply) and by an operator (type, fill, press), and
// read back as the inbound records a real terminal sends. Sans-I/O: bytes in, bytes out.
//
// Flow: a new screen is 24x80, unformatted, keyboard locked until the host's first write.
//   apply(record)   W / EW / EWA / EAU / WSF change the screen; RB / RM / RMA and WSF Read
//                   Partition (Query) return the inbound record to send back.
//   type / fill     input into unprotected fields at the cursor (sets MDT).
//   press(aid)      Read Modified for Enter / PFn (short read for PAn / Clear); locks the keyboard
//                   until a write with "keyboard restore".
//   erase_write_record()  the whole screen as one EW / EWA record (hand-over to a user).
//
// Records are the bytes between IAC EORs with IAC IAC undoubled and no TN3270E header; replies
// likewise (the session doubles FF and appends IAC EOR).
//
// Errors are error codes, never exceptions or asserts (constructor aside: std::invalid_argument
// for a bad screen_config):
// - apply: the outbound_record.hpp codes, and errc::invalid_address for an SBA / RA / EUA beyond
//   the screen. A rejected record changes nothing (x3270 keeps what it wrote before the error;
//   here a record applies whole or not at all).
// - input: errc::keyboard_locked, protected_field, numeric_field, field_overflow,
//   invalid_position, unmappable_character, invalid_utf8, invalid_argument. Text is encoded
//   whole before anything is typed; `type` then stops at the first refused position (what came
//   before it stays typed, as on a real keyboard); `fill` changes nothing on any error.
// Typed text holds secrets (passwords): no error or message here ever quotes it.
//
// Not modelled: DBCS (SO / SI are kept as characters), the selector pen, SSCP-LU data, printers,
// partitions other than the implicit one, IND$FILE. Bytes below 40 that are no order are skipped
// in writes, as x3270 does. A WSF with several Read Partitions answers the first.
#include <ssogate/protocols/tn3270/codepage.hpp>
#include <ssogate/protocols/tn3270/constants.hpp>
#include <ssogate/protocols/tn3270/field.hpp>
#include <ssogate/protocols/tn3270/field_attribute.hpp>
#include <ssogate/protocols/tn3270/outbound_record.hpp>
#include <ssogate/protocols/tn3270/screen_config.hpp>
#include <ssogate/protocols/tn3270/screen_size.hpp>

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <system_error>
#include <vector>

namespace ssogate::protocols::tn3270 {

class screen {
  public:
    /// One buffer position.
    struct cell {
        std::uint8_t ch = 0;           // EBCDIC character (00 = null); 00 at an attribute
        bool is_attribute = false;     // a field attribute sits here (shown as a blank)
        bool graphic_escape = false;   // `ch` is from the alternate (APL) set, written by GE
        field_attribute attribute;     // when is_attribute
        extended_attributes extended;  // the field's (at an attribute) or the character's
        friend bool operator==(const cell&, const cell&) = default;
    };

    explicit screen(screen_config cfg = {});

    // --- state ---------------------------------------------------------------------------------
    [[nodiscard]] const screen_config& config() const noexcept { return cfg_; }
    [[nodiscard]] const codepage& code_page() const noexcept { return *page_; }
    [[nodiscard]] screen_size size() const noexcept { return size_; }
    [[nodiscard]] std::size_t buffer_size() const noexcept { return cells_.size(); }
    /// True after Erase/Write Alternate (or Erase/Reset alternate), false after Erase/Write.
    [[nodiscard]] bool is_alternate() const noexcept { return alternate_; }
    [[nodiscard]] std::size_t cursor() const noexcept { return cursor_; }
    /// row * columns + column; not checked (see contains()).
    [[nodiscard]] std::size_t address(std::size_t row, std::size_t column) const noexcept {
        return row * size_.columns + column;
    }
    [[nodiscard]] bool contains(std::size_t row, std::size_t column) const noexcept {
        return row < size_.rows && column < size_.columns;
    }
    [[nodiscard]] std::size_t row_of(std::size_t address) const noexcept {
        return address / size_.columns;
    }
    [[nodiscard]] std::size_t column_of(std::size_t address) const noexcept {
        return address % size_.columns;
    }
    /// Locked from creation to the first write, and from an AID to a write with keyboard restore.
    [[nodiscard]] bool keyboard_locked() const noexcept { return locked_ || awaiting_first_write_; }
    /// The last write asked for the alarm (WCC).
    [[nodiscard]] bool alarm() const noexcept { return alarm_; }
    /// The AID of the last key pressed; aid::none after a keyboard restore.
    [[nodiscard]] aid current_aid() const noexcept { return aid_; }
    [[nodiscard]] tn3270::reply_mode reply_mode() const noexcept { return mode_; }
    /// At least one field attribute is on the screen.
    [[nodiscard]] bool formatted() const noexcept;
    /// The cell at `address` (< buffer_size()).
    [[nodiscard]] const cell& at(std::size_t address) const { return cells_.at(address); }

    // --- fields --------------------------------------------------------------------------------
    /// Every field, ordered by attribute address; empty on an unformatted screen.
    [[nodiscard]] std::vector<field> fields() const;
    /// The field holding `address` (its attribute or its data); nothing on an unformatted
    /// screen or for an address outside it.
    [[nodiscard]] std::optional<field> field_at(std::size_t address) const;

    // --- host -> terminal ----------------------------------------------------------------------
    /// Parses and applies one outbound record. Returns the inbound record to send in reply (read
    /// commands, WSF Read Partition), or nothing. On error `ec` is set and nothing changed.
    std::vector<std::byte> apply(std::span<const std::byte> record, std::error_code& ec);
    std::vector<std::byte> apply(const outbound_record& record, std::error_code& ec);

    // --- operator ------------------------------------------------------------------------------
    /// Moves the cursor (0-origin); errc::invalid_position outside the screen.
    void move_cursor(std::size_t address, std::error_code& ec);
    void move_cursor(std::size_t row, std::size_t column, std::error_code& ec);
    /// Tab: to the first position of the next unprotected field (address 0 if none).
    void tab() noexcept;
    /// Home: to the first position of the first unprotected field (address 0 if none).
    void home() noexcept;
    /// Types `text` (UTF-8) at the cursor, as keystrokes: each character goes to the cursor
    /// position, sets the field's MDT and moves the cursor on (skipping attributes; autoskip
    /// fields send it to the next unprotected field). Controls (EBCDIC below 40, FF) are refused.
    void type(std::string_view text, std::error_code& ec);
    /// Replaces the contents of field `f` (a value from fields() / field_at() of this screen;
    /// errc::invalid_position when no field starts there any more or its length changed) by
    /// `text`: nulls after it, MDT set, cursor after the text. All or nothing.
    void fill(const field& f, std::string_view text, std::error_code& ec);
    /// Erase EOF: nulls from the cursor to the end of its (unprotected) field; sets MDT.
    void erase_eof(std::error_code& ec);
    /// Erase Input: nulls in every unprotected field, MDTs reset, cursor home.
    void erase_input(std::error_code& ec);
    /// Presses an attention key: Enter, PF1-24, PA1-3 or Clear (others: errc::invalid_argument).
    /// Returns the Read Modified record to send (AID only for PA / Clear); Clear also erases
    /// the screen to the default size. Locks the keyboard.
    std::vector<std::byte> press(aid key, std::error_code& ec);

    // --- terminal -> host ----------------------------------------------------------------------
    /// Read Modified (all = Read Modified All): AID, cursor address, then SBA + data (nulls left
    /// out) for every field with MDT; on an unformatted screen every non-null character. PA /
    /// Clear: the AID alone unless `all`.
    [[nodiscard]] std::vector<std::byte> read_modified(aid key, bool all = false) const;
    /// Read Buffer: AID, cursor address, then every position (SF / SFE at attributes).
    [[nodiscard]] std::vector<std::byte> read_buffer(aid key) const;

    // --- hand-over -----------------------------------------------------------------------------
    /// One Erase/Write (Erase/Write Alternate when is_alternate()) record that rebuilds this
    /// screen on a fresh terminal of the same configuration: fields with their attributes (MDT
    /// included) and extended attributes, characters with theirs, the cursor, and keyboard
    /// restore when the keyboard is unlocked. Not carried: the reply mode, the AID, the alarm, a
    /// lock (a Write can only unlock).
    [[nodiscard]] std::vector<std::byte> erase_write_record() const;
    /// Same size (and alternate flag), cells and cursor.
    [[nodiscard]] bool same_display(const screen& other) const noexcept;

  private:
    [[nodiscard]] bool addresses_fit(const outbound_record& r) const noexcept;
    std::vector<std::byte> execute(const outbound_record& r, std::error_code& ec);
    void write(const outbound_record& r, bool erase, std::error_code& ec);
    void erase(bool alternate);
    void erase_all_unprotected();
    std::vector<std::byte> structured_fields(const outbound_record& r, std::error_code& ec);

    [[nodiscard]] std::size_t next(std::size_t address) const noexcept {
        return address + 1 == cells_.size() ? 0 : address + 1;
    }
    [[nodiscard]] std::optional<std::size_t> attribute_of(std::size_t address) const noexcept;
    [[nodiscard]] std::optional<std::size_t> next_unprotected(std::size_t address) const noexcept;
    [[nodiscard]] std::size_t field_end(std::size_t attribute_address) const noexcept;
    [[nodiscard]] field make_field(std::size_t attribute_address) const noexcept;
    void put(std::size_t address, std::uint8_t ch, bool ge, const extended_attributes& xa);
    void put_attribute(std::size_t address, field_attribute fa, const extended_attributes& xa);
    std::vector<std::uint8_t> typeable(std::string_view text, std::error_code& ec) const;
    [[nodiscard]] bool numeric_ok(std::uint8_t ebcdic) const noexcept;
    void advance_after_input(std::size_t address) noexcept;
    void append_characters(std::vector<std::byte>& out, std::size_t from, std::size_t count,
                           bool skip_nulls, extended_attributes& current) const;

    screen_config cfg_;
    const codepage* page_;
    screen_size size_ = default_screen_size;
    std::vector<cell> cells_;
    bool alternate_ = false;
    std::size_t cursor_ = 0;
    bool locked_ = false;
    bool awaiting_first_write_ = true;
    bool alarm_ = false;
    aid aid_ = aid::none;
    tn3270::reply_mode mode_ = tn3270::reply_mode::field;
    std::vector<std::uint8_t> reply_attributes_;  // character reply mode: the SA types to send
};

}  // namespace ssogate::protocols::tn3270
