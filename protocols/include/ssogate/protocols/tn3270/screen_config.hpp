#pragma once
// What kind of 3270 a tn3270::screen is: model (alternate size), colour, extended data stream,
// host code page. The same facts feed the Query Reply (query_reply.hpp), so a gateway standing in
// for a user's terminal describes that terminal (PROTOCOLS.md section 4, "Gateway note").
#include <ssogate/protocols/tn3270/codepage.hpp>
#include <ssogate/protocols/tn3270/screen_size.hpp>
#include <ssogate/protocols/tn3270/terminal_type.hpp>

#include <optional>

namespace ssogate::protocols::tn3270 {

struct screen_config {
    int model = 2;         // 2..5: the alternate size (model_screen_size)
    bool color = false;    // IBM-3279 (true) or IBM-3278
    bool extended = true;  // "-E": extended data stream (SFE, SA, MF, WSF Query)
    /// Overrides the model's alternate size (IBM-DYNAMIC, oversize screens): at least 24x80 and
    /// at most 16383 positions (14-bit addressing), rows and columns at most 255.
    std::optional<screen_size> alternate;
    codepage::id code_page = codepage::id::cp037;

    /// The size Erase/Write Alternate selects.
    [[nodiscard]] screen_size alternate_size() const noexcept {
        if (alternate) return *alternate;
        return model_screen_size(model).value_or(default_screen_size);
    }

    /// For a negotiated terminal type: its model, colour and "-E" (IBM-DYNAMIC: model 2 sizes
    /// unless `alternate` is set afterwards).
    [[nodiscard]] static screen_config for_terminal(const terminal_type& t,
                                                    codepage::id page = codepage::id::cp037) {
        screen_config c;
        c.model = t.kind == terminal_type::family::ibm_dynamic ? 2 : t.model;
        c.color = t.kind != terminal_type::family::ibm_3278;
        c.extended = t.extended || t.kind == terminal_type::family::ibm_dynamic;
        c.code_page = page;
        return c;
    }

    friend bool operator==(const screen_config&, const screen_config&) = default;
};

}  // namespace ssogate::protocols::tn3270
