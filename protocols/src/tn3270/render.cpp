#include <ssogate/protocols/tn3270/render.hpp>
#include <ssogate/protocols/tn3270/screen_text.hpp>

#include <string>

#include "utf8.hpp"

namespace ssogate::protocols::tn3270 {
namespace {

std::string pad_left(std::size_t v, std::size_t width) {
    std::string s = std::to_string(v);
    if (s.size() < width) s.insert(0, width - s.size(), ' ');
    return s;
}

std::string attributes_of(const field& f) {
    std::string s = f.is_protected() ? "protected" : "unprotected";
    if (f.is_numeric()) s += f.is_protected() ? " autoskip" : " numeric";
    if (f.attribute.is_intensified()) s += " intensified";
    if (f.is_non_display()) s += " non-display";
    if (f.is_modified()) s += " modified";
    return s;
}

}  // namespace

std::string render(const screen& s, const render_options& options) {
    const std::size_t rows = s.size().rows;
    const std::size_t cols = s.size().columns;
    std::u32string grid = visible_characters(s, options.mark_fields ? U'*' : U' ');
    const std::vector<field> fields = s.fields();
    if (options.mark_fields) {
        for (const field& f : fields)
            if (!f.is_protected()) grid[f.attribute_address] = U'>';
    }

    std::string out;
    if (options.header) {
        out += "screen " + std::to_string(rows) + "x" + std::to_string(cols);
        if (s.is_alternate()) out += " (alternate)";
        out += ", cursor " + std::to_string(s.row_of(s.cursor()) + 1) + "," +
               std::to_string(s.column_of(s.cursor()) + 1);
        out += s.keyboard_locked() ? ", keyboard locked" : ", keyboard unlocked";
        out += fields.empty() ? ", unformatted" : ", " + std::to_string(fields.size()) + " fields";
        out += '\n';
    }
    const std::string border = "    +" + std::string(cols, '-') + "+\n";
    if (options.frame) out += border;
    for (std::size_t r = 0; r < rows; ++r) {
        if (options.frame) out += pad_left(r + 1, 4) + "|";
        for (std::size_t c = 0; c < cols; ++c) utf8::append(out, grid[r * cols + c]);
        if (options.frame) out += "|";
        out += '\n';
    }
    if (options.frame) out += border;

    if (options.field_table && !fields.empty()) {
        out += "fields:\n  row col  len  attributes\n";
        for (const field& f : fields) {
            out += pad_left(s.row_of(f.start) + 1, 5) + pad_left(s.column_of(f.start) + 1, 4) +
                   pad_left(f.length, 5) + "  " + attributes_of(f);
            if (f.is_non_display()) {
                out += "  (hidden)";
            } else if (!f.is_protected()) {
                std::u32string text;
                for (std::size_t i = 0, a = f.start; i < f.length; ++i, a = (a + 1) % grid.size())
                    text.push_back(grid[a]);
                while (!text.empty() && text.back() == U' ') text.pop_back();
                out += "  \"";
                for (char32_t c : text) utf8::append(out, c);
                out += "\"";
            }
            out += '\n';
        }
    }
    return out;
}

}  // namespace ssogate::protocols::tn3270
