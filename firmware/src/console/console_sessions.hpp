#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

namespace digikit::firmware {

// Who may use the console: the password check, sessions named by an unguessable cookie,
// and each session's CSRF token. Without a password (loopback only) any login succeeds:
// the session and token still guard against other web pages acting in the browser.
class ConsoleSessions {
public:
    struct Session {
        std::string id;    // the cookie's value
        std::string csrf;  // the X-CSRF-Token every state-changing request must carry
    };

    // A failed login is answered only after `failure_delay`, one attempt at a time, so a
    // password cannot be guessed faster than one try per delay.
    explicit ConsoleSessions(std::optional<std::string> password,
                             std::chrono::milliseconds failure_delay = std::chrono::seconds(1));

    [[nodiscard]] bool has_password() const { return password_.has_value(); }
    // A new session, or nullopt after the delay for a wrong password.
    [[nodiscard]] std::optional<Session> login(std::string_view password);
    // The live session with this id; each use extends it.
    [[nodiscard]] std::optional<Session> find(std::string_view id);
    void logout(std::string_view id);

private:
    struct Entry {
        std::string csrf;
        std::chrono::steady_clock::time_point last_used;
    };
    static constexpr std::chrono::hours idle_limit{12};
    static constexpr std::size_t max_sessions = 64;  // the oldest goes first

    std::optional<std::string> password_;
    std::chrono::milliseconds failure_delay_;
    std::mutex login_mutex_;  // one password check at a time, delay included
    std::mutex mutex_;
    std::map<std::string, Entry, std::less<>> sessions_;
};

// Compares secrets in time that does not depend on where they differ.
[[nodiscard]] bool same_secret(std::string_view a, std::string_view b);

// 32 random bytes from the kernel, as hex.
[[nodiscard]] std::string random_token();

}  // namespace digikit::firmware
