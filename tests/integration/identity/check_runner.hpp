#pragma once
// `ssogate identity check` in-process for the identity integration tests: identity_check_command
// with `input` as its standard input (a pipe), its output and exit code captured.
#include <ssogate/identity/check_command.hpp>

#include <gtest/gtest.h>
#include <unistd.h>

#include <sstream>
#include <string>

namespace ssogate::test {

struct check_result {
    int code = -1;
    std::string out, err;
};

inline check_result run_check(const identity::check_args& a, const std::string& input) {
    int fds[2];
    EXPECT_EQ(::pipe(fds), 0);
    EXPECT_EQ(::write(fds[1], input.data(), input.size()), static_cast<ssize_t>(input.size()));
    ::close(fds[1]);
    std::ostringstream out, err;
    check_result r;
    r.code = identity::identity_check_command(a, fds[0], out, err);
    ::close(fds[0]);
    r.out = out.str();
    r.err = err.str();
    return r;
}

}  // namespace ssogate::test
