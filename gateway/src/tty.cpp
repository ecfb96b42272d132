#include "tty.hpp"

#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

namespace ssogate::gateway {

input_line read_input_line(std::string_view prompt, std::size_t max) {
    termios old{};
    const bool tty = ::isatty(0) == 1 && ::tcgetattr(0, &old) == 0;
    if (tty) {
        // Echo off before the prompt shows: what is typed once it is seen is never echoed (nor
        // discarded by the flush, which drops only what was typed before the prompt).
        termios quiet = old;
        quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
        ::tcsetattr(0, TCSAFLUSH, &quiet);
        std::fprintf(stderr, "%.*s", static_cast<int>(prompt.size()), prompt.data());
        std::fflush(stderr);
    }
    input_line line;
    line.text = credstore::secret_bytes(max);
    std::size_t n = 0;
    char c = 0;
    for (;;) {
        const ssize_t r = ::read(0, &c, 1);
        if (r < 0 && errno == EINTR) continue;
        if (r != 1) break;
        line.found = true;
        if (c == '\n') break;
        if (n == max) line.too_long = true;
        else line.text.data()[n++] = static_cast<std::byte>(c);
    }
    if (tty) {
        ::tcsetattr(0, TCSADRAIN, &old);  // keeps what is typed ahead for a next prompt
        std::fputc('\n', stderr);
    }
    if (n > 0 && line.text.data()[n - 1] == std::byte{'\r'}) --n;
    line.text.truncate(line.too_long ? 0 : n);
    return line;
}

}  // namespace ssogate::gateway
