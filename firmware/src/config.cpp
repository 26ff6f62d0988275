#include "config.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <algorithm>
#include <optional>
#include <set>
#include <sstream>
#include <system_error>
#include <tuple>

#include <toml++/toml.h>

#include "digikit/base/read_file.hpp"
#include "digikit/base/text.hpp"

namespace digikit::firmware {
namespace {

// Reads a parsed TOML document into Config, checking every key's type and range, and
// rejecting unknown keys (a typo should not silently become a default).
class ConfigReader {
public:
    explicit ConfigReader(std::filesystem::path source) : source_(std::move(source)) {}

    [[noreturn]] void fail(const toml::node* node, const std::string& key, const std::string& expected) const
    {
        std::ostringstream message;
        message << source_.string();
        if (node != nullptr && node->source().begin.line > 0) message << ':' << node->source().begin.line;
        message << ": " << key << ": expected " << expected;
        if (node != nullptr) message << ", got " << describe(*node);
        throw ConfigError(message.str());
    }

    // A value the book metadata rules refuse: `reason` reads "field: why" (metadata's words).
    [[noreturn]] void fail_because(const toml::node* node, const std::string& reason) const
    {
        std::ostringstream message;
        message << source_.string();
        if (node != nullptr && node->source().begin.line > 0) message << ':' << node->source().begin.line;
        message << ": metadata." << reason;
        throw ConfigError(message.str());
    }

    void only_keys(const toml::table& table, const std::string& prefix, const std::set<std::string>& allowed) const
    {
        for (const auto& [key, node] : table) {
            const std::string name(key.str());
            if (allowed.count(name) == 0) fail(&node, prefix + name, "one of the known keys (this key is unknown)");
        }
    }

    void read_string(const toml::table& table, const std::string& prefix, const char* key, std::string& out) const
    {
        const toml::node* node = table.get(key);
        if (node == nullptr) return;
        if (!node->is_string()) fail(node, prefix + key, "a string");
        out = node->as_string()->get();
    }

    void read_choice(const toml::table& table, const std::string& prefix, const char* key, std::string& out,
                     const std::set<std::string>& choices) const
    {
        std::string value = out;
        read_string(table, prefix, key, value);
        if (choices.count(value) == 0) fail(table.get(key), prefix + key, "one of " + base::joined(choices));
        out = value;
    }

    // A string naming one of `choices`, kept as its enum value.
    template <typename Enum>
    void read_enum(const toml::table& table, const std::string& prefix, const char* key, Enum& out,
                   const std::vector<std::pair<std::string, Enum>>& choices) const
    {
        if (table.get(key) == nullptr) return;
        std::string value;
        read_string(table, prefix, key, value);
        std::set<std::string> names;
        for (const auto& [name, choice] : choices) {
            if (name == value) {
                out = choice;
                return;
            }
            names.insert(name);
        }
        fail(table.get(key), prefix + key, "one of " + base::joined(names));
    }

    void read_int(const toml::table& table, const std::string& prefix, const char* key, std::int64_t& out,
                  std::int64_t low, std::int64_t high) const
    {
        const toml::node* node = table.get(key);
        if (node == nullptr) return;
        const auto* value = node->as_integer();
        if (value == nullptr || value->get() < low || value->get() > high) {
            fail(node, prefix + key, "an integer from " + std::to_string(low) + " to " + std::to_string(high));
        }
        out = value->get();
    }

    void read_int(const toml::table& table, const std::string& prefix, const char* key, int& out, int low,
                  int high) const
    {
        std::int64_t wide = out;
        read_int(table, prefix, key, wide, low, high);
        out = static_cast<int>(wide);
    }

    void read_strings(const toml::table& table, const std::string& prefix, const char* key,
                      std::vector<std::string>& out) const
    {
        const toml::node* node = table.get(key);
        if (node == nullptr) return;
        const auto* array = node->as_array();
        if (array == nullptr) fail(node, prefix + key, "an array of strings");
        out.clear();
        for (const auto& item : *array) {
            if (!item.is_string()) fail(&item, prefix + key, "an array of strings");
            out.push_back(item.as_string()->get());
        }
    }

    const toml::table* section(const toml::table& root, const char* key) const
    {
        const toml::node* node = root.get(key);
        if (node == nullptr) return nullptr;
        if (!node->is_table()) fail(node, key, "a table [" + std::string(key) + "]");
        return node->as_table();
    }

