#pragma once
// Internal: one line of standard input, asked for at a terminal without echoing it.
#include <ssogate/credstore/secret_bytes.hpp>

#include <cstddef>
#include <string_view>

namespace ssogate::gateway {

struct input_line {
    credstore::secret_bytes text;  // without its line end ("\n", or "\r\n")
    bool found = false;            // false: standard input had no line left
    bool too_long = false;         // the line was longer than the limit (text is then empty)
};

/// The next line of standard input (file descriptor 0), read byte by byte so nothing past it is
/// consumed. When standard input is a terminal, `prompt` is written to stderr first and echo is
/// off while the line is typed (restored after, a newline written to stderr); otherwise the
/// line is read as it comes. A line longer than `max` bytes is read to its end and refused.
input_line read_input_line(std::string_view prompt, std::size_t max = 4096);

}  // namespace ssogate::gateway
