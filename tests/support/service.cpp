#include "service.hpp"

#include "process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace ssogate::test {

service::service(std::vector<std::string> argv, std::filesystem::path log, std::string input)
    : log_(std::move(log)) {
    const int out = ::open(log_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int in[2];
    if (out < 0 || ::pipe2(in, O_CLOEXEC) != 0) throw std::runtime_error("cannot set up the child");
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out, 1);
    posix_spawn_file_actions_adddup2(&fa, out, 2);
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    const int rc = posix_spawn(&pid_, args[0], &fa, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    ::close(in[0]);
    ::close(out);
    if (rc != 0) {
        ::close(in[1]);
        throw std::runtime_error(std::string("spawn failed: ") + std::strerror(rc));
    }
    ::signal(SIGPIPE, SIG_IGN);
    if (!input.empty()) (void)!::write(in[1], input.data(), input.size());
    ::close(in[1]);
}

service::~service() {
    if (pid_ > 0 && status_ < 0) stop();
}

std::string service::log() const {
    std::ifstream in(log_);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

std::string service::wait_for(const std::string& text, std::chrono::milliseconds timeout) const {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    do {
        std::istringstream lines(log());
        std::string line;
        while (std::getline(lines, line))
            if (line.find(text) != std::string::npos) return line;
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    } while (std::chrono::steady_clock::now() < deadline);
    return "";
}

bool service::running() {
    if (status_ >= 0) return false;
    int st = 0;
    const pid_t r = ::waitpid(pid_, &st, WNOHANG);
    if (r == pid_) {
        status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        return false;
    }
    return true;
}

int service::stop() {
    if (!running()) return status_;
    ::kill(pid_, SIGTERM);
    for (int i = 0; i < 500 && running(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    if (running()) {
        ::kill(pid_, SIGKILL);
        int st = 0;
        ::waitpid(pid_, &st, 0);
        status_ = 128 + SIGKILL;
    }
    return status_;
}

void service::kill9() {
    if (!running()) return;
    ::kill(pid_, SIGKILL);
    int st = 0;
    ::waitpid(pid_, &st, 0);
    status_ = 128 + SIGKILL;
}

namespace {
// Search a stream of chunks for needles, keeping an overlap so a needle split by a chunk edge
// is still found.
class needle_search {
public:
    explicit needle_search(const std::vector<std::string>& needles) : needles_(needles) {
        for (const auto& n : needles) overlap_ = std::max(overlap_, n.size());
        found_.assign(needles.size(), false);
    }
    void feed(const char* data, std::size_t n) {
        carry_.append(data, n);
        for (std::size_t i = 0; i < needles_.size(); ++i)
            if (!found_[i] && carry_.find(needles_[i]) != std::string::npos) found_[i] = true;
        if (carry_.size() > overlap_) carry_.erase(0, carry_.size() - overlap_);
    }
    void reset() { carry_.clear(); }
    std::vector<std::size_t> found() const {
        std::vector<std::size_t> out;
        for (std::size_t i = 0; i < found_.size(); ++i)
            if (found_[i]) out.push_back(i);
        return out;
    }

private:
    const std::vector<std::string>& needles_;
    std::size_t overlap_ = 0;
    std::string carry_;
    std::vector<bool> found_;
};
}  // namespace

std::vector<std::size_t> dumpable_memory_contains(int pid, const std::vector<std::string>& needles,
                                                  std::size_t* bytes_scanned) {
    std::ifstream smaps("/proc/" + std::to_string(pid) + "/smaps");
    if (!smaps) throw std::runtime_error("cannot read smaps of " + std::to_string(pid));
    struct region {
        unsigned long start, end;
        bool readable;
        std::string name;
        bool dontdump = false;
    };
    std::vector<region> regions;
    std::string line;
    while (std::getline(smaps, line)) {
        unsigned long a = 0, b = 0;
        char perms[8] = {};
        if (std::sscanf(line.c_str(), "%lx-%lx %7s", &a, &b, perms) == 3 && line.find('-') < 17) {
            const auto slash = line.find_first_of("/[");
            regions.push_back({a, b, perms[0] == 'r', slash == std::string::npos ? "" : line.substr(slash)});
        } else if (line.rfind("VmFlags:", 0) == 0 && !regions.empty()) {
            regions.back().dontdump = line.find(" dd") != std::string::npos;
        }
    }
    const int fd = ::open(("/proc/" + std::to_string(pid) + "/mem").c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw std::runtime_error("cannot open /proc/PID/mem: " + std::string(std::strerror(errno)));
    needle_search search(needles);
    std::vector<char> buf(1 << 20);
    std::size_t scanned = 0;
    for (const auto& r : regions) {
        if (!r.readable || r.dontdump || r.name == "[vvar]" || r.name == "[vsyscall]") continue;
        search.reset();
        for (unsigned long at = r.start; at < r.end;) {
            const std::size_t want = std::min<std::size_t>(buf.size(), r.end - at);
            const ssize_t got = ::pread(fd, buf.data(), want, static_cast<off_t>(at));
            if (got <= 0) break;  // an unreadable part (guard pages): a core dump skips it too
            search.feed(buf.data(), static_cast<std::size_t>(got));
            scanned += static_cast<std::size_t>(got);
            at += static_cast<unsigned long>(got);
        }
    }
    ::close(fd);
    if (bytes_scanned) *bytes_scanned = scanned;
    return search.found();
}

std::vector<std::size_t> file_contains(const std::filesystem::path& file, const std::vector<std::string>& needles) {
    std::ifstream in(file, std::ios::binary);
    needle_search search(needles);
    std::vector<char> buf(1 << 20);
    while (in.read(buf.data(), static_cast<std::streamsize>(buf.size())) || in.gcount() > 0)
        search.feed(buf.data(), static_cast<std::size_t>(in.gcount()));
    return search.found();
}

namespace {

/// A TCP socket connected to 127.0.0.1:port (reads time out after 5 s), or -1.
int connect_loopback(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<std::uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    timeval tv{5, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        ::close(fd);
        return -1;
    }
    return fd;
}

}  // namespace

bool port_accepts(int port) {
    const int fd = connect_loopback(port);
    if (fd < 0) return false;
    ::close(fd);
    return true;
}

http_answer http_get(int port, const std::string& path) {
    http_answer a;
    const int fd = connect_loopback(port);
    if (fd < 0) return a;
    const std::string req = "GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
    (void)!::write(fd, req.data(), req.size());
    std::string resp;
    char buf[4096];
    for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) resp.append(buf, static_cast<std::size_t>(n));
    ::close(fd);
    if (resp.rfind("HTTP/1.1 ", 0) == 0) a.status = std::atoi(resp.c_str() + 9);
    if (auto p = resp.find("\r\n\r\n"); p != std::string::npos) a.body = resp.substr(p + 4);
    return a;
}

int free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    ::close(fd);
    return ntohs(addr.sin_port);
}

int logged_port(const std::string& line) {
    const auto p = line.find("127.0.0.1:");
    return p == std::string::npos ? 0 : std::atoi(line.c_str() + p + 10);
}

namespace {
void openssl(const std::filesystem::path& dir, const std::string& args) {
    const auto r = run({"/bin/sh", "-c", "cd '" + dir.string() + "' && openssl " + args});
    if (r.exit_code != 0) throw std::runtime_error("openssl " + args + " failed: " + r.err);
}

void make_ca(const std::filesystem::path& dir, const std::string& name, const std::string& cn) {
    openssl(dir, "req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj '/CN=" + cn +
                     "' -keyout " + name + ".key -out " + name + ".pem -addext basicConstraints=critical,CA:TRUE"
                     " -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null");
}

void make_leaf(const std::filesystem::path& dir, const std::string& name, const std::string& ca,
               const std::string& cn, const std::string& ext) {
    std::ofstream(dir / (name + ".ext")) << ext << "\n";
    openssl(dir, "req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj '/CN=" + cn + "' -keyout " + name +
                     ".key -out " + name + ".csr 2>/dev/null");
    openssl(dir, "x509 -req -in " + name + ".csr -CA " + ca + ".pem -CAkey " + ca + ".key -CAcreateserial -days 2 -out " +
                     name + ".pem -extfile " + name + ".ext 2>/dev/null");
    std::filesystem::permissions(dir / (name + ".key"), std::filesystem::perms::owner_read |
                                                            std::filesystem::perms::owner_write);
}
}  // namespace

void make_pki(const std::filesystem::path& dir, const std::vector<client_cert>& clients) {
    make_ca(dir, "ca", "ssogate test CA");
    make_leaf(dir, "server", "ca", "secret-server",
              "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n"
              "subjectAltName=IP:127.0.0.1,DNS:localhost");
    for (const auto& c : clients)
        make_leaf(dir, c.name, "ca", c.name,
                  std::string("basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\n") +
                      (c.client_auth ? "extendedKeyUsage=clientAuth\n" : "") +
                      "subjectAltName=DNS:" + c.name);
    make_ca(dir, "other-ca", "another CA");
    make_leaf(dir, "stranger", "other-ca", clients.empty() ? "gw-1" : clients.front().name,
              "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=clientAuth");
}

}  // namespace ssogate::test