    [[nodiscard]] Config read(const toml::table& root) const
    {
        Config config;
        config.source = source_;
        only_keys(root, "",
                  {"data_dir", "metadata", "commons", "ocr", "device", "imaging", "storage", "buttons", "feedback",
                   "console"});
        std::string data_dir = config.data_dir.string();
        read_string(root, "", "data_dir", data_dir);
        if (data_dir.empty()) fail(root.get("data_dir"), "data_dir", "a non-empty path");
        config.data_dir = data_dir;
        if (const auto* t = section(root, "metadata")) read_metadata(*t, config.metadata);
        if (const auto* t = section(root, "commons")) read_commons(*t, config.commons);
        if (const auto* t = section(root, "imaging")) read_imaging(*t, config.imaging);
        if (const auto* t = section(root, "ocr")) {
            only_keys(*t, "ocr.", {"workers"});
            read_int(*t, "ocr.", "workers", config.ocr.workers, 1, 16);
        }
        if (const auto* t = section(root, "storage")) {
            only_keys(*t, "storage.", {"min_free_mb"});
            read_int(*t, "storage.", "min_free_mb", config.storage.min_free_mb, 0, 1 << 30);
        }
        if (const auto* t = section(root, "buttons")) read_buttons(*t, config.buttons);
        if (const auto* t = section(root, "console")) read_console(*t, config.console);
        if (const auto* t = section(root, "feedback")) read_feedback(*t, config.feedback);
        read_devices(root, config.devices);
        return config;
    }

private:
    void read_metadata(const toml::table& t, Config::Metadata& out) const
    {
        only_keys(t, "metadata.", {"institution", "license", "language", "categories"});
        read_string(t, "metadata.", "institution", out.institution);
        read_string(t, "metadata.", "license", out.license);
        read_string(t, "metadata.", "language", out.language);
        read_strings(t, "metadata.", "categories", out.categories);
        // New books start from these values: they pass the book's own rules here, or the
        // config is refused, so that no book is ever written that its reader refuses.
        using Field = std::string metadata::BookMetadata::*;
        const std::tuple<const char*, std::string*, Field> texts[] = {
            {"institution", &out.institution, &metadata::BookMetadata::institution},
            {"license", &out.license, &metadata::BookMetadata::license},
            {"language", &out.language, &metadata::BookMetadata::language}};
        for (const auto& [key, value, field] : texts) {
            try {
                metadata::BookMetadata book;
                metadata::set_field(book, key, *value);
                *value = book.*field;
            } catch (const metadata::MetadataError& error) {
                fail_because(t.get(key), error.what());
            }
        }
        try {
            for (auto& category : out.categories) category = metadata::normalize_category(category);
        } catch (const metadata::MetadataError& error) {
            fail_because(t.get("categories"), error.what());
        }
    }

    void read_console(const toml::table& t, Config::Console& out) const
    {
        only_keys(t, "console.", {"listen"});
        read_string(t, "console.", "listen", out.listen);
        if (!out.listen.empty() && !parse_listen_address(out.listen)) {
            fail(t.get("listen"), "console.listen", R"("HOST:PORT" (e.g. "127.0.0.1:8080") or "" for off)");
        }
    }

    void read_commons(const toml::table& t, Config::Commons& out) const
    {
        only_keys(t, "commons.", {"api_url", "credentials_file", "upload", "book_file", "chunk_kb"});
        read_enum(t, "commons.", "book_file", out.book_file,
                  {{"djvu", BookFileFormat::djvu}, {"pdf", BookFileFormat::pdf}, {"none", BookFileFormat::none}});
        read_int(t, "commons.", "chunk_kb", out.chunk_kb, 64, 1 << 20);
        read_string(t, "commons.", "api_url", out.api_url);
        std::string credentials = out.credentials_file.string();
        read_string(t, "commons.", "credentials_file", credentials);
        out.credentials_file = credentials;
        read_enum(t, "commons.", "upload", out.upload,
                  {{"jpeg", UploadFiles::jpeg}, {"tiff", UploadFiles::tiff}, {"both", UploadFiles::both}});
    }

