#include "digikit/hardware/gpio_button_source.hpp"
#include "digikit/base/text.hpp"

#include <poll.h>

#include <array>
#include <cerrno>
#include <stdexcept>
#include <vector>

#include "button_reader.hpp"
#include "gpio_chip.hpp"
#include "wake_event.hpp"

namespace digikit::hardware {
namespace {

std::chrono::nanoseconds since_boot(const timespec& ts)
{
    return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
}

struct WatchedLine {
    Button button;
    std::string spec;
    gpiod_line* line;  // owned by the chip
    std::optional<bool> last_down;
};

// Buttons on GPIO lines: the chip, its lines, the debouncer and the reader;
// ReaderButtonSource runs it.
struct GpioSource {
    GpioButtonSettings settings;
    GpioChip chip;
    std::vector<WatchedLine> lines;
    ButtonDebouncer debouncer;
    ButtonReader reader{"GPIO button source"};  // last: stopped before the rest goes

    explicit GpioSource(GpioButtonSettings s)
        : settings(std::move(s)), chip(open_gpio_chip(settings.chip)), debouncer(settings.debounce)
    {
        int flags = 0;
        if (settings.active_low) flags |= GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW;
        if (settings.pull_up) flags |= GPIOD_LINE_REQUEST_FLAG_BIAS_PULL_UP;
        for (const auto& [button, spec] : settings.lines) {
            gpiod_line* line = find_gpio_line(chip.get(), settings.chip, spec);
            if (gpiod_line_request_both_edges_events_flags(line, "digikit", flags) != 0) {
                throw std::runtime_error(gpio_line_problem(settings.chip, spec, errno) + " for button " +
                                         std::string(to_string(button)));
            }
            lines.push_back({button, spec, line, std::nullopt});
        }
    }

    // Reads what the line has queued. Two edges the same way mean the kernel lost one
    // between them (its queue overflowed, or a bounce outran it): ask the line's level.
    bool read_line_events(WatchedLine& watched)
    {
        std::array<gpiod_line_event, 16> buffer{};
        const int count = gpiod_line_event_read_multiple(watched.line, buffer.data(), buffer.size());
        if (count < 0) {
            reader.problem("cannot read GPIO line " + watched.spec + " of chip '" + settings.chip +
                           "': " + base::error_text(errno));
            return false;
        }
        bool lost = false;
        for (int i = 0; i < count; ++i) {
            const auto& event = buffer.at(static_cast<std::size_t>(i));
            const bool down = event.event_type == GPIOD_LINE_EVENT_RISING_EDGE;  // rising = active
            lost = lost || watched.last_down == down;
            watched.last_down = down;
            reader.deliver(debouncer.edge(watched.button, down, plausible_event_time(since_boot(event.ts))));
        }
        if (lost) {
            const int level = gpiod_line_get_value(watched.line);
            if (level >= 0) {
                watched.last_down = level == 1;
                reader.deliver(debouncer.resync(watched.button, level == 1, std::chrono::steady_clock::now()));
            }
        }
        return true;
    }

    void run()
    {
        std::vector<pollfd> fds;
        for (const auto& watched : lines) fds.push_back({gpiod_line_event_get_fd(watched.line), POLLIN, 0});
        fds.push_back({reader.wake_fd(), POLLIN, 0});
        for (;;) {
            const int ready = ::poll(fds.data(), fds.size(), poll_timeout(debouncer.next_deadline()));
            if (ready < 0 && errno != EINTR) {
                reader.problem(std::string("cannot wait for GPIO events: ") + base::error_text(errno));
                return;
            }
            if (fds.back().revents != 0) return;  // stop()
            for (std::size_t i = 0; i < lines.size(); ++i) {
                if ((fds.at(i).revents & POLLIN) != 0 && !read_line_events(lines.at(i))) fds.at(i).fd = -1;
            }
            reader.deliver(debouncer.advance(std::chrono::steady_clock::now()));
        }
    }

    [[nodiscard]] std::string describe() const
    {
        std::string text = "GPIO chip " + settings.chip + ":";
        for (const auto& watched : lines) text += " " + std::string(to_string(watched.button)) + "=" + watched.spec;
        return text;
    }
};

}  // namespace

std::unique_ptr<ButtonSource> open_gpio_button_source(GpioButtonSettings settings)
{
    return std::make_unique<ReaderButtonSource<GpioSource>>(std::move(settings));
}

}  // namespace digikit::hardware
