#include "digikit/hardware/discovery.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "digikit/base/atomic_file.hpp"
#include "temp_dir.hpp"

namespace digikit::hardware {
namespace {

TEST(Discovery, LeavesOutFilesThatAreNoDevices)
{
    const testing::TempDir dir;
    base::write_file_atomically(dir / "usb-Fake_Pedal-event-kbd", "not a device");
    base::write_file_atomically(dir / "gpiochip7", "not a chip");
    EXPECT_TRUE(find_input_devices(KeyMap::defaults(), dir.path()).empty());
    EXPECT_TRUE(find_gpio_chips(dir.path()).empty());
}

TEST(Discovery, FindsNothingInAMissingFolder)
{
    const testing::TempDir dir;
    EXPECT_TRUE(find_input_devices(KeyMap::defaults(), dir / "no-such-folder").empty());
    EXPECT_TRUE(find_gpio_chips(dir / "no-such-folder").empty());
}

TEST(Discovery, ListsTheMachinesGpioChips)
{
    if (!std::filesystem::exists("/dev/gpiochip0")) GTEST_SKIP() << "no GPIO chip /dev/gpiochip0 on this machine";
    const auto chips = find_gpio_chips();
    ASSERT_FALSE(chips.empty());
    EXPECT_TRUE(std::ranges::any_of(chips, [](const GpioChipInfo& chip) { return chip.name == "gpiochip0"; }));
    for (const auto& chip : chips) EXPECT_GT(chip.lines, 0U) << chip.name;
}

}  // namespace
}  // namespace digikit::hardware