    void read_imaging(const toml::table& t, Config::Imaging& out) const
    {
        only_keys(t, "imaging.", {"threads", "tiff_compression", "tiff_level", "jpeg_quality", "split", "max_backlog"});
        read_int(t, "imaging.", "max_backlog", out.max_backlog, 1, 10000);
        read_int(t, "imaging.", "threads", out.threads, 1, 64);
        read_enum(t, "imaging.", "tiff_compression", out.tiff_compression,
                  {{"none", imaging::TiffCompression::none},
                   {"lzw", imaging::TiffCompression::lzw},
                   {"deflate", imaging::TiffCompression::deflate}});
        read_int(t, "imaging.", "tiff_level", out.tiff_level, 1, 12);
        read_int(t, "imaging.", "jpeg_quality", out.jpeg_quality, 1, 100);
        read_enum(t, "imaging.", "split", out.split,
                  {{"auto", imaging::SplitMode::automatic},
                   {"never", imaging::SplitMode::never},
                   {"always", imaging::SplitMode::always}});
    }

    void read_bool(const toml::table& table, const std::string& prefix, const char* key, bool& out) const
    {
        const toml::node* node = table.get(key);
        if (node == nullptr) return;
        if (!node->is_boolean()) fail(node, prefix + key, "true or false");
        out = node->as_boolean()->get();
    }

    void read_buttons(const toml::table& t, Config::Buttons& out) const
    {
        static const std::set<std::string> lines{"capture_line", "retake_line", "new_book_line", "end_book_line",
                                                 "sync_line"};
        std::set<std::string> keys{"gpio_chip",    "active_low",  "pull_up",
                                   "evdev_device", "debounce_ms", "long_press_ms"};
        keys.insert(lines.begin(), lines.end());
        only_keys(t, "buttons.", keys);
        read_string(t, "buttons.", "gpio_chip", out.gpio_chip);
        for (const auto& key : lines) {
            std::string line;
            read_string(t, "buttons.", key.c_str(), line);
            if (line.empty()) continue;
            std::string button = key.substr(0, key.size() - 5);  // "new_book_line" -> "new-book"
            for (auto& c : button) c = c == '_' ? '-' : c;
            out.gpio_lines[*hardware::parse_button(button)] = line;
        }
        read_bool(t, "buttons.", "active_low", out.active_low);
        read_bool(t, "buttons.", "pull_up", out.pull_up);
        read_string(t, "buttons.", "evdev_device", out.evdev_device);
        read_int(t, "buttons.", "debounce_ms", out.debounce_ms, 1, 1000);
        read_int(t, "buttons.", "long_press_ms", out.long_press_ms, 100, 10000);
    }

    void read_feedback(const toml::table& t, Config::Feedback& out) const
    {
        only_keys(t, "feedback.", {"leds", "gpio_chip", "green", "amber", "red", "buzzer", "active_low"});
        read_enum(t, "feedback.", "leds", out.leds,
                  {{"none", LedDriver::none}, {"gpio", LedDriver::gpio}, {"sysfs", LedDriver::sysfs}});
        read_string(t, "feedback.", "gpio_chip", out.gpio_chip);
        for (const hardware::Output output : hardware::all_outputs) {
            std::string where;
            read_string(t, "feedback.", std::string(hardware::to_string(output)).c_str(), where);
            if (!where.empty()) out.outputs[output] = where;
        }
        read_bool(t, "feedback.", "active_low", out.active_low);
    }

