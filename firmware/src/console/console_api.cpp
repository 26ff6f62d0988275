#include "console_api.hpp"

#include <cmath>
#include <ctime>
#include <map>
#include <regex>

#include "digikit/imaging/page_pipeline.hpp"
#include "digikit/uploader/upload_queue.hpp"

namespace digikit::firmware {
namespace {

std::optional<std::chrono::system_clock::time_point> parse_utc(const std::string& text)
{
    std::tm tm{};
    const char* end = ::strptime(text.c_str(), "%Y-%m-%dT%H:%M:%SZ", &tm);
    if (end == nullptr || *end != '\0') return std::nullopt;
    return std::chrono::system_clock::from_time_t(::timegm(&tm));
}

std::int64_t queue_item_id(const std::string& text)
{
    if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != std::string::npos) {
        throw CommandError("'" + text + "' is not a queue item id");
    }
    return std::stoll(text);
}

std::string page_url(const std::string& book, const std::filesystem::path& file)
{
    return "/files/books/" + book + "/pages/" + file.filename().string();
}

}  // namespace

std::optional<double> pages_per_hour(const std::vector<std::string>& captured_at,
                                     std::chrono::system_clock::time_point now)
{
    using namespace std::chrono;
    constexpr auto window = hours(1);
    constexpr std::size_t min_pages = 4;
    std::size_t recent = 0;
    auto first = now;
    for (const auto& text : captured_at) {
        const auto when = parse_utc(text);
        if (!when || now - *when > window) continue;
        ++recent;
        first = std::min(first, *when);
    }
    if (recent < min_pages) return std::nullopt;
    // Over the time the recent pages took, but at least five minutes: a first burst of
    // captures does not promise thousands of pages an hour.
    const auto span = std::max<system_clock::duration>(now - first, minutes(5));
    return static_cast<double>(recent) * 3600.0 / duration<double>(span).count();
}

ConsoleApi::ConsoleApi(Config config, ControlRequest control)
    : config_(std::move(config)), control_(std::move(control)), store_(config_.data_dir)
{
}

nlohmann::json ConsoleApi::ask(const std::string& request)
{
    return nlohmann::json::parse(control_(request));
}

nlohmann::json ConsoleApi::status()
{
    auto answer = ask("status");
    if (!answer.value("ok", false)) throw std::runtime_error(answer.value("message", "the daemon did not answer"));
    return answer["status"];
}

nlohmann::json ConsoleApi::press(const std::string& button)
{
    const auto answer = ask("press " + button);
    return {{"ok", answer.value("ok", false)}, {"message", answer.value("message", "")}};
}

nlohmann::json ConsoleApi::kit()
{
    nlohmann::json kit;
    kit["status"] = status();
    kit["pages_per_hour"] = nullptr;
    if (kit["status"]["book"].is_object()) {
        std::vector<std::string> times;
        for (const auto& page : store_.pages_of(kit["status"]["book"]["id"].get<std::string>())) {
            times.push_back(page.captured_at);
        }
        if (const auto rate = pages_per_hour(times, std::chrono::system_clock::now())) {
            kit["pages_per_hour"] = std::round(*rate);
        }
    }
    nlohmann::json counts = nlohmann::json::object();
    for (const auto& item : uploader::UploadQueue(config_.data_dir / "digikit.sqlite").list()) {
        auto& count = counts[std::string(uploader::to_string(item.state))];
        count = count.is_null() ? 1 : count.get<int>() + 1;
    }
    kit["queue"] = counts;
    kit["end_book_hold_ms"] = config_.buttons.long_press_ms;  // as long as the hardware button
    return kit;
}

nlohmann::json ConsoleApi::devices()
{
    return devices_json(config_, status()["cameras"]);
}

nlohmann::json ConsoleApi::books()
{
    return books_json(store_);
}

