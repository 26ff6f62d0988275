// The control socket's request parser against any bytes (a line as the socket's framing
// delivers it). Contract: it never throws; a line is either a request or an error that
// holds only printable ASCII (nothing of the client's bytes goes back raw); the answer
// carrying that error is valid JSON that says the same; a book request sent again as the
// CLI writes it is read back as the same edit.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "control_request.hpp"

namespace {

void expect(bool condition)
{
    if (!condition) std::abort();  // libFuzzer keeps the input that broke the contract
}

bool printable_ascii(std::string_view text)
{
    for (const char c : text) {
        if (c < 0x20 || c >= 0x7f) return false;
    }
    return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size)
{
    using namespace digikit::firmware;
    const std::string_view line(reinterpret_cast<const char*>(data), size);
    const ParsedControlRequest parsed = parse_control_request(line);
    expect(parsed.request.has_value() == parsed.error.empty());

    if (!parsed.request) {
        expect(printable_ascii(parsed.error) && parsed.error.size() < 200);
        const auto answer = nlohmann::json::parse(control_answer(false, parsed.error));
        expect(answer.at("ok") == false && answer.at("message") == parsed.error);
        return 0;
    }
    const ControlCommand& command = *parsed.request;
    if (command.kind == ControlCommand::Kind::book) {
        const auto again = parse_control_request("book " + to_json(command.edit).dump());
        expect(again.request && again.request->kind == ControlCommand::Kind::book);
        expect(again.request->edit == command.edit);
    } else if (command.kind == ControlCommand::Kind::press) {
        expect(line == "press " + std::string(digikit::hardware::to_string(command.button)));
    } else {
        expect(line == "status" || line == "wake");
    }
    return 0;
}
