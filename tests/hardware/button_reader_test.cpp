// The reader thread every button source runs on (GPIO, evdev): its start/stop contract
// and its barrier, tested here because the sources themselves need /dev/uinput or a
// simulated GPIO chip, which this machine may lack.
#include "button_reader.hpp"

#include <gtest/gtest.h>
#include <poll.h>

#include <atomic>
#include <stdexcept>
#include <string>
#include <vector>

namespace digikit::hardware {
namespace {

const ButtonEvent press{Button::capture, ButtonEventKind::pressed, std::chrono::steady_clock::time_point{}};

// A source's loop reduced to its shape: deliver what the device gave, then wait on the
// wake descriptor (and nothing else) until stop().
std::function<void()> loop_delivering(ButtonReader& reader, std::vector<ButtonEvent> events)
{
    return [&reader, events = std::move(events)] {
        reader.deliver(events);
        pollfd wake{reader.wake_fd(), POLLIN, 0};
        while (::poll(&wake, 1, -1) < 0) {
        }
    };
}

TEST(ButtonReader, StopWakesTheLoopAndTheReaderCanStartAgain)
{
    ButtonReader reader("test source");
    std::atomic<int> presses = 0;
    for (int run = 0; run < 2; ++run) {
        reader.start([&presses](const ButtonEvent&) { ++presses; }, {}, loop_delivering(reader, {press, press}));
        reader.stop();
    }
    EXPECT_EQ(presses, 4);
    reader.stop();  // a second stop is harmless
}

TEST(ButtonReader, ASecondStartIsRefusedWithTheSourcesName)
{
    ButtonReader reader("GPIO button source");
    reader.start([](const ButtonEvent&) {}, {}, loop_delivering(reader, {}));
    try {
        reader.start([](const ButtonEvent&) {}, {}, loop_delivering(reader, {}));
        ADD_FAILURE() << "started twice";
    } catch (const std::logic_error& error) {
        EXPECT_EQ(std::string(error.what()), "GPIO button source started twice");
    }
}

TEST(ButtonReader, AConsumerThatThrowsLosesThatEventNotTheOthers)
{
    ButtonReader reader("test source");
    std::vector<std::string> problems;
    std::atomic<int> delivered = 0;
    reader.start(
        [&delivered](const ButtonEvent&) {
            if (++delivered == 1) throw std::runtime_error("the loop is full");
        },
        [&problems](const std::string& problem) { problems.push_back(problem); },
        loop_delivering(reader, {press, press, press}));
    reader.stop();
    EXPECT_EQ(delivered, 3);
    ASSERT_EQ(problems.size(), 1u);
    EXPECT_NE(problems[0].find("button event lost: "), std::string::npos) << problems[0];
    EXPECT_NE(problems[0].find("the loop is full"), std::string::npos) << problems[0];
}

}  // namespace
}  // namespace digikit::hardware
