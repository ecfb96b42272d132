#include "s3270.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <stdexcept>
#include <thread>

extern char** environ;

namespace ssogate::test {

std::string s3270::answer::text() const {
    std::string s;
    for (const auto& d : data) s += d + "\n";
    return s;
}

s3270::s3270(std::vector<std::string> extra) {
    if (::access(s3270_path, X_OK) != 0) throw std::runtime_error("s3270 is missing: install the Debian package s3270");
    int in[2], out[2];
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
    std::vector<std::string> argv = {s3270_path, "-model", "3279-2", "-xrm", "s3270.unlockDelay: false"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    std::vector<char*> args;
    for (auto& a : argv) args.push_back(a.data());
    args.push_back(nullptr);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, in[0], 0);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    const int rc = posix_spawn(&pid_, s3270_path, &fa, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    ::close(in[0]);
    ::close(out[1]);
    in_ = in[1];
    out_ = out[0];
    if (rc != 0) {
        ::close(in_);
        ::close(out_);
        throw std::runtime_error(std::string("cannot start s3270: ") + std::strerror(rc));
    }
    ::signal(SIGPIPE, SIG_IGN);
}

s3270::~s3270() {
    if (pid_ <= 0) return;
    const std::string quit = "Quit\n";
    (void)!::write(in_, quit.data(), quit.size());
    ::close(in_);
    int st = 0;
    for (int i = 0; i < 100; ++i) {
        if (::waitpid(pid_, &st, WNOHANG) == pid_) {
            pid_ = -1;
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, &st, 0);
    }
    ::close(out_);
}

s3270::answer s3270::run(const std::string& action, int timeout_s) {
    const std::string line = action + "\n";
    if (::write(in_, line.data(), line.size()) != static_cast<ssize_t>(line.size()))
        throw std::runtime_error("s3270 does not take commands");
    answer a;
    std::string previous;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
    for (;;) {
        for (std::size_t nl; (nl = buffer_.find('\n')) != std::string::npos;) {
            std::string l = buffer_.substr(0, nl);
            buffer_.erase(0, nl + 1);
            if (l.rfind("data: ", 0) == 0) {
                a.data.push_back(l.substr(6));
            } else if (l == "data:") {
                a.data.emplace_back();
            } else if (l == "ok" || l == "error") {
                a.ok = l == "ok";
                a.status = previous;
                return a;
            } else {
                previous = l;
            }
        }
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) throw std::runtime_error("s3270 did not answer " + action);
        pollfd p{out_, POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
        char buf[4096];
        const ssize_t n = ::read(out_, buf, sizeof buf);
        if (n <= 0) throw std::runtime_error("s3270 ended during " + action);
        buffer_.append(buf, static_cast<std::size_t>(n));
    }
}

}  // namespace ssogate::test
