#include "digikit/capture/sane_scanner.hpp"

#include <execinfo.h>
#include <poll.h>
#include <sane/sane.h>
#include <sane/saneopts.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <span>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "digikit/base/atomic_file.hpp"

namespace digikit::capture {
namespace {

// glibc loads its unwinder (libgcc_s) on the first pthread_exit or pthread_cancel of the
// process, in whichever thread comes first and without a lock. SANE's backends end a
// scan by cancelling their reader thread asynchronously while that thread may be in its
// own pthread_exit: the first load could then be cancelled halfway, leaving the loader's
// locks held by a dead thread, and the next dlclose (sane_exit) hung for ever. backtrace()
// makes glibc load the unwinder now, in this thread.
void load_unwinder_before_sane_threads()
{
    void* frame = nullptr;
    (void)::backtrace(&frame, 1);
}

// SANE is one global library, not safe to call from two threads at once: every call
// goes through call_mutex(). It is started by the first lease and stopped when the
// last lease is released.
class SaneLibrary {
public:
    // Keeps SANE started while the returned lease lives. Throws CaptureError.
    static std::shared_ptr<SaneLibrary> lease()
    {
        const std::lock_guard lock(state_mutex());
        if (users() == 0) {
            load_unwinder_before_sane_threads();
            SANE_Int version = 0;
            const SANE_Status status = sane_init(&version, nullptr);
            if (status != SANE_STATUS_GOOD) {
                throw CaptureError(std::string("cannot start SANE: ") + sane_strstatus(status), false);
            }
        }
        ++users();
        static SaneLibrary library;
        return {&library, [](SaneLibrary*) { release(); }};
    }

    SaneLibrary(const SaneLibrary&) = delete;
    SaneLibrary& operator=(const SaneLibrary&) = delete;

    // Held around every SANE call.
    static std::mutex& call_mutex()
    {
        static std::mutex mutex;
        return mutex;
    }

private:
    SaneLibrary() = default;
    ~SaneLibrary() = default;

    static void release()
    {
        const std::lock_guard lock(state_mutex());
        if (--users() == 0) sane_exit();
    }
    static std::mutex& state_mutex()
    {
        static std::mutex mutex;
        return mutex;
    }
    static int& users()
    {
        static int count = 0;
        return count;
    }
};

std::vector<SaneDevice> devices_present()
{
    const std::lock_guard lock(SaneLibrary::call_mutex());
    const SANE_Device** list = nullptr;
    const SANE_Status status = sane_get_devices(&list, SANE_TRUE);
    if (status != SANE_STATUS_GOOD) {
        throw CaptureError(std::string("cannot list SANE devices: ") + sane_strstatus(status), false);
    }
    std::vector<SaneDevice> devices;
    for (const SANE_Device** d = list; d != nullptr && *d != nullptr; ++d) {
        devices.push_back({(*d)->name, (*d)->vendor, (*d)->model, (*d)->type});
    }
    return devices;
}

bool recoverable(SANE_Status status)
{
    // The operator can fix these and try again; anything else needs the device looked at.
    return status == SANE_STATUS_DEVICE_BUSY || status == SANE_STATUS_JAMMED || status == SANE_STATUS_NO_DOCS ||
           status == SANE_STATUS_COVER_OPEN;
}

// An open SANE handle: cancelled and closed whatever happens.
class OpenDevice {
public:
    OpenDevice(const std::string& name, std::string describe) : describe_(std::move(describe))
    {
        check(sane_open(name.c_str(), &handle_), "open");
    }
    OpenDevice(const OpenDevice&) = delete;
    OpenDevice& operator=(const OpenDevice&) = delete;
    ~OpenDevice()
    {
        sane_cancel(handle_);
        sane_close(handle_);
    }

    void check(SANE_Status status, const std::string& what) const
    {
        if (status == SANE_STATUS_GOOD) return;
        throw CaptureError(describe_ + ": " + what + " failed: " + sane_strstatus(status), recoverable(status));
    }

