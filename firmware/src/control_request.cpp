#include "control_request.hpp"

#include <algorithm>
#include <array>
#include <cstdio>
#include <stdexcept>

namespace digikit::firmware {

nlohmann::json to_json(const BookEdit& edit)
{
    return {{"command", edit.command},
            {"book", edit.book},
            {"arguments", edit.arguments},
            {"without_failed", edit.without_failed}};
}

BookEdit book_edit_from_json(const nlohmann::json& json)
{
    constexpr std::array<std::string_view, 4> commands{"close", "set", "reprocess", "drop-shot"};
    try {
        BookEdit edit{json.at("command").get<std::string>(), json.at("book").get<std::string>(),
                      json.at("arguments").get<std::vector<std::string>>(), json.at("without_failed").get<bool>()};
        if (std::find(commands.begin(), commands.end(), edit.command) == commands.end()) {
            throw std::invalid_argument("unknown book command");
        }
        const bool needs_one = edit.command == "drop-shot";
        if ((needs_one && edit.arguments.size() != 1) || (edit.command == "reprocess" && edit.arguments.size() > 1)) {
            throw std::invalid_argument("wrong number of arguments");
        }
        return edit;
    } catch (const nlohmann::json::exception&) {
        throw std::invalid_argument("a book request needs command, book, arguments and without_failed");
    }
}

std::string printable_excerpt(std::string_view bytes, std::size_t limit)
{
    std::string text;
    for (const char c : bytes) {
        if (text.size() >= limit) return text + "...";
        const auto byte = static_cast<unsigned char>(c);
        if (byte >= 0x20 && byte < 0x7f && byte != '\\') {
            text += static_cast<char>(byte);
        } else {
            char escaped[8];
            std::snprintf(escaped, sizeof escaped, "\\x%02x", byte);
            text += escaped;
        }
    }
    return text;
}

ParsedControlRequest parse_control_request(std::string_view line)
{
    ParsedControlRequest parsed;
    constexpr std::string_view press = "press ";
    constexpr std::string_view book = "book ";
    if (line == "status") {
        parsed.request = ControlCommand{ControlCommand::Kind::status, {}, {}};
    } else if (line == "wake") {
        parsed.request = ControlCommand{ControlCommand::Kind::wake, {}, {}};
    } else if (line.substr(0, press.size()) == press) {
        const auto name = line.substr(press.size());
        if (const auto button = hardware::parse_button(name)) {
            parsed.request = ControlCommand{ControlCommand::Kind::press, *button, {}};
        } else {
            parsed.error =
                "unknown button \"" + printable_excerpt(name) + "\" (capture, retake, new-book, end-book or sync)";
        }
    } else if (line.substr(0, book.size()) == book) {
        try {
            auto edit = book_edit_from_json(nlohmann::json::parse(line.substr(book.size())));
            parsed.request = ControlCommand{ControlCommand::Kind::book, {}, std::move(edit)};
        } catch (const std::exception&) {  // nlohmann's parse_error or std::invalid_argument
            parsed.error = "malformed book request";
        }
    } else {
        parsed.error = "unknown request \"" + printable_excerpt(line) + "\" (press BUTTON, book JSON, status or wake)";
    }
    return parsed;
}

std::string control_answer(bool ok, const std::string& message, nlohmann::json extra)
{
    nlohmann::json answer = extra.is_object() ? std::move(extra) : nlohmann::json::object();
    answer["ok"] = ok;
    answer["message"] = message;
    return answer.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace digikit::firmware
