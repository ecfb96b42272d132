#pragma once
// The `ssogate` command line. Exit codes: 0 success, 1 failure (one line on stderr),
// 2 usage error.
namespace ssogate::gateway {
int run_cli(int argc, char** argv);
}
