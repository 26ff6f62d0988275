#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "digikit/base/disk_space.hpp"
#include "digikit/capture/camera.hpp"
#include "digikit/hardware/button.hpp"
#include "digikit/hardware/feedback.hpp"
#include "digikit/imaging/page_pipeline.hpp"
#include "digikit/metadata/book_metadata.hpp"

namespace digikit::firmware {

// The choices of the configuration, parsed once when it is read.
enum class UploadFiles { jpeg, tiff, both };    // commons.upload: which file of each page
enum class BookFileFormat { djvu, pdf, none };  // commons.book_file: the whole book as one file
enum class LedDriver { none, gpio, sysfs };     // feedback.leds

// "djvu" or "pdf" (the file's extension and the export's format), "none".
[[nodiscard]] std::string book_file_format_name(BookFileFormat format);

// One [[device]] entry. `serial` is the identity; the sim-only keys size the photos.
struct DeviceConfig {
    std::string type;  // gphoto2 | sane | sim
    std::string serial;
    capture::CameraRole role = capture::CameraRole::single;
    // What the camera sees (absent: from the role, see device_view) and how it is mounted:
    // rotate 0 | 90 | 180 | 270.
    std::optional<imaging::PageView> view;
    int rotate = 0;
    // gphoto2 only: a network camera's address ("ptpip:HOST"), and camera settings by
    // libgphoto2 config name in the order written, applied at the start of each book.
    std::string address;
    std::vector<std::pair<std::string, std::string>> settings;
    int width = 6000;       // sim
    int height = 4000;      // sim
    std::int64_t seed = 1;  // sim
    bool words = false;     // sim: readable words on the pages (for OCR tests)
};

struct Config {
    std::filesystem::path source;  // the file it came from; empty for built-in defaults
    std::filesystem::path data_dir = "/var/lib/digikit";

    struct Metadata {
        std::string institution;
        std::string license = "PD-old-70";
        std::string language;
        std::vector<std::string> categories;
    } metadata;

    struct Commons {
        std::string api_url = "https://commons.wikimedia.org/w/api.php";
        std::filesystem::path credentials_file = "/etc/digikit/credentials.toml";
        UploadFiles upload = UploadFiles::jpeg;
        BookFileFormat book_file = BookFileFormat::djvu;
        std::int64_t chunk_kb = 5120;  // chunked uploads: bytes per chunk / 1024
    } commons;

    struct Ocr {
        int workers = 1;  // background OCR threads (idle priority, paused while capturing)
    } ocr;

    std::vector<DeviceConfig> devices;

    struct Imaging {
        int threads = 2;
        imaging::TiffCompression tiff_compression = imaging::TiffCompression::deflate;
        int tiff_level = imaging::default_deflate_level;  // deflate: 1 (fast) .. 12 (small)
        int jpeg_quality = 92;
        imaging::SplitMode split = imaging::SplitMode::automatic;
        int max_backlog = 16;  // shots waiting for processing before captures pause
    } imaging;

    // Physical buttons; the control socket is always there. A button with no line is absent.
    struct Buttons {
        std::string gpio_chip = "gpiochip0";
        std::map<hardware::Button, std::string> gpio_lines;  // capture -> "GPIO17" (name or offset)
        bool active_low = true;
        bool pull_up = true;
        std::string evdev_device;  // a foot pedal or keypad, e.g. /dev/input/by-id/...-event-kbd
        int debounce_ms = 30;
        int long_press_ms = 1500;  // End book must be held this long
    } buttons;

    // LEDs and buzzer: none (only `digikit status` shows the signal), gpio or sysfs.
    struct Feedback {
        LedDriver leds = LedDriver::none;
        std::string gpio_chip = "gpiochip0";
        std::map<hardware::Output, std::string> outputs;  // green -> "GPIO5" or a /sys/class/leds folder
        bool active_low = false;
    } feedback;

    struct Storage {
        std::int64_t min_free_mb = 500;  // captures are refused below this much free space
        [[nodiscard]] std::uintmax_t min_free_bytes() const { return std::uintmax_t(min_free_mb) * base::megabyte; }
    } storage;

    // The web console: "HOST:PORT" ("[::1]:PORT" for IPv6), "" = off. Beyond loopback only
    // with console_password in the credentials file.
    struct Console {
        std::string listen = "127.0.0.1:8080";
    } console;
};

// A bad configuration: one line naming the file, the line, the key and what was expected.
class ConfigError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// `[console] listen` taken apart. IPv6 hosts are written in brackets ("[::1]:8080").
struct ListenAddress {
    std::string host;  // without brackets
    int port = 0;
    // 127.0.0.0/8, ::1 or "localhost": reachable from this machine only.
    [[nodiscard]] bool loopback() const;
};
// nullopt unless `text` is HOST:PORT with a port from 1 to 65535 (0 for any free one).
[[nodiscard]] std::optional<ListenAddress> parse_listen_address(std::string_view text);

// What the configuration means for the page pipeline and for a new book's metadata.
[[nodiscard]] imaging::PipelineOptions pipeline_options(const Config& config);

// The camera's view of the book: as configured, else from its role (the left camera of a
// cradle sees the left page, the right camera the right page, a single camera decides).
[[nodiscard]] imaging::PageView device_view(const DeviceConfig& device);

// The pipeline options for each configured camera's photos, by role: its view and mounting.
[[nodiscard]] std::map<std::string, imaging::PipelineOptions> camera_pipeline_options(const Config& config);
[[nodiscard]] metadata::BookMetadata new_book_metadata(const Config& config);

// Parses TOML text; `source` names it in error messages.
[[nodiscard]] Config parse_config(std::string_view text, const std::filesystem::path& source);

// Reads `path`. A missing file is an error only when `required` (given with --config);
// otherwise the built-in defaults apply.
[[nodiscard]] Config load_config(const std::filesystem::path& path, bool required);

}  // namespace digikit::firmware
