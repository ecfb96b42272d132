// Real s3270 sessions with `ssogate sample-host tn3270` (tests/data/s3270_sample_host_*.hex),
// replayed through sample_host::host_connection whole, split at every offset and byte by byte:
// the host must send exactly what it sent to s3270 and report the same events.
#include <ssogate/sample_host/host_connection.hpp>

#include "transcript.hpp"

#include <gtest/gtest.h>

using namespace ssogate::sample_host;
using namespace ssogate::test;

namespace {

const std::string data_dir = SSOGATE_TEST_DATA_DIR;

constexpr const char* users_toml = "[[user]]\nid = \"ALICE\"\npassword = \"SECRET1\"\n";

void replay(const std::string& file) {
    const auto screens = screen_set::built_in();
    auto users = user_directory::parse(users_toml, "users.toml");
    host_config cfg;
    cfg.lu_name = "SAMPL001";  // what the server named the first connection
    transcript<host_connection> t;
    t.load(data_dir + "/" + file, trace_side::host,
           {{"signed_on",
             [](transcript<host_connection>& x) {
                 x.expect_event(sign_on_attempt{"ALICE", sign_on_outcome::signed_on});
             }},
            {"signed_off", [](transcript<host_connection>& x) { x.expect_event(signed_off{"ALICE"}); }}});
    ASSERT_GE(t.rounds(), 7u);
    t.run_all([&] { return host_connection(screens, users, cfg); });
    EXPECT_EQ(users.find("ALICE")->sessions, 0);
}

}  // namespace

TEST(SampleHostTranscript, S3270InTn3270eModeReplays) { replay("s3270_sample_host_tn3270e.hex"); }

TEST(SampleHostTranscript, S3270InPlainTn3270ModeReplays) { replay("s3270_sample_host_tn3270.hex"); }