nlohmann::json ConsoleApi::book(const std::string& id)
{
    auto book = book_json(store_, id);
    std::map<std::int64_t, std::string> shot_names;
    for (const auto& shot : store_.shots_of(id)) shot_names[shot.id] = shot.name();
    nlohmann::json pages = nlohmann::json::array();
    for (const auto& page : store_.pages_of(id)) {
        const auto thumbnail = imaging::thumbnail_path(page.access);
        pages.push_back({{"name", page.access.stem().string()},
                         {"shot", shot_names[page.shot_id]},
                         {"access", page_url(id, page.access)},
                         {"thumbnail", std::filesystem::exists(thumbnail) ? nlohmann::json(page_url(id, thumbnail))
                                                                          : nlohmann::json(nullptr)},
                         {"width", page.width},
                         {"height", page.height},
                         {"warnings", page.warnings}});
    }
    book["page_images"] = pages;
    return book;
}

std::vector<FieldError> ConsoleApi::set_book(const std::string& id, const nlohmann::json& fields)
{
    if (!fields.is_object()) throw CommandError(R"(expected {"fields": {"KEY": "VALUE", ...}})");
    std::vector<std::pair<std::string, std::string>> assignments;
    for (const auto& [key, value] : fields.items()) {
        if (!value.is_string()) return {{key, key + ": expected text"}};
        assignments.emplace_back(key, value.get<std::string>());
    }
    // Every field is checked here, so that the form shows each bad one; the daemon then
    // applies the edit on its event loop, as it does the CLI's.
    if (auto errors = check_book_fields(store_, id, assignments); !errors.empty()) return errors;
    std::vector<std::string> arguments;
    arguments.reserve(assignments.size());
    for (const auto& [key, value] : assignments) arguments.push_back(key + "=" + value);
    (void)edit({"set", id, arguments, false});
    return {};
}

std::string ConsoleApi::close(const std::string& id)
{
    return edit({"close", id, {}, false});
}

std::string ConsoleApi::reprocess(const std::string& id, const std::string& shot)
{
    return edit({"reprocess", id, shot.empty() ? std::vector<std::string>{} : std::vector{shot}, false});
}

// A book edit through the daemon (see book_edits.hpp): its message, or CommandError.
std::string ConsoleApi::edit(const BookEdit& request)
{
    const auto answer = ask("book " + to_json(request).dump());
    if (!answer.value("ok", false)) throw CommandError(answer.value("message", "the daemon refused"));
    return answer.value("message", "");
}

nlohmann::json ConsoleApi::queue()
{
    return queue_json(config_);
}

void ConsoleApi::retry(const std::string& item)
{
    try {
        uploader::UploadQueue(config_.data_dir / "digikit.sqlite").retry(queue_item_id(item));
    } catch (const uploader::QueueError& error) {
        throw CommandError(error.what());
    }
}

void ConsoleApi::drop(const std::string& item)
{
    try {
        uploader::UploadQueue(config_.data_dir / "digikit.sqlite").drop(queue_item_id(item));
    } catch (const uploader::QueueError& error) {
        throw CommandError(error.what());
    }
}

std::size_t ConsoleApi::retry_failed()
{
    uploader::UploadQueue queue(config_.data_dir / "digikit.sqlite");
    std::size_t retried = 0;
    for (const auto& item : queue.list()) {
        if (item.state != uploader::ItemState::failed) continue;
        queue.retry(item.id);
        ++retried;
    }
    return retried;
}

std::optional<std::filesystem::path> ConsoleApi::page_image(const std::string& book, const std::string& name)
{
    // Names the pipeline writes: 0001_left_1.jpg, 0001_left_1.thumb.jpg; never a path.
    static const std::regex page_name(R"([A-Za-z0-9_-]+(\.thumb)?\.jpg)");
    try {
        check_book_id(book);
    } catch (const std::invalid_argument&) {
        return std::nullopt;
    }
    if (!std::regex_match(name, page_name)) return std::nullopt;
    const auto path = store_.pages_dir(book) / name;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(std::filesystem::symlink_status(path, ec))) return std::nullopt;
    return path;
}

}  // namespace digikit::firmware
