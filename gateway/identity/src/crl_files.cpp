#include <ssogate/identity/crl_files.hpp>

#include "read_capped.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

namespace ssogate::identity {

void crl_list_free::operator()(stack_st_X509_CRL* s) const { sk_X509_CRL_pop_free(s, X509_CRL_free); }

namespace {

// One file: PEM (one or more CRLs) or one DER CRL. Sets `why` on failure.
crl_list load_one(const std::filesystem::path& file, std::string& why) {
    constexpr std::size_t max_crl_file = 64 * 1024 * 1024;  // large CAs publish CRLs of megabytes
    std::string text;
    switch (detail::read_capped(file, max_crl_file, text)) {
        case detail::read_status::unreadable: why = "the CRL file " + file.string() + " cannot be read"; return nullptr;
        case detail::read_status::too_large: why = "the CRL file " + file.string() + " is larger than 64 MiB"; return nullptr;
        case detail::read_status::ok: break;
    }
    crl_list out(sk_X509_CRL_new_null());
    if (!out) {
        why = "out of memory reading the CRL file " + file.string();
        return nullptr;
    }
    if (text.find("-----BEGIN X509 CRL-----") != std::string::npos) {
        std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())), BIO_free);
        while (X509_CRL* crl = PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr)) sk_X509_CRL_push(out.get(), crl);
    } else {
        const auto* p = reinterpret_cast<const unsigned char*>(text.data());
        if (X509_CRL* crl = d2i_X509_CRL(nullptr, &p, static_cast<long>(text.size()))) sk_X509_CRL_push(out.get(), crl);
    }
    ERR_clear_error();
    if (sk_X509_CRL_num(out.get()) == 0) {
        why = "the CRL file " + file.string() + " holds no CRL (PEM or DER)";
        return nullptr;
    }
    return out;
}

}  // namespace

crl_list load_crl_files(const std::vector<std::filesystem::path>& files, std::string& why) {
    crl_list all(sk_X509_CRL_new_null());
    if (!all) {
        why = "out of memory reading CRL files";
        return nullptr;
    }
    for (const auto& file : files) {
        crl_list one = load_one(file, why);
        if (!one) return nullptr;
        while (sk_X509_CRL_num(one.get()) > 0) sk_X509_CRL_push(all.get(), sk_X509_CRL_shift(one.get()));
    }
    return all;
}

bool crl_unusable(int verify_error) noexcept {
    switch (verify_error) {
        case X509_V_ERR_UNABLE_TO_GET_CRL:
        case X509_V_ERR_UNABLE_TO_GET_CRL_ISSUER:
        case X509_V_ERR_CRL_HAS_EXPIRED:
        case X509_V_ERR_CRL_NOT_YET_VALID:
        case X509_V_ERR_CRL_SIGNATURE_FAILURE:
        case X509_V_ERR_UNABLE_TO_DECRYPT_CRL_SIGNATURE:
        case X509_V_ERR_ERROR_IN_CRL_LAST_UPDATE_FIELD:
        case X509_V_ERR_ERROR_IN_CRL_NEXT_UPDATE_FIELD:
        case X509_V_ERR_KEYUSAGE_NO_CRL_SIGN:
        case X509_V_ERR_DIFFERENT_CRL_SCOPE:
        case X509_V_ERR_UNHANDLED_CRITICAL_CRL_EXTENSION:
            return true;
        default:
            return false;
    }
}

}  // namespace ssogate::identity
