// The sample host's parsers and its host side: screen files, users files and terminal input.
// First byte: 0 -> screen file (then every screen drawn), 1 -> users file (then a sign-on),
// otherwise -> bytes from a terminal to a sample host connection (built-in screens).
// Any input gives definitions or one screen_file_error / users_file_error, never a crash.
#include <ssogate/protocols/tn3270/codepage.hpp>
#include <ssogate/sample_host/host_connection.hpp>
#include <ssogate/sample_host/screens.hpp>
#include <ssogate/sample_host/users.hpp>

#include <string_view>

using namespace ssogate::sample_host;
namespace tn = ssogate::protocols::tn3270;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
    if (data[0] == 0) {
        try {
            screen_set set;
            set.add(text, "fuzz.screen");
            screen_values v;
            v.userid = "J$@#9";
            v.message = "IKJ56421I INVALID PASSWORD - FAILURE COUNT 1";
            v.echo_text = "\xc3\xa9\xe2\x82\xac";  // a character no code page holds: shown as '?'
            for (const char* name : {"logon", "application", "a", "x"})
                if (const auto* d = set.find(name))
                    (void)erase_write(*d, v, tn::codepage::get(tn::codepage::id::cp273));
        } catch (const screen_file_error&) {
        }
    } else if (data[0] == 1) {
        try {
            auto users = user_directory::parse(text, "fuzz.toml");
            (void)users.sign_on("ALICE", "SECRET1", "");
            (void)users.sign_on("ALICE", "SECRET1", "NEW");
        } catch (const users_file_error&) {
        }
    } else {
        static const screen_set screens = screen_set::built_in();
        auto users = user_directory::parse("[[user]]\nid = \"ALICE\"\npassword = \"SECRET1\"\n", "u");
        host_config cfg;
        cfg.tn3270e = (data[0] & 1) != 0;
        host_connection conn(screens, users, cfg);
        std::error_code ec;
        conn.receive(std::as_bytes(std::span(text.data(), text.size())), ec);
        while (conn.next_event()) {
        }
        conn.consume_output(conn.pending_output().size());
        conn.receive_eof(ec);
    }
    return 0;
}
