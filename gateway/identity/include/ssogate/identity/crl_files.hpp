#pragma once
// CRL files an operator names: the `crls` of a [[identity.certificates.rule]], of [secret_server]
// and `secret_server_crls` of [gateway]. One reader for all of them, so a CRL is read the same
// way wherever it is configured: PEM (one or more CRLs) or one DER CRL per file, read in chunks up
// to 64 MiB (a runaway file or /dev/zero is a refusal, not an unbounded read).
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

struct stack_st_X509_CRL;  // OpenSSL's STACK_OF(X509_CRL)

namespace ssogate::identity {

struct crl_list_free {
    void operator()(stack_st_X509_CRL* s) const;
};
/// Owns the CRLs and the stack (sk_X509_CRL_pop_free).
using crl_list = std::unique_ptr<stack_st_X509_CRL, crl_list_free>;

/// Every CRL of `files`, in order. Null, with `why` set to one line naming the file, when a file
/// cannot be read, is larger than 64 MiB or holds no CRL. Callers treat null as "refuse": a
/// configured CRL that is not there never means "no revocation check" (fail closed). Dates and
/// signatures are not checked here; X509_verify_cert does that against the certificate's issuer.
crl_list load_crl_files(const std::vector<std::filesystem::path>& files, std::string& why);

/// Whether an X509_V_ERR_* code from X509_verify_cert says "cannot tell whether it is revoked"
/// (no CRL of the issuer, an expired, not yet valid or badly signed CRL, one of another scope):
/// every place that checks CRLs refuses on these, as it does on a revocation.
bool crl_unusable(int verify_error) noexcept;

}  // namespace ssogate::identity
