#pragma once
// Run a real binary with arguments and standard input; collect exit code, stdout and stderr.
#include <string>
#include <vector>

namespace ssogate::test {

struct run_result {
    int exit_code = -1;
    std::string out;
    std::string err;
};

/// Runs `argv` (argv[0] is the path) with `input` on stdin; kills it after `timeout_s`.
run_result run(const std::vector<std::string>& argv, const std::string& input = {},
               int timeout_s = 60);

}  // namespace ssogate::test
