#include "console_sessions.hpp"

#include <sys/random.h>

#include <algorithm>
#include <array>
#include <stdexcept>
#include <thread>

namespace digikit::firmware {

bool same_secret(std::string_view a, std::string_view b)
{
    unsigned char differ = a.size() == b.size() ? 0 : 1;
    for (std::size_t i = 0; i < a.size(); ++i) {
        differ |= static_cast<unsigned char>(a[i] ^ (i < b.size() ? b[i] : 0));
    }
    return differ == 0;
}

std::string random_token()
{
    std::array<unsigned char, 32> bytes{};
    std::size_t filled = 0;
    while (filled < bytes.size()) {
        const ssize_t got = ::getrandom(bytes.data() + filled, bytes.size() - filled, 0);
        if (got < 0 && errno != EINTR) throw std::runtime_error("no random bytes from the kernel");
        if (got > 0) filled += static_cast<std::size_t>(got);
    }
    static constexpr char hex[] = "0123456789abcdef";
    std::string token;
    for (const unsigned char byte : bytes) {
        token += hex[byte >> 4];
        token += hex[byte & 0x0F];
    }
    return token;
}

ConsoleSessions::ConsoleSessions(std::optional<std::string> password, std::chrono::milliseconds failure_delay)
    : password_(std::move(password)), failure_delay_(failure_delay)
{
}

std::optional<ConsoleSessions::Session> ConsoleSessions::login(std::string_view password)
{
    {
        const std::lock_guard check(login_mutex_);
        if (password_ && !same_secret(password, *password_)) {
            std::this_thread::sleep_for(failure_delay_);
            return std::nullopt;
        }
    }
    Session session{random_token(), random_token()};
    const std::lock_guard lock(mutex_);
    if (sessions_.size() >= max_sessions) {
        const auto oldest = std::min_element(sessions_.begin(), sessions_.end(), [](const auto& a, const auto& b) {
            return a.second.last_used < b.second.last_used;
        });
        sessions_.erase(oldest);
    }
    sessions_[session.id] = {session.csrf, std::chrono::steady_clock::now()};
    return session;
}

std::optional<ConsoleSessions::Session> ConsoleSessions::find(std::string_view id)
{
    const std::lock_guard lock(mutex_);
    const auto found = sessions_.find(id);
    if (found == sessions_.end()) return std::nullopt;
    const auto now = std::chrono::steady_clock::now();
    if (now - found->second.last_used > idle_limit) {
        sessions_.erase(found);
        return std::nullopt;
    }
    found->second.last_used = now;
    return Session{found->first, found->second.csrf};
}

void ConsoleSessions::logout(std::string_view id)
{
    const std::lock_guard lock(mutex_);
    if (const auto found = sessions_.find(id); found != sessions_.end()) sessions_.erase(found);
}

}  // namespace digikit::firmware
