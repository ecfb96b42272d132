#include "ticket_pac.hpp"

#include "krb5_support.hpp"

#include <gssapi/gssapi_ext.h>
#include <gssapi/gssapi_krb5.h>

#include <cstdint>
#include <span>

namespace ssogate::identity::detail {

ticket_pac read_ticket_pac(gss_ctx_id_t context, gss_name_t client) {
    ticket_pac out;
    static const std::string attribute = "urn:mspac:logon-info";
    gss_buffer_desc attr{attribute.size(), const_cast<char*>(attribute.data())};
    gss_buffer_desc value = GSS_C_EMPTY_BUFFER;
    gss_buffer_desc display = GSS_C_EMPTY_BUFFER;
    int authenticated = 0, complete = 0, more = -1;
    OM_uint32 minor = 0;
    const OM_uint32 major =
        gss_get_name_attribute(&minor, client, &attr, &authenticated, &complete, &value, &display, &more);
    if (GSS_ERROR(major) == 0) {
        // Only a buffer MIT verified with our service key counts; an unverified one is ignored
        // as if absent (no groups from it), never believed.
        if (authenticated != 0 && value.value != nullptr) {
            out.present = true;
            std::string why;
            out.info = parse_pac_logon_info(
                std::span<const std::uint8_t>(static_cast<const std::uint8_t*>(value.value), value.length), &why);
            if (!out.info) out.error = why;
        }
        OM_uint32 m = 0;
        gss_release_buffer(&m, &value);
        gss_release_buffer(&m, &display);
    }
    krb5_timestamp authtime = 0;
    if (out.present && GSS_ERROR(gsskrb5_extract_authtime_from_sec_context(&minor, context, &authtime)) == 0)
        out.authtime = std::chrono::system_clock::from_time_t(static_cast<std::time_t>(static_cast<std::uint32_t>(authtime)));
    return out;
}

}  // namespace ssogate::identity::detail
