#include <ssogate/gateway/cli.hpp>

int main(int argc, char** argv) { return ssogate::gateway::run_cli(argc, argv); }