    // Sets the named option if the device has it (active and settable). Numbers are
    // converted to the option's type (integer or fixed point).
    void set_number(const char* name, double value, bool required)
    {
        const auto [index, option] = find(name);
        if (option == nullptr || !SANE_OPTION_IS_ACTIVE(option->cap) || !SANE_OPTION_IS_SETTABLE(option->cap)) {
            if (required) throw CaptureError(describe_ + ": has no settable option '" + name + "'", false);
            return;
        }
        SANE_Word word = option->type == SANE_TYPE_FIXED ? SANE_FIX(value) : static_cast<SANE_Word>(std::lround(value));
        check(sane_control_option(handle_, index, SANE_ACTION_SET_VALUE, &word, nullptr),
              std::string("setting ") + name + " to " + std::to_string(value));
    }

    void set_text(const char* name, const std::string& value)
    {
        const auto [index, option] = find(name);
        if (option == nullptr || !SANE_OPTION_IS_ACTIVE(option->cap) || option->type != SANE_TYPE_STRING) {
            throw CaptureError(describe_ + ": has no option '" + name + "'", false);
        }
        if (option->constraint_type == SANE_CONSTRAINT_STRING_LIST) {
            std::string accepted;
            bool known = false;
            for (const SANE_String_Const* s = option->constraint.string_list; *s != nullptr; ++s) {
                known = known || value == *s;
                accepted += std::string(accepted.empty() ? "" : ", ") + *s;
            }
            if (!known) {
                throw CaptureError(describe_ + ": " + name + " '" + value + "' is not one of " + accepted, false);
            }
        }
        std::vector<char> buffer(static_cast<std::size_t>(std::max<SANE_Int>(option->size, 1)), '\0');
        std::memcpy(buffer.data(), value.c_str(), std::min(buffer.size() - 1, value.size()));
        check(sane_control_option(handle_, index, SANE_ACTION_SET_VALUE, buffer.data(), nullptr),
              std::string("setting ") + name + " to " + value);
    }

    [[nodiscard]] SANE_Handle handle() const { return handle_; }
    [[nodiscard]] const std::string& describe() const { return describe_; }

private:
    std::pair<SANE_Int, const SANE_Option_Descriptor*> find(const char* name) const
    {
        for (SANE_Int i = 1;; ++i) {
            const SANE_Option_Descriptor* option = sane_get_option_descriptor(handle_, i);
            if (option == nullptr) return {0, nullptr};
            if (option->name != nullptr && std::strcmp(option->name, name) == 0) return {i, option};
        }
    }

