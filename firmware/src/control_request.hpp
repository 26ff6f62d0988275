#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "digikit/hardware/button.hpp"

namespace digikit::firmware {

// A change to a book that the daemon may be holding (its open book, or a closing book
// whose pages it queues): `digikit book close|set|reprocess|drop-shot`. The CLI sends it
// to a running daemon, which applies it on its event loop; with no daemon the CLI
// applies it itself (book_edits.hpp).
struct BookEdit {
    std::string command;                 // close | set | reprocess | drop-shot
    std::string book;                    // the book id
    std::vector<std::string> arguments;  // set: KEY=VALUE...; reprocess: [SHOT]; drop-shot: SHOT
    bool without_failed = false;         // close: leave the failed shots out (a person said so)

    bool operator==(const BookEdit&) const = default;
};

// As sent over the control socket ("book " + JSON); parsing throws std::invalid_argument
// on anything malformed.
[[nodiscard]] nlohmann::json to_json(const BookEdit& edit);
[[nodiscard]] BookEdit book_edit_from_json(const nlohmann::json& json);

// One request of the control socket's protocol: "press BUTTON", "book JSON" (a
// BookEdit), "status" or "wake".
struct ControlCommand {
    enum class Kind { press, book, status, wake };
    Kind kind = Kind::status;
    hardware::Button button = hardware::Button::capture;  // for press
    BookEdit edit;                                        // for book
};

// A request line read, or why it is not one (one line for the client).
struct ParsedControlRequest {
    std::optional<ControlCommand> request;
    std::string error;  // set when request is empty; quotes the line only as printable_excerpt
};

// The parser of the control socket, a pure function of the line's bytes (any bytes: the
// socket's framing has removed the end of line), so that it can be fuzzed. A malformed
// book request's error echoes nothing of it.
[[nodiscard]] ParsedControlRequest parse_control_request(std::string_view line);

// At most `limit` characters of `bytes` for a message: printable ASCII as is, anything
// else as \xNN, "..." when cut. Never raw client bytes in an answer or a log.
[[nodiscard]] std::string printable_excerpt(std::string_view bytes, std::size_t limit = 40);

// The answer line: one JSON object with "ok", "message" and any `extra` members. Text
// that is not valid UTF-8 (a path, an error from a library) is replaced, never thrown on.
[[nodiscard]] std::string control_answer(bool ok, const std::string& message, nlohmann::json extra = nullptr);

}  // namespace digikit::firmware
