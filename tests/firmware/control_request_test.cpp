#include "control_request.hpp"

#include <gtest/gtest.h>

#include <random>

namespace digikit::firmware {
namespace {

TEST(ControlRequest, TheThreeRequests)
{
    const auto press = parse_control_request("press end-book");
    ASSERT_TRUE(press.request.has_value());
    EXPECT_EQ(press.request->kind, ControlCommand::Kind::press);
    EXPECT_EQ(press.request->button, hardware::Button::end_book);
    EXPECT_EQ(parse_control_request("status").request->kind, ControlCommand::Kind::status);
    EXPECT_EQ(parse_control_request("wake").request->kind, ControlCommand::Kind::wake);
}

TEST(ControlRequest, ABookEditIsReadAtTheDoorAndTheCliFormReadsBackTheSame)
{
    const BookEdit edit{"set", "20260101-001", {"license=PD-old-70", "title=Faust \xc3\xa9"}, false};
    const auto parsed = parse_control_request("book " + to_json(edit).dump());
    ASSERT_TRUE(parsed.request.has_value()) << parsed.error;
    EXPECT_EQ(parsed.request->kind, ControlCommand::Kind::book);
    EXPECT_EQ(parsed.request->edit, edit);

    // Broken JSON, a missing member, an unknown command, drop-shot without its shot:
    // refused with one line that echoes nothing of the request.
    for (const std::string line :
         {"book {\"command\":\"set\"", "book {\"command\":\"set\",\"book\":\"b\"}",
          R"(book {"command":"burn","book":"b","arguments":[],"without_failed":false})",
          R"(book {"command":"drop-shot","book":"b","arguments":[],"without_failed":false})",
          "book {\"command\":\"close\",\"book\":\"\xff\",\"arguments\":[],\"without_failed\":false}"}) {
        const auto refused = parse_control_request(line);
        EXPECT_FALSE(refused.request.has_value()) << line;
        EXPECT_EQ(refused.error, "malformed book request") << line;
    }
}

TEST(ControlRequest, AnythingElseIsRefusedWithoutEchoingRawBytes)
{
    EXPECT_EQ(parse_control_request("press shutter").error,
              "unknown button \"shutter\" (capture, retake, new-book, end-book or sync)");
    EXPECT_EQ(parse_control_request(std::string("stat\0us", 7)).error,
              "unknown request \"stat\\x00us\" (press BUTTON, book JSON, status or wake)");
    EXPECT_EQ(parse_control_request("\xff\xfe\\").error,
              "unknown request \"\\xff\\xfe\\x5c\" (press BUTTON, book JSON, status or wake)");
    EXPECT_EQ(parse_control_request("").error, "unknown request \"\" (press BUTTON, book JSON, status or wake)");
    EXPECT_FALSE(parse_control_request("status ").request.has_value());
    EXPECT_FALSE(parse_control_request("press  capture").request.has_value());
    const auto long_line = parse_control_request(std::string(5000, 'a'));
    EXPECT_EQ(long_line.error,
              "unknown request \"" + std::string(40, 'a') + "...\" (press BUTTON, book JSON, status or wake)");
}

TEST(ControlRequest, AnswersAreValidJsonWhateverTheMessageHolds)
{
    std::mt19937 random(5);
    std::uniform_int_distribution<int> byte(0, 255);
    for (int i = 0; i < 200; ++i) {
        std::string bytes(64, '\0');
        for (auto& b : bytes) b = static_cast<char>(byte(random));
        const auto parsed = parse_control_request(bytes);
        const std::string answer = control_answer(false, parsed.error);
        const auto json = nlohmann::json::parse(answer);  // throws if not valid UTF-8 JSON
        EXPECT_FALSE(json["ok"].get<bool>());
        for (const char c : json["message"].get<std::string>()) EXPECT_TRUE(c >= 0x20 && c < 0x7f);
    }
    // A message from elsewhere (a path, a library's error) that is not UTF-8 is replaced, not thrown on.
    const auto json = nlohmann::json::parse(control_answer(false, "cannot read /data/\xff.jpg", {{"x", 1}}));
    EXPECT_EQ(json["message"], "cannot read /data/\xEF\xBF\xBD.jpg");
    EXPECT_EQ(json["x"], 1);
}

}  // namespace
}  // namespace digikit::firmware