    void read_devices(const toml::table& root, std::vector<DeviceConfig>& out) const
    {
        const toml::node* node = root.get("device");
        if (node == nullptr) return;
        const auto* array = node->as_array();
        if (array == nullptr || !array->is_array_of_tables()) fail(node, "device", "an array of tables [[device]]");
        std::size_t index = 0;
        std::vector<std::uint32_t> lines;  // where each [[device]] read so far starts
        for (const auto& item : *array) {
            const std::string prefix = "device[" + std::to_string(index++) + "].";
            const auto& t = *item.as_table();
            only_keys(t, prefix,
                      {"type", "serial", "role", "view", "rotate", "address", "settings", "width", "height", "seed",
                       "words"});
            DeviceConfig device;
            if (t.get("type") == nullptr) fail(&t, prefix + "type", "gphoto2, sane or sim (the key is missing)");
            read_choice(t, prefix, "type", device.type, {"gphoto2", "sane", "sim"});
            read_string(t, prefix, "serial", device.serial);
            read_enum(t, prefix, "role", device.role,
                      {{"left", capture::CameraRole::left},
                       {"right", capture::CameraRole::right},
                       {"single", capture::CameraRole::single}});
            if (t.get("view") != nullptr) {  // absent: from the role (device_view)
                imaging::PageView view = imaging::PageView::automatic;
                read_enum(t, prefix, "view", view,
                          {{"left-page", imaging::PageView::left_page},
                           {"right-page", imaging::PageView::right_page},
                           {"spread", imaging::PageView::spread},
                           {"single", imaging::PageView::single},
                           {"auto", imaging::PageView::automatic}});
                device.view = view;
            }
            read_rotation(t, prefix, device.rotate);
            read_string(t, prefix, "address", device.address);
            read_camera_settings(t, prefix, device.settings);
            check_gphoto2_keys(t, prefix, device);
            read_int(t, prefix, "width", device.width, 64, 12000);
            read_int(t, prefix, "height", device.height, 64, 12000);
            read_int(t, prefix, "seed", device.seed, 0, INT64_MAX);
            read_bool(t, prefix, "words", device.words);
            if (static_cast<std::int64_t>(device.width) * device.height > 24'000'000 + 1'000'000) {
                fail(t.get("width"), prefix + "width", "width x height of at most 24 MP");
            }
            check_unique(out, lines, device, t, prefix);
            out.push_back(device);
            lines.push_back(t.source().begin.line);
        }
    }

    // Two devices never share a role or a serial: a rig with two "left" cameras would
    // file one camera's pages under the other's name.
    void check_unique(const std::vector<DeviceConfig>& earlier, const std::vector<std::uint32_t>& lines,
                      const DeviceConfig& device, const toml::table& t, const std::string& prefix) const
    {
        for (std::size_t i = 0; i < earlier.size(); ++i) {
            const char* key = nullptr;
            if (earlier[i].role == device.role) key = "role";
            if (!device.serial.empty() && earlier[i].serial == device.serial) key = "serial";
            if (key == nullptr) continue;
            const std::string value =
                std::string(key) == "role" ? std::string(capture::to_string(device.role)) : device.serial;
            const toml::node* node = t.get(key);
            std::ostringstream message;
            message << source_.string() << ':' << (node != nullptr ? node->source() : t.source()).begin.line << ": "
                    << prefix << key << ": \"" << value << "\" is also the " << key << " of device[" << i << "] (line "
                    << lines[i] << "); two devices never share a role or a serial";
            throw ConfigError(message.str());
        }
    }

    // [device.settings]: libgphoto2 config names to values, kept in the order written
    // (a camera may need its capture target or image format set before the rest).
    void read_camera_settings(const toml::table& device, const std::string& prefix,
                              std::vector<std::pair<std::string, std::string>>& out) const
    {
        const toml::node* node = device.get("settings");
        if (node == nullptr) return;
        if (!node->is_table()) fail(node, prefix + "settings", "a table of camera settings, e.g. { iso = \"200\" }");
        std::vector<std::pair<const toml::node*, std::string>> written;
        for (const auto& [key, value] : *node->as_table()) written.emplace_back(&value, std::string(key.str()));
        std::stable_sort(written.begin(), written.end(), [](const auto& a, const auto& b) {
            return a.first->source().begin < b.first->source().begin;
        });
        for (const auto& [value, name] : written) {
            if (value->is_string()) {
                out.emplace_back(name, value->as_string()->get());
            } else if (value->is_integer()) {
                out.emplace_back(name, std::to_string(value->as_integer()->get()));
            } else {
                fail(value, prefix + "settings." + name, "a string or an integer");
            }
        }
    }

    // How a camera is mounted, in quarter turns.
    void read_rotation(const toml::table& t, const std::string& prefix, int& out) const
    {
        const toml::node* node = t.get("rotate");
        if (node == nullptr) return;
        const auto* value = node->as_integer();
        if (value == nullptr || value->get() < 0 || value->get() > 270 || value->get() % 90 != 0) {
            fail(node, prefix + "rotate", "one of 0, 90, 180, 270");
        }
        out = static_cast<int>(value->get());
    }

    void check_gphoto2_keys(const toml::table& t, const std::string& prefix, const DeviceConfig& device) const
    {
        if (device.type == "gphoto2" && device.serial.empty()) {
            fail(&t, prefix + "serial",
                 "the camera's serial number (gphoto2 cameras are known by it; see "
                 "`digikit devices`)");
        }
        if (!device.address.empty() && (device.type != "gphoto2" || device.address.rfind("ptpip:", 0) != 0)) {
            fail(t.get("address"), prefix + "address",
                 "a network camera's \"ptpip:HOST\" (gphoto2 only; USB cameras are found by serial number)");
        }
        if (!device.settings.empty() && device.type != "gphoto2") {
            fail(t.get("settings"), prefix + "settings", "no settings: they are for gphoto2 cameras");
        }
    }

