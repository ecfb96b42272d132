#pragma once
// Internal: the parsed command line and one function per command. cli.cpp (CLI11) fills
// cli_args and calls these; they never see CLI11.
#include <cstddef>
#include <string>
#include <vector>

namespace ssogate::gateway {

struct cli_args {
    std::string config;
    bool json = false;
    bool passphrase_stdin = false;
    std::string name;
    std::string kind;
    std::string description;
    std::string contact;
    std::string principal;
    std::string host_user;
    std::string sid;
    std::string field;
    std::vector<std::string> fields;
    std::vector<std::string> groups;
    std::vector<std::string> member_of;
    bool reveal = false;
    bool individual = false;
    bool password_stdin = false;
    bool value_stdin = false;
    std::size_t limit = 50;
    std::size_t batch = 500;
    int live_within = 600;
    std::string out_file;
    std::string in_file;
    std::string cert;           // identity check --cert
    std::string reminder;
    std::string public_key;
    std::string private_key;
    std::string gateway_socket;
    std::string dir;
};

int cmd_secret_init(const cli_args& a);
int cmd_secret_status(const cli_args& a);
int cmd_secret_backup(const cli_args& a);
int cmd_secret_restore(const cli_args& a);
int cmd_secret_rotate(const cli_args& a);
int cmd_secret_recovery_key_set(const cli_args& a);
int cmd_secret_export(const cli_args& a);
int cmd_secret_recover(const cli_args& a);
int cmd_store_migrate(const cli_args& a);
int cmd_app_create(const cli_args& a);
int cmd_app_list(const cli_args& a);
int cmd_app_show(const cli_args& a);
int cmd_app_enable(const cli_args& a, bool enable);
int cmd_app_delete(const cli_args& a);
int cmd_map_add(const cli_args& a);
int cmd_map_list(const cli_args& a);
int cmd_map_enable(const cli_args& a, bool enable);
int cmd_map_delete(const cli_args& a);
int cmd_cred_set(const cli_args& a);
int cmd_cred_status(const cli_args& a);
int cmd_cred_get(const cli_args& a);
int cmd_cred_check(const cli_args& a);
int cmd_config_set(const cli_args& a);
int cmd_config_get(const cli_args& a);
int cmd_audit_list(const cli_args& a);
int cmd_audit_verify(const cli_args& a);
int cmd_demo(const cli_args& a);
int cmd_secret_server(const cli_args& a);
int cmd_gateway(const cli_args& a);

}  // namespace ssogate::gateway
