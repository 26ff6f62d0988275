#include "gphoto2_session.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <mutex>
#include <stdexcept>
#include <system_error>

#include "digikit/base/atomic_file.hpp"
#include "digikit/base/text.hpp"
#include "gphoto2_catalogue.hpp"
#include "gphoto2_settings.hpp"

namespace digikit::capture::gphoto2 {
namespace {

// libgphoto2 2.5.30 closes file descriptor 0 whenever it disconnects a PTP/IP camera
// (the descriptor of a JPEG channel only Fuji cameras open starts out as 0, not -1):
// whatever the process had there, stdin or a file or socket opened since, would be
// lost. So fd 0 is duplicated before and put back after. Another thread opening a file
// in the instant between libgphoto2's close and the restore could still lose it.
void exit_camera(::Camera* camera, GPContext* context, const std::string& port)
{
    if (!port.starts_with("ptpip:")) {
        gp_camera_exit(camera, context);
        return;
    }
    static std::mutex fd0_mutex;
    const std::lock_guard lock(fd0_mutex);
    const int saved = ::fcntl(0, F_DUPFD_CLOEXEC, 3);  // -1 when fd 0 is not open
    gp_camera_exit(camera, context);
    if (saved >= 0) {
        ::dup2(saved, 0);
        ::close(saved);
    }
}

std::filesystem::path target_path(const std::filesystem::path& stem, const std::string& camera_name)
{
    const auto dot = camera_name.rfind('.');
    std::filesystem::path target = stem;
    target += dot == std::string::npos ? std::string(".jpg") : base::ascii_lower(camera_name.substr(dot));
    return target;
}

}  // namespace

Session::Session(DeviceInfo info, CameraPlace place, std::vector<std::pair<std::string, std::string>> settings)
    : info_(std::move(info)), place_(std::move(place)), settings_(std::move(settings)), context_(gp_context_new())
{
    gp_context_set_error_func(context_.get(), &Session::on_message, this);
    gp_context_set_message_func(context_.get(), &Session::on_message, this);
}

Session::~Session()
{
    close();
}

std::string Session::describe() const
{
    const auto& address = place_.address;
    return "camera " + (info_.id.empty() ? address.model : info_.id) + " (" + address.model +
           (info_.serial.empty() ? "" : ", serial " + info_.serial) + " at " + address.port + ")";
}

void Session::on_message(GPContext* /*context*/, const char* text, void* data)
{
    auto* self = static_cast<Session*>(data);
    if (text == nullptr) return;
    if (!self->messages_.empty()) self->messages_ += "; ";
    self->messages_ += text;
}

void Session::open()
{
    if (camera_ != nullptr) return;
    if (!opened_before_) {
        open_at(place_.address);
        opened_before_ = true;
        return;
    }
    std::string first_error;
    try {
        open_at(place_.address);
        return;
    } catch (const CaptureError& e) {
        if (place_.search.empty() && !place_.search_detected) throw;
        first_error = e.what();
    }
    const auto candidates = place_.search_detected ? Catalogue::instance().detect() : place_.search;
    for (const auto& candidate : candidates) {
        if (candidate.port == place_.address.port) continue;
        try {
            open_at(candidate);
            place_.address = candidate;
            return;
        } catch (const CaptureError&) {
            // not this one: keep looking
        }
    }
    throw CaptureError(first_error + "; no other camera has serial number " + info_.serial, false);
}

void Session::open_at(const Gphoto2Address& address)
{
    messages_.clear();
    auto& catalogue = Catalogue::instance();
    const CameraAbilities abilities = catalogue.abilities(address.model);
    GPPortInfo port = catalogue.port(address.port);
    ::Camera* made = nullptr;
    int rc = gp_camera_new(&made);
    CameraHandle camera(made);
    if (rc >= GP_OK) rc = gp_camera_set_abilities(camera.get(), abilities);
    if (rc >= GP_OK) rc = gp_camera_set_port_info(camera.get(), port);
    if (rc >= GP_OK) rc = gp_camera_init(camera.get(), context_.get());
    if (rc < GP_OK) {
        throw CaptureError("cannot open " + address.model + " at " + address.port + ": " + explain(rc) +
                               "; is it switched on, connected and not claimed by another program?",
                           false);
    }
    const std::string serial = read_setting(camera.get(), context_.get(), "serialnumber");
    if (!info_.serial.empty() && serial != info_.serial) {
        exit_camera(camera.get(), context_.get(), address.port);
        throw CaptureError(
            "the camera at " + address.port + " has serial number '" + serial + "', not '" + info_.serial + "'", false);
    }
    camera_ = std::move(camera);
    info_.serial = serial;
    if (info_.model.empty()) info_.model = address.model;
    // Shots go to the camera's RAM where the driver offers it: nothing accumulates on the
    // card and the download starts sooner.
    choose_setting_containing(camera_.get(), context_.get(), "capturetarget", "ram");
    apply_settings();  // on failure closed: reopened, and the settings tried again, on the next capture
}

void Session::apply_settings()
{
    if (camera_ == nullptr) return open();
    try {
        for (const auto& [name, value] : settings_) apply_setting(name, value);
    } catch (const CaptureError&) {
        close();
        throw;
    }
}

void Session::apply_setting(const std::string& name, const std::string& value)
{
    messages_.clear();
    int rc = GP_OK;
    try {
        rc = gphoto2::apply_setting(camera_.get(), context_.get(), name, value);
    } catch (const std::invalid_argument& e) {
        throw CaptureError(describe() + ": " + e.what(), false);
    }
    if (rc < GP_OK) {
        throw CaptureError(describe() + ": setting '" + name + "' to '" + value + "' failed: " + explain(rc), false);
    }
}

void Session::close()
{
    if (camera_ == nullptr) return;
    exit_camera(camera_.get(), context_.get(), place_.address.port);
    camera_.reset();
}

std::filesystem::path Session::capture(const std::filesystem::path& stem)
{
    open();
    drain_events();
    check_ready();
    CameraFilePath shot{};
    check(gp_camera_capture(camera_.get(), GP_CAPTURE_IMAGE, &shot, context_.get()), "capture");
    std::filesystem::path target = target_path(stem, shot.name);
    download(shot, target);
    // The picture is stored; a file left on the camera only costs card space.
    messages_.clear();
    gp_camera_file_delete(camera_.get(), shot.folder, shot.name, context_.get());
    return target;
}

// Events left over (a file added by the camera's own button, a property change) would
// otherwise be taken for this capture's.
void Session::drain_events()
{
    for (int i = 0; i < 100; ++i) {
        CameraEventType type = GP_EVENT_TIMEOUT;
        void* data = nullptr;
        const int rc = gp_camera_wait_for_event(camera_.get(), 0, &type, &data, context_.get());
        const CMemory<void> owned(data);
        if (rc < GP_OK || type == GP_EVENT_TIMEOUT) return;
    }
}

// Asks for the storage before firing: a busy camera says so here, and a full or missing
// card is reported before the shot rather than after it.
void Session::check_ready()
{
    messages_.clear();
    CameraStorageInformation* storage = nullptr;
    int count = 0;
    const int rc = gp_camera_get_storageinfo(camera_.get(), &storage, &count, context_.get());
    const CMemory<CameraStorageInformation> owned(storage);
    if (rc == GP_ERROR_NOT_SUPPORTED) return;
    check(rc, "storage check");
}

void Session::download(const CameraFilePath& shot, const std::filesystem::path& target)
{
    messages_.clear();
    try {
        base::AtomicFile file(target);
        const int fd = ::open(file.temp_path().c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
        if (fd < 0) throw std::system_error(errno, std::generic_category(), "cannot open " + file.temp_path().string());
        CameraFile* made = nullptr;
        if (gp_file_new_from_fd(&made, fd) < GP_OK) {
            ::close(fd);
            throw CaptureError(describe() + ": out of memory for the download", false);
        }
        FileHandle camera_file(made);  // closes the descriptor
        const int rc = gp_camera_file_get(camera_.get(), shot.folder, shot.name, GP_FILE_TYPE_NORMAL, camera_file.get(),
                                          context_.get());
        camera_file.reset();  // streamed straight into the file: closed before it is committed
        check(rc, std::string("download of ") + shot.folder + "/" + shot.name);
        file.commit();
    } catch (const std::system_error& e) {
        throw CaptureError(describe() + ": cannot store " + target.string() + ": " + e.what(), false);
    }
}

// Busy cameras and failed autofocus are worth a retry; anything else (gone, claimed,
// broken protocol) closes the camera so the next capture reopens it.
void Session::check(int rc, const std::string& what)
{
    if (rc >= GP_OK) return;
    const bool recoverable =
        rc == GP_ERROR_CAMERA_BUSY || base::ascii_lower(messages_).find("focus") != std::string::npos;
    std::string message = describe() + ": " + what + " failed: " + explain(rc);
    if (!recoverable) {
        close();
        message += " (camera closed; it will be reopened on the next capture)";
    }
    throw CaptureError(message, recoverable);
}

std::string Session::explain(int rc) const
{
    std::string text = gp_result_as_string(rc);
    if (!messages_.empty()) text += " (" + messages_ + ")";
    return text;
}

}  // namespace digikit::capture::gphoto2