    std::string describe_;
    SANE_Handle handle_ = nullptr;
};

// One frame's bytes (a whole image, or one colour of a three-pass scan).
struct Frame {
    SANE_Parameters parameters{};
    std::vector<std::uint8_t> bytes;
};

// How long a scanner may take from the start of a scan to its first bytes (a cold
// lamp warms up for up to a minute on some flatbeds).
constexpr int first_data_timeout_ms = 120'000;

// Waits for a frame's first bytes when the backend offers a descriptor to wait on
// (sane_get_select_fd; readable only while data is there, so it serves for the start,
// not for the end). A scanner that never starts sending is reported instead of blocking
// capture for ever.
void wait_for_first_data(const OpenDevice& device)
{
    SANE_Int fd = -1;
    if (sane_get_select_fd(device.handle(), &fd) != SANE_STATUS_GOOD || fd < 0) return;
    pollfd waiting{fd, POLLIN, 0};
    int ready = 0;
    do {
        ready = ::poll(&waiting, 1, first_data_timeout_ms);
    } while (ready < 0 && errno == EINTR);
    if (ready == 0) {
        throw CaptureError(device.describe() + ": sent no image data within " +
                               std::to_string(first_data_timeout_ms / 1000) + " s of starting the scan",
                           true);
    }
}

Frame read_frame(const OpenDevice& device)
{
    Frame frame;
    device.check(sane_start(device.handle()), "start");
    device.check(sane_get_parameters(device.handle(), &frame.parameters), "reading the scan parameters");
    wait_for_first_data(device);
    if (frame.parameters.lines > 0 && frame.parameters.bytes_per_line > 0) {
        frame.bytes.reserve(static_cast<std::size_t>(frame.parameters.lines) *
                            static_cast<std::size_t>(frame.parameters.bytes_per_line));
    }
    std::vector<SANE_Byte> buffer(std::size_t{64} * 1024);
    for (;;) {
        SANE_Int length = 0;
        const SANE_Status status =
            sane_read(device.handle(), buffer.data(), static_cast<SANE_Int>(buffer.size()), &length);
        if (status == SANE_STATUS_EOF) break;
        device.check(status, "reading the scan");
        frame.bytes.insert(frame.bytes.end(), buffer.begin(), buffer.begin() + length);
    }
    return frame;
}

// One frame as an image of `channels` channels (8 or 16 bits; 1-bit line art becomes
// black and white 8-bit).
cv::Mat frame_image(Frame& frame, int channels)
{
    const SANE_Parameters& p = frame.parameters;
    const int bytes_per_line = p.bytes_per_line;
    if (bytes_per_line <= 0 || p.pixels_per_line <= 0) return {};
    const int lines = static_cast<int>(frame.bytes.size() / static_cast<std::size_t>(bytes_per_line));
    std::uint8_t* data = frame.bytes.data();
    if (p.depth == 1) {
        cv::Mat image(lines, p.pixels_per_line, CV_8UC1);
        for (int y = 0; y < lines; ++y) {
            const std::uint8_t* row = data + static_cast<std::ptrdiff_t>(y) * bytes_per_line;
            auto* out = image.ptr<std::uint8_t>(y);
            for (int x = 0; x < p.pixels_per_line; ++x) {
                const unsigned byte = row[x / 8];
                const bool black = ((byte >> static_cast<unsigned>(7 - x % 8)) & 1U) != 0;  // SANE: 1 is black
                out[x] = black ? 0 : 255;
            }
        }
        return image;
    }
    const int type = CV_MAKETYPE(p.depth == 16 ? CV_16U : CV_8U, channels);
    return cv::Mat(lines, p.pixels_per_line, type, data, static_cast<std::size_t>(bytes_per_line)).clone();
}

// Reads every frame of a scan into one BGR or grey image.
cv::Mat scan_image(const OpenDevice& device)
{
    cv::Mat planes[3];  // blue, green, red for three-pass scanners
    for (;;) {
        Frame frame = read_frame(device);
        switch (frame.parameters.format) {
            case SANE_FRAME_GRAY: return frame_image(frame, 1);
            case SANE_FRAME_RGB: {
                cv::Mat image = frame_image(frame, 3);
                cv::cvtColor(image, image, cv::COLOR_RGB2BGR);
                return image;
            }
            case SANE_FRAME_RED: planes[2] = frame_image(frame, 1); break;
            case SANE_FRAME_GREEN: planes[1] = frame_image(frame, 1); break;
            case SANE_FRAME_BLUE: planes[0] = frame_image(frame, 1); break;
            default:
                throw CaptureError("scanner sent an image format this program cannot read (SANE frame " +
                                       std::to_string(static_cast<int>(frame.parameters.format)) + ")",
                                   false);
        }
        if (frame.parameters.last_frame == SANE_TRUE) break;
    }
    const int rows = std::min({planes[0].rows, planes[1].rows, planes[2].rows});
    if (planes[0].empty() || planes[1].empty() || planes[2].empty() || rows <= 0) {
        throw CaptureError("scanner ended a three-pass scan without all three colours", false);
    }
    cv::Mat image;
    cv::merge(
        std::vector<cv::Mat>{planes[0].rowRange(0, rows), planes[1].rowRange(0, rows), planes[2].rowRange(0, rows)},
        image);
    return image;
}

class SaneScanner final : public Camera {
public:
    SaneScanner(DeviceInfo info, SaneScanSettings settings, std::shared_ptr<SaneLibrary> library)
        : info_(std::move(info)), settings_(std::move(settings)), library_(std::move(library))
    {
    }