    static std::string describe(const toml::node& node)
    {
        if (node.is_string()) return "\"" + std::string(node.as_string()->get()) + "\"";
        if (node.is_table()) return "a table";
        if (node.is_array()) return "an array";
        std::ostringstream text;
        node.visit([&text](const auto& value) {
            if constexpr (toml::is_value<decltype(value)>) text << value;
        });
        return text.str();
    }

    std::filesystem::path source_;
};

}  // namespace

imaging::PageView device_view(const DeviceConfig& device)
{
    if (device.view) return *device.view;
    switch (device.role) {
        case capture::CameraRole::left: return imaging::PageView::left_page;
        case capture::CameraRole::right: return imaging::PageView::right_page;
        case capture::CameraRole::single: break;
    }
    return imaging::PageView::automatic;
}

bool ListenAddress::loopback() const
{
    in_addr v4{};
    if (::inet_pton(AF_INET, host.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
    in6_addr v6{};
    if (::inet_pton(AF_INET6, host.c_str(), &v6) == 1) return IN6_IS_ADDR_LOOPBACK(&v6);
    return host == "localhost";  // a name that could resolve anywhere else is not loopback
}

std::optional<ListenAddress> parse_listen_address(std::string_view text)
{
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos || colon == 0) return std::nullopt;
    ListenAddress address;
    address.host = std::string(text.substr(0, colon));
    if (address.host.front() == '[') {
        if (address.host.size() < 3 || address.host.back() != ']') return std::nullopt;
        address.host = address.host.substr(1, address.host.size() - 2);
    } else if (address.host.find(':') != std::string::npos) {
        return std::nullopt;  // an IPv6 address needs its brackets
    }
    const std::string_view port = text.substr(colon + 1);
    if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string_view::npos) {
        return std::nullopt;
    }
    address.port = std::stoi(std::string(port));
    if (address.port > 65535) return std::nullopt;
    return address;
}

std::map<std::string, imaging::PipelineOptions> camera_pipeline_options(const Config& config)
{
    std::map<std::string, imaging::PipelineOptions> by_role;
    for (const auto& device : config.devices) {
        imaging::PipelineOptions options = pipeline_options(config);
        options.view = device_view(device);
        options.rotate = device.rotate;
        by_role[std::string(capture::to_string(device.role))] = options;
    }
    return by_role;
}

std::string book_file_format_name(BookFileFormat format)
{
    switch (format) {
        case BookFileFormat::djvu: return "djvu";
        case BookFileFormat::pdf: return "pdf";
        case BookFileFormat::none: break;
    }
    return "none";
}

imaging::PipelineOptions pipeline_options(const Config& config)
{
    imaging::PipelineOptions options;
    options.split = config.imaging.split;
    options.tiff_compression = config.imaging.tiff_compression;
    options.tiff_level = config.imaging.tiff_level;
    options.jpeg_quality = config.imaging.jpeg_quality;
    options.threads = config.imaging.threads;
    return options;
}

metadata::BookMetadata new_book_metadata(const Config& config)
{
    metadata::BookMetadata book;
    book.institution = config.metadata.institution;
    book.license = config.metadata.license;
    book.language = config.metadata.language;
    book.categories = config.metadata.categories;
    return book;
}

Config parse_config(std::string_view text, const std::filesystem::path& source)
{
    try {
        const toml::table root = toml::parse(text, source.string());
        return ConfigReader(source).read(root);
    } catch (const toml::parse_error& error) {
        throw ConfigError(source.string() + ":" + std::to_string(error.source().begin.line) +
                          ": not valid TOML: " + std::string(error.description()));
    }
}

Config load_config(const std::filesystem::path& path, bool required)
{
    std::optional<std::string> text;
    try {
        text = required ? base::read_file(path) : base::read_file_if_exists(path);
    } catch (const std::system_error& error) {
        throw ConfigError(path.string() + ": cannot read the configuration file (" + error.code().message() + ")");
    }
    if (!text) return Config{};
    return parse_config(*text, path);
}

}  // namespace digikit::firmware
