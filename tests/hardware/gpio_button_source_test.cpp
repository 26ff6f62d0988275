#include "digikit/hardware/gpio_button_source.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

namespace digikit::hardware {
namespace {

using namespace std::chrono_literals;
namespace fs = std::filesystem;

const fs::path gpio_sim_root = "/sys/kernel/config/gpio-sim";

// configfs and sysfs attributes take one plain write (no temporary file and rename).
void write_attribute(const fs::path& file, const std::string& value)
{
    std::ofstream out(file);
    out << value;
    out.close();
    if (!out) throw std::runtime_error("cannot write " + file.string());
}

std::string read_attribute(const fs::path& file)
{
    std::ifstream in(file);
    std::string word;
    in >> word;
    return word;
}

// A simulated GPIO chip (kernel module gpio-sim) with 4 lines, line 2 named CAPTURE.
// Buttons are "pressed" by pulling a line down, as a real button shorts it to ground.
class GpioSimChip {
public:
    GpioSimChip() : dir_(gpio_sim_root / ("digikit-test-" + std::to_string(::getpid())))
    {
        fs::create_directories(dir_ / "bank0" / "line2");
        write_attribute(dir_ / "bank0" / "num_lines", "4");
        write_attribute(dir_ / "bank0" / "line2" / "name", "CAPTURE");
        write_attribute(dir_ / "live", "1");
        chip_name_ = read_attribute(dir_ / "bank0" / "chip_name");
        device_ = fs::path("/sys/devices/platform") / read_attribute(dir_ / "dev_name") / chip_name_;
    }
    GpioSimChip(const GpioSimChip&) = delete;
    GpioSimChip& operator=(const GpioSimChip&) = delete;
    ~GpioSimChip()
    {
        try {
            write_attribute(dir_ / "live", "0");
        } catch (const std::exception&) {  // best effort: the folders below still go
        }
        std::error_code ignored;
        fs::remove(dir_ / "bank0" / "line2", ignored);
        fs::remove(dir_ / "bank0", ignored);
        fs::remove(dir_, ignored);
    }

    [[nodiscard]] const std::string& chip_name() const { return chip_name_; }
    void press(int offset) const { pull(offset, "pull-down"); }
    void release(int offset) const { pull(offset, "pull-up"); }

private:
    void pull(int offset, const std::string& how) const
    {
        write_attribute(device_ / ("sim_gpio" + std::to_string(offset)) / "pull", how);
    }

    fs::path dir_;
    std::string chip_name_;
    fs::path device_;
};

class Collected {
public:
    void add(const ButtonEvent& event)
    {
        {
            const std::lock_guard lock(mutex_);
            events_.push_back(event);
        }
        changed_.notify_all();
    }
    std::vector<ButtonEvent> wait_for(std::size_t count, std::chrono::milliseconds timeout)
    {
        std::unique_lock lock(mutex_);
        changed_.wait_for(lock, timeout, [&] { return events_.size() >= count; });
        return events_;
    }

private:
    std::mutex mutex_;
    std::condition_variable changed_;
    std::vector<ButtonEvent> events_;
};

GpioButtonSettings gpio_settings(const std::string& chip, std::map<Button, std::string> lines)
{
    GpioButtonSettings settings;
    settings.chip = chip;
    settings.lines = std::move(lines);
    settings.debounce.long_press = 300ms;  // keeps the test short
    return settings;
}

TEST(GpioButtonSource, NamesAMissingChip)
{
    try {
        const auto source = open_gpio_button_source(gpio_settings("digikit-no-such-chip", {{Button::capture, "17"}}));
        FAIL() << "a missing GPIO chip was accepted";
    } catch (const std::runtime_error& error) {
        EXPECT_NE(std::string(error.what()).find("digikit-no-such-chip"), std::string::npos) << error.what();
    }
}

TEST(GpioButtonSource, NamesAMissingLine)
{
    if (!fs::exists("/dev/gpiochip0")) GTEST_SKIP() << "no GPIO chip /dev/gpiochip0 on this machine";
    try {
        const auto source =
            open_gpio_button_source(gpio_settings("gpiochip0", {{Button::capture, "digikit-no-such-line"}}));
        FAIL() << "a missing GPIO line was accepted";
    } catch (const std::runtime_error& error) {
        EXPECT_NE(std::string(error.what()).find("digikit-no-such-line"), std::string::npos) << error.what();
    }
}

TEST(GpioButtonSource, ReadsPressesFromASimulatedChip)
{
    if (!fs::is_directory(gpio_sim_root)) {
        GTEST_SKIP() << "no simulated GPIO chip: the gpio-sim kernel module is not loaded (" << gpio_sim_root
                     << " is missing; as root: modprobe gpio-sim, with configfs mounted)";
    }
    const GpioSimChip sim;
    Collected collected;
    const auto source = open_gpio_button_source(
        gpio_settings(sim.chip_name(), {{Button::capture, "CAPTURE"}, {Button::end_book, "3"}}));
    source->start([&](const ButtonEvent& event) { collected.add(event); });
    EXPECT_NE(source->describe().find("capture=CAPTURE"), std::string::npos) << source->describe();

    sim.press(2);
    std::this_thread::sleep_for(100ms);
    sim.release(2);
    auto events = collected.wait_for(1, 5s);
    ASSERT_EQ(events.size(), 1U);
    EXPECT_EQ(events[0].button, Button::capture);
    EXPECT_EQ(events[0].kind, ButtonEventKind::pressed);

    sim.press(3);
    std::this_thread::sleep_for(100ms);
    sim.release(3);  // too short for End book
    std::this_thread::sleep_for(100ms);
    sim.press(3);
    events = collected.wait_for(3, 5s);
    sim.release(3);
    ASSERT_EQ(events.size(), 3U);
    EXPECT_EQ(events[1].button, Button::end_book);
    EXPECT_EQ(events[1].kind, ButtonEventKind::held_too_briefly);
    EXPECT_EQ(events[2].button, Button::end_book);
    EXPECT_EQ(events[2].kind, ButtonEventKind::pressed);
    source->stop();
}

}  // namespace
}  // namespace digikit::hardware
