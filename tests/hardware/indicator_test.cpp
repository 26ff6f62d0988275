#include "digikit/hardware/indicator.hpp"
#include "digikit/base/read_file.hpp"

#include <gtest/gtest.h>

#include <filesystem>

#include "digikit/base/atomic_file.hpp"
#include "temp_dir.hpp"

namespace digikit::hardware {
namespace {

// A folder laid out like /sys/class/leds/<name>/.
std::filesystem::path make_led(const testing::TempDir& dir, const std::string& name, const std::string& max_brightness,
                               bool with_trigger)
{
    const auto folder = dir / name;
    std::filesystem::create_directories(folder);
    base::write_file_atomically(folder / "brightness", "0\n");
    if (!max_brightness.empty()) base::write_file_atomically(folder / "max_brightness", max_brightness + "\n");
    if (with_trigger) base::write_file_atomically(folder / "trigger", "none [mmc0] timer heartbeat\n");
    return folder;
}

TEST(SysfsLedIndicator, WritesBrightnessAndTakesTheLedFromItsTrigger)
{
    const testing::TempDir dir;
    const auto green = make_led(dir, "green:status", "255", true);
    const auto red = make_led(dir, "red:status", "", false);
    SysfsLedIndicator indicator({{Output::green, green}, {Output::red, red}});
    EXPECT_EQ(base::read_file(green / "trigger"), "none");

    indicator.set(Output::green, true);
    EXPECT_EQ(base::read_file(green / "brightness"), "255");
    indicator.set(Output::green, false);
    EXPECT_EQ(base::read_file(green / "brightness"), "0");
    indicator.set(Output::red, true);  // no max_brightness: on is 1
    EXPECT_EQ(base::read_file(red / "brightness"), "1");
    indicator.set(Output::buzzer, true);  // not wired to an LED: ignored
    EXPECT_EQ(base::read_file(green / "brightness"), "0");
}

TEST(SysfsLedIndicator, NamesAFolderThatIsNoLed)
{
    const testing::TempDir dir;
    std::filesystem::create_directories(dir / "not-an-led");
    try {
        SysfsLedIndicator indicator({{Output::amber, dir / "not-an-led"}});
        FAIL() << "a folder without a brightness file was accepted";
    } catch (const std::runtime_error& error) {
        EXPECT_NE(std::string(error.what()).find("not-an-led"), std::string::npos) << error.what();
    }
}

TEST(GpioIndicator, NamesAMissingChip)
{
    try {
        GpioIndicator indicator("digikit-no-such-chip", {{Output::buzzer, {"17", false}}});
        FAIL() << "a missing GPIO chip was accepted";
    } catch (const std::runtime_error& error) {
        EXPECT_NE(std::string(error.what()).find("digikit-no-such-chip"), std::string::npos) << error.what();
    }
}

TEST(GpioIndicator, NamesAMissingLine)
{
    if (!std::filesystem::exists("/dev/gpiochip0")) GTEST_SKIP() << "no GPIO chip /dev/gpiochip0 on this machine";
    try {
        GpioIndicator indicator("gpiochip0", {{Output::buzzer, {"digikit-no-such-line", false}}});
        FAIL() << "a missing GPIO line was accepted";
    } catch (const std::runtime_error& error) {
        EXPECT_NE(std::string(error.what()).find("digikit-no-such-line"), std::string::npos) << error.what();
    }
}

}  // namespace
}  // namespace digikit::hardware
