#pragma once
// `ssogate identity check --config FILE --user 'CORP\alice' [--password-stdin] [--json]`:
// who does the gateway think this is? Prints the principal, SID, account state and groups.
//
// With --password-stdin the password (first line of standard input; at a terminal a prompt with
// echo off) is verified by the KDC and the KDC's ticket by the keytab, exactly as the logon
// screen does. Without it, only the name is normalised (state "unverified").
//
// Exit codes as every ssogate command: 0 verified (or normalised), 1 refused or failed with one
// line on `err` ("ssogate: ..."), 2 usage. With --json the answer is also a JSON object on `out`
// when refused: {"user": ..., "state": "password_expired", "error": "..."}.
//
// `--cert FILE` (instead of --user): the certificate rules' verdict on a client certificate (PEM,
// the client's certificate first, then intermediates; or one DER certificate): the rule that
// matched and the principal, or why it was refused ({"certificate", "rule", "state", "error"}).
#include <iosfwd>
#include <string>

namespace ssogate::identity {

struct check_args {
    std::string config;           // --config FILE
    std::string user;             // --user
    bool password_stdin = false;  // --password-stdin
    bool json = false;            // --json
    std::string cert;             // --cert FILE: check a client certificate instead of --user
};

/// Does the whole command. `in_fd` is where the password is read (standard input: 0).
int identity_check_command(const check_args& a, int in_fd, std::ostream& out, std::ostream& err);
/// The same on the process's standard streams.
int identity_check_command(const check_args& a);

}  // namespace ssogate::identity
