#pragma once
// A 3270 screen as text for people (`ssogate probe`, logs of sign-on scripts): a header line,
// the rows in a frame with field attributes marked, and a table of the fields.
//
//   screen 24x80, cursor 21,18, keyboard unlocked, 3 fields
//      +--------------------------------------------------------------------------------+
//     1|  LOGON                                                                         |
//   ...
//    20| USERID  ===>>JSMITH                                                            |
//    21| PASSWORD ==>>********                                                          |
//      +--------------------------------------------------------------------------------+
//   fields:
//     row col  len  attributes
//      20  14    8  unprotected modified  "JSMITH"
//      21  14    8  unprotected non-display modified  (hidden)
//
// Rows and columns are 1-origin here (as ISPF and x3270's Ascii1 count), the field's row and
// column are those of its first data position. In the grid, with `mark_fields`, a field
// attribute shows as '>' when it starts an unprotected (input) field and as a blank otherwise.
//
// NON-DISPLAY FIELDS: every position of a non-display field shows '*', whatever it holds (typed,
// written by the host, or null), so neither the contents nor the length of a secret leaks; the
// field table says "(hidden)" instead of the text. Without `mark_fields` the grid shows them as
// blanks, as the terminal does.
#include <ssogate/protocols/tn3270/screen.hpp>

#include <string>

namespace ssogate::protocols::tn3270 {

struct render_options {
    bool header = true;       // the "screen RxC, cursor ..." line
    bool frame = true;        // row numbers and a border
    bool mark_fields = true;  // '>' at input-field attributes, '*' in non-display fields
    bool field_table = true;  // the table of fields after the grid
};

[[nodiscard]] std::string render(const screen& s, const render_options& options = {});

}  // namespace ssogate::protocols::tn3270