    [[nodiscard]] const DeviceInfo& info() const override { return info_; }

    std::filesystem::path capture(const std::filesystem::path& stem) override
    {
        cv::Mat image;
        {
            const std::lock_guard lock(SaneLibrary::call_mutex());
            OpenDevice device(info_.id, "scanner " + info_.id);
            set_scan_options(device);
            image = scan_image(device);
        }  // cancelled and closed here, before the file is written
        if (image.empty()) throw CaptureError("scanner " + info_.id + ": the scan came back empty", true);
        return store(image, stem);
    }

private:
    void set_scan_options(OpenDevice& device) const
    {
        device.set_text(SANE_NAME_SCAN_MODE, settings_.mode);  // first: it changes which options exist
        if (settings_.depth > 0) device.set_number(SANE_NAME_BIT_DEPTH, settings_.depth, true);
        device.set_number(SANE_NAME_SCAN_RESOLUTION, settings_.resolution_dpi, true);
        if (settings_.area) {
            const ScanArea& a = *settings_.area;
            device.set_number(SANE_NAME_SCAN_TL_X, a.left_mm, true);
            device.set_number(SANE_NAME_SCAN_TL_Y, a.top_mm, true);
            device.set_number(SANE_NAME_SCAN_BR_X, a.left_mm + a.width_mm, true);
            device.set_number(SANE_NAME_SCAN_BR_Y, a.top_mm + a.height_mm, true);
        }
    }

    [[nodiscard]] std::filesystem::path store(const cv::Mat& image, const std::filesystem::path& stem) const
    {
        constexpr int resolution_unit_inch = 2;
        constexpr int compression_deflate = 8;
        std::vector<std::uint8_t> tiff;
        const std::vector<int> params{cv::IMWRITE_TIFF_RESUNIT,     resolution_unit_inch,  cv::IMWRITE_TIFF_XDPI,
                                      settings_.resolution_dpi,     cv::IMWRITE_TIFF_YDPI, settings_.resolution_dpi,
                                      cv::IMWRITE_TIFF_COMPRESSION, compression_deflate};
        std::filesystem::path path = stem;
        path += ".tif";
        try {
            if (!cv::imencode(".tif", image, tiff, params)) throw std::runtime_error("TIFF encoding failed");
            base::write_file_atomically(path, std::as_bytes(std::span(tiff)));
        } catch (const std::exception& e) {
            throw CaptureError("scanner " + info_.id + ": cannot store " + path.string() + ": " + e.what(), false);
        }
        return path;
    }

    DeviceInfo info_;
    SaneScanSettings settings_;
    std::shared_ptr<SaneLibrary> library_;
};

}  // namespace

std::vector<SaneDevice> list_sane_devices()
{
    const auto library = SaneLibrary::lease();
    return devices_present();
}

std::unique_ptr<Camera> open_sane_scanner(DeviceInfo info, SaneScanSettings settings)
{
    auto library = SaneLibrary::lease();
    const auto devices = devices_present();
    const auto found =
        std::find_if(devices.begin(), devices.end(), [&](const SaneDevice& d) { return d.name == info.id; });
    if (found == devices.end()) {
        throw CaptureError(
            "scanner " + info.id + " is not connected (SANE lists " + std::to_string(devices.size()) + " device(s))",
            false);
    }
    if (info.type.empty()) info.type = "sane";
    if (info.model.empty()) info.model = found->vendor + " " + found->model;
    if (info.serial.empty()) info.serial = info.id;
    if (settings.resolution_dpi <= 0) throw CaptureError("scanner " + info.id + ": resolution must be positive", false);
    return std::make_unique<SaneScanner>(std::move(info), std::move(settings), std::move(library));
}

}  // namespace digikit::capture
