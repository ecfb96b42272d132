// Credential resolution (lookup + integrity checks + decrypt) with 100,000 mappings on SQLite,
// measured side by side with a raw SQLite point select of the same mapping rows through the
// sqlite3 C API (prepared once, bound per lookup) of the same columns resolution needs from that
// row (mapping and credential): the floor any store on SQLite could reach.
// Prints both rates and their ratio (target >= 0.5).
#include <ssogate/credstore/store.hpp>

#include <benchmark/benchmark.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <random>

using namespace ssogate::credstore;

namespace {

int mappings_n = 100000;
std::filesystem::path dir;
std::unique_ptr<keyring> ring;
std::unique_ptr<store> st;
std::vector<std::string> users;

std::string user(int i) { return "CORP\\user" + std::to_string(i); }

void build_store() {
    char tmpl[] = "/tmp/ssogate-bench.XXXXXX";
    dir = ::mkdtemp(tmpl);
    create_key_file(dir / "unseal.key");
    ring = std::make_unique<keyring>(keyring::generate(0));
    store_options o;
    o.url = "sqlite:" + (dir / "store.db").string();
    o.writer_id = "bench";
    o.realms.add("CORP", "CORP.EXAMPLE");
    o.create_if_missing = true;
    st = store::open(o);
    st->migrate();
    st->save_new_keyring(seal_keyring(*ring, unseal_key::from_key_file(dir / "unseal.key")), *ring);
    st->create_app({"TSO", app_kind::individual, "bench", "", {{"password", true}}, {}});
    const auto t0 = std::chrono::steady_clock::now();
    for (int i = 0; i < mappings_n; ++i) {
        users.push_back(user(i));
        const std::string n = std::to_string(i);
        st->add_mapping("TSO", users.back(), std::string("U").append(n));
        std::vector<secret_bytes> v;
        v.push_back(secret_bytes::copy_of(std::string("PW").append(n)));
        st->set_credential("TSO", users.back(), std::move(v));
    }
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    std::printf("store: %d mappings with credentials written in %.1f s (%.0f mappings/s, each "
                "mapping and credential its own audited transaction)\n",
                mappings_n, s, mappings_n / s);
}

void BM_Resolve(benchmark::State& state) {
    std::mt19937 rng(42);
    std::uniform_int_distribution<int> pick(0, mappings_n - 1);
    std::vector<std::string> none;
    for (auto _ : state) {
        const int i = pick(rng);
        auto r = st->resolve("TSO", users[static_cast<std::size_t>(i)], none);
        if (!r.ok() || r.fields.size() != 1) state.SkipWithError("resolution failed");
        benchmark::DoNotOptimize(r.fields[0].value.data());
    }
    state.SetItemsProcessed(state.iterations());
}

void BM_RawSqliteSelect(benchmark::State& state) {
    sqlite3* db = nullptr;
    sqlite3_open_v2((dir / "store.db").c_str(), &db, SQLITE_OPEN_READONLY, nullptr);
    sqlite3_stmt* stmt = nullptr;
    sqlite3_prepare_v3(db,
                       "SELECT id, principal, principal_kind, sid, host_user, enabled, mac_kv, mac,"
                       " cred_key_version, cred_state, cred_fields, cred_updated_at, cred_mac_kv,"
                       " cred_mac FROM mappings WHERE app_id = ?1 AND principal_key = ?2",
                       -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    std::vector<std::string> keys;
    for (int i = 0; i < mappings_n; ++i) keys.push_back("user" + std::to_string(i) + "@corp.example");
    std::mt19937 rng(42);
    std::uniform_int_distribution<int> pick(0, mappings_n - 1);
    for (auto _ : state) {
        const auto& k = keys[static_cast<std::size_t>(pick(rng))];
        sqlite3_bind_int64(stmt, 1, 1);
        sqlite3_bind_text(stmt, 2, k.data(), static_cast<int>(k.size()), SQLITE_STATIC);
        if (sqlite3_step(stmt) != SQLITE_ROW) state.SkipWithError("no row");
        benchmark::DoNotOptimize(sqlite3_column_text(stmt, 4));
        benchmark::DoNotOptimize(sqlite3_column_text(stmt, 7));
        benchmark::DoNotOptimize(sqlite3_column_text(stmt, 10));
        sqlite3_reset(stmt);
    }
    state.SetItemsProcessed(state.iterations());
    sqlite3_finalize(stmt);
    sqlite3_close(db);
}

BENCHMARK(BM_RawSqliteSelect)->Unit(benchmark::kMicrosecond)->Repetitions(5)->ReportAggregatesOnly(true);
BENCHMARK(BM_Resolve)->Unit(benchmark::kMicrosecond)->Repetitions(5)->ReportAggregatesOnly(true);

class capture : public benchmark::ConsoleReporter {
public:
    std::map<std::string, double> median_rate;
    void ReportRuns(const std::vector<Run>& runs) override {
        for (const auto& r : runs)
            if (r.aggregate_name == "median")
                median_rate[r.run_name.function_name] = r.counters.at("items_per_second");
        ConsoleReporter::ReportRuns(runs);
    }
};

}  // namespace

int main(int argc, char** argv) {
    if (const char* n = std::getenv("SSOGATE_BENCH_MAPPINGS")) mappings_n = std::max(1, std::atoi(n));
    benchmark::Initialize(&argc, argv);
    build_store();
    capture rep;
    benchmark::RunSpecifiedBenchmarks(&rep);
    const double ours = rep.median_rate["BM_Resolve"], raw = rep.median_rate["BM_RawSqliteSelect"];
    std::printf("\ncredential resolution (lookup + MAC checks + AES-GCM decrypt):   %10.0f /s\n", ours);
    std::printf("raw SQLite point select (sqlite3 C API, same table):            %10.0f /s\n", raw);
    std::printf("ratio resolution / raw select: %.2f (target >= 0.50) %s\n", ours / raw,
                ours / raw >= 0.5 ? "MET" : "NOT MET");
    st.reset();
    std::filesystem::remove_all(dir);
    benchmark::Shutdown();
    return 0;
}
