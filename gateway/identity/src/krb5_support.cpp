#include "krb5_support.hpp"

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace ssogate::identity::detail {

std::string krb5_message(krb5_context ctx, krb5_error_code code) {
    if (code == 0) return {};
    const char* m = krb5_get_error_message(ctx, code);
    std::string out = m != nullptr ? m : "";
    krb5_free_error_message(ctx, m);
    return out;
}

std::string gss_message(OM_uint32 major, OM_uint32 minor, gss_OID mech) {
    std::string out;
    auto add = [&](OM_uint32 code, int type) {
        OM_uint32 ctx = 0;
        do {
            OM_uint32 min = 0;
            gss_buffer_desc text = GSS_C_EMPTY_BUFFER;
            if (gss_display_status(&min, code, type, mech, &ctx, &text) != GSS_S_COMPLETE) break;
            const std::string piece(static_cast<const char*>(text.value), text.length);
            gss_release_buffer(&min, &text);
            if (piece.empty() || out.find(piece) != std::string::npos) continue;
            if (!out.empty()) out += "; ";
            out += piece;
        } while (ctx != 0);
    };
    if (GSS_ERROR(major) != 0) add(major, GSS_C_GSS_CODE);
    if (minor != 0) add(minor, GSS_C_MECH_CODE);
    return out;
}

// ---- the profile overlay -------------------------------------------------------------------
//
// MIT's krb5_init_context_profile() copies the profile it is given, and copying a file-based
// profile re-reads the files, so relations changed in memory would be lost. A vtable profile
// (profile.h, profile_init_vtable) is copied through our own callback instead: every copy
// shares one overlay_data, which answers the overridden relations and hands everything else
// to the file-based profile.

struct overlay_data {
    std::atomic<int> refs{1};
    profile_t base = nullptr;  // the files; null when none exists
    std::map<std::vector<std::string>, std::vector<std::string>> overrides;

    ~overlay_data() {
        if (base != nullptr) profile_release(base);
    }
};

namespace {

overlay_data* data_of(void* cb) { return static_cast<overlay_data*>(cb); }

long overlay_get_values(void* cb, const char* const* names, char*** ret_values) {
    auto* d = data_of(cb);
    std::vector<std::string> key;
    for (const char* const* n = names; n != nullptr && *n != nullptr; ++n) key.emplace_back(*n);
    if (const auto it = d->overrides.find(key); it != d->overrides.end()) {
        auto** list = static_cast<char**>(std::calloc(it->second.size() + 1, sizeof(char*)));
        if (list == nullptr) return ENOMEM;
        for (std::size_t i = 0; i < it->second.size(); ++i) {
            list[i] = ::strdup(it->second[i].c_str());
            if (list[i] == nullptr) {
                profile_free_list(list);
                return ENOMEM;
            }
        }
        *ret_values = list;
        return 0;
    }
    if (d->base == nullptr) return PROF_NO_SECTION;
    return profile_get_values(d->base, names, ret_values);
}

void overlay_free_values(void*, char** values) { profile_free_list(values); }

void overlay_cleanup(void* cb) {
    auto* d = data_of(cb);
    if (d->refs.fetch_sub(1) == 1) delete d;
}

long overlay_copy(void* cb, void** ret) {
    data_of(cb)->refs.fetch_add(1);
    *ret = cb;
    return 0;
}

// Iteration (krb5 walks [domain_realm], [capaths], ... this way) goes to the files.
struct overlay_iter {
    void* base = nullptr;
};

long overlay_iterator_create(void* cb, const char* const* names, int flags, void** ret_iter) {
    auto* it = new (std::nothrow) overlay_iter;
    if (it == nullptr) return ENOMEM;
    if (auto* d = data_of(cb); d->base != nullptr) {
        const long rc = profile_iterator_create(d->base, names, flags, &it->base);
        if (rc != 0 && rc != PROF_NO_SECTION && rc != PROF_NO_RELATION) {
            delete it;
            return rc;
        }
    }
    *ret_iter = it;
    return 0;
}

long overlay_iterator(void*, void* iter, char** ret_name, char** ret_value) {
    auto* it = static_cast<overlay_iter*>(iter);
    *ret_name = nullptr;
    *ret_value = nullptr;
    if (it->base == nullptr) return 0;  // done
    return profile_iterator(&it->base, ret_name, ret_value);  // nulls it->base at the end
}

void overlay_iterator_free(void*, void* iter) {
    auto* it = static_cast<overlay_iter*>(iter);
    if (it->base != nullptr) profile_iterator_free(&it->base);
    delete it;
}

void overlay_free_string(void*, char* s) { profile_release_string(s); }

}  // namespace

profile_overlay::profile_overlay(const std::string& files,
                                 std::map<std::vector<std::string>, std::vector<std::string>> overrides) {
    auto* d = new overlay_data;
    d->overrides = std::move(overrides);
    if (!files.empty()) {
        const long rc = profile_init_path(files.c_str(), &d->base);
        if (rc == ENOENT) {
            // no file at all: an empty profile (the library's defaults)
            d->base = nullptr;
            if (const long rc2 = profile_init(nullptr, &d->base); rc2 != 0) {
                delete d;
                throw std::runtime_error(std::string("cannot set up the Kerberos configuration: ") +
                                         error_message(rc2));
            }
        } else if (rc != 0) {
            delete d;
            throw std::runtime_error("cannot read the Kerberos configuration " + files + ": " +
                                     error_message(rc));
        }
    }
    profile_vtable vt{};
    vt.minor_ver = 1;
    vt.get_values = overlay_get_values;
    vt.free_values = overlay_free_values;
    vt.cleanup = overlay_cleanup;
    vt.copy = overlay_copy;
    vt.iterator_create = overlay_iterator_create;
    vt.iterator = overlay_iterator;
    vt.iterator_free = overlay_iterator_free;
    vt.free_string = overlay_free_string;
    if (const long rc = profile_init_vtable(&vt, d, &profile_); rc != 0) {
        delete d;
        throw std::runtime_error(std::string("cannot set up the Kerberos configuration: ") +
                                 error_message(rc));
    }
}

profile_overlay::~profile_overlay() {
    if (profile_ != nullptr) profile_release(profile_);  // calls overlay_cleanup
}

krb5_context profile_overlay::make_context() const {
    krb5_context ctx = nullptr;
    if (const krb5_error_code rc = krb5_init_context_profile(profile_, 0, &ctx); rc != 0)
        throw std::runtime_error(std::string("cannot start the Kerberos library: ") + error_message(rc));
    return ctx;
}

// ---- keytabs --------------------------------------------------------------------------------

std::string keytab_name(const std::string& path) {
    if (path.empty()) return {};
    return "FILE:" + path;
}

std::string check_keytab(krb5_context ctx, const std::string& keytab_path, krb5_principal service) {
    keytab_ptr kt(ctx);
    const std::string name = keytab_name(keytab_path);
    krb5_error_code rc =
        name.empty() ? krb5_kt_default(ctx, kt.out()) : krb5_kt_resolve(ctx, name.c_str(), kt.out());
    char shown[512] = "";
    if (rc == 0) (void)krb5_kt_get_name(ctx, kt.get(), shown, sizeof shown);
    const std::string where = shown[0] != '\0' ? std::string(shown) : (name.empty() ? "the default keytab" : name);
    if (rc != 0) return "cannot open the keytab " + where + ": " + krb5_message(ctx, rc);
    if (service != nullptr) {
        krb5_keytab_entry entry{};
        rc = krb5_kt_get_entry(ctx, kt.get(), service, 0, 0, &entry);
        if (rc == 0) {
            krb5_free_keytab_entry_contents(ctx, &entry);
            return {};
        }
        char* sname = nullptr;
        std::string svc = "the service principal";
        if (krb5_unparse_name(ctx, service, &sname) == 0) {
            svc = sname;
            krb5_free_unparsed_name(ctx, sname);
        }
        return "the keytab " + where + " has no key for " + svc + ": " + krb5_message(ctx, rc);
    }
    krb5_kt_cursor cursor{};
    rc = krb5_kt_start_seq_get(ctx, kt.get(), &cursor);
    if (rc != 0) return "cannot read the keytab " + where + ": " + krb5_message(ctx, rc);
    krb5_keytab_entry entry{};
    rc = krb5_kt_next_entry(ctx, kt.get(), &entry, &cursor);
    if (rc == 0) krb5_free_keytab_entry_contents(ctx, &entry);
    krb5_kt_end_seq_get(ctx, kt.get(), &cursor);
    if (rc == KRB5_KT_END) return "the keytab " + where + " holds no key";
    if (rc != 0) return "cannot read the keytab " + where + ": " + krb5_message(ctx, rc);
    return {};
}

}  // namespace ssogate::identity::detail
