#include "digikit/capture/gphoto2_camera.hpp"

#include <fcntl.h>
#include <gphoto2/gphoto2.h>
#include <pthread.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <string_view>

#include "digikit/base/atomic_file.hpp"
#include "digikit/base/text.hpp"

namespace digikit::capture {
namespace {

// libgphoto2's driver and port lists, loaded once per process: loading them scans
// the camlib and iolib folders, far too slow to repeat per camera.
class Gphoto2Catalogue {
public:
    static Gphoto2Catalogue& instance()
    {
        static Gphoto2Catalogue catalogue;
        return catalogue;
    }
    Gphoto2Catalogue(const Gphoto2Catalogue&) = delete;
    Gphoto2Catalogue& operator=(const Gphoto2Catalogue&) = delete;

    // Throws a fatal CaptureError when the lists could not be loaded or do not know
    // the model or port.
    CameraAbilities abilities(const std::string& model)
    {
        const std::lock_guard lock(mutex_);
        check_loaded();
        const int index = gp_abilities_list_lookup_model(abilities_, model.c_str());
        CameraAbilities abilities{};
        if (index < 0 || gp_abilities_list_get_abilities(abilities_, index, &abilities) < GP_OK) {
            throw CaptureError("libgphoto2 has no driver for camera model '" + model + "'", false);
        }
        return abilities;
    }

    GPPortInfo port(const std::string& path)
    {
        const std::lock_guard lock(mutex_);  // a lookup may add a generic port (ptpip:...) to the list
        check_loaded();
        const int index = gp_port_info_list_lookup_path(ports_, path.c_str());
        GPPortInfo info = nullptr;
        if (index < 0 || gp_port_info_list_get_info(ports_, index, &info) < GP_OK) {
            throw CaptureError("libgphoto2 knows no port '" + path + "' (missing iolib, e.g. ptpip?)", false);
        }
        return info;
    }

    std::vector<Gphoto2Address> detect()
    {
        const std::lock_guard lock(mutex_);
        check_loaded();
        std::vector<Gphoto2Address> found;
        CameraList* list = nullptr;
        if (gp_list_new(&list) < GP_OK) return found;
        GPContext* context = gp_context_new();
        if (gp_abilities_list_detect(abilities_, ports_, list, context) >= GP_OK) {
            for (int i = 0; i < gp_list_count(list); ++i) {
                const char* model = nullptr;
                const char* port = nullptr;
                gp_list_get_name(list, i, &model);
                gp_list_get_value(list, i, &port);
                // Only USB: network ports named earlier (ptpip:...) join libgphoto2's list
                // and would be "detected" again whether anything answers there or not.
                if (model != nullptr && port != nullptr && std::string_view(port).starts_with("usb:")) {
                    found.push_back({model, port});
                }
            }
        }
        gp_context_unref(context);
        gp_list_free(list);
        return found;
    }

private:
    Gphoto2Catalogue()
    {
        GPContext* context = gp_context_new();
        if (gp_abilities_list_new(&abilities_) >= GP_OK && gp_abilities_list_load(abilities_, context) >= GP_OK &&
            gp_port_info_list_new(&ports_) >= GP_OK && gp_port_info_list_load(ports_) >= GP_OK) {
            loaded_ = true;
        }
        gp_context_unref(context);
    }
    ~Gphoto2Catalogue()
    {
        if (abilities_ != nullptr) gp_abilities_list_free(abilities_);
        if (ports_ != nullptr) gp_port_info_list_free(ports_);
    }
    void check_loaded() const
    {
        if (!loaded_) throw CaptureError("cannot load libgphoto2's camera drivers and ports", false);
    }

    std::mutex mutex_;
    CameraAbilitiesList* abilities_ = nullptr;
    GPPortInfoList* ports_ = nullptr;
    bool loaded_ = false;
};

// Runs jobs one after another on a thread of its own: every libgphoto2 call of one
// camera happens on its thread. SIGPIPE is blocked there, so a camera that drops its
// network connection makes a write fail instead of killing the process.
class CameraThread {
public:
    CameraThread() : shared_(std::make_shared<Shared>())
    {
        thread_ = std::thread([shared = shared_] { run(*shared); });
    }
    CameraThread(const CameraThread&) = delete;
    CameraThread& operator=(const CameraThread&) = delete;
    ~CameraThread()
    {
        {
            const std::lock_guard lock(shared_->mutex);
            shared_->stop = true;
        }
        shared_->wake.notify_all();
        // A thread stuck inside libgphoto2 cannot be joined; it owns its state and
        // finishes (or not) on its own.
        if (hung_) {
            thread_.detach();
        } else {
            thread_.join();
        }
    }

    [[nodiscard]] bool hung() const { return hung_; }

    // Runs `job` on the thread and waits for it at most `timeout`; returns false if it
    // did not finish in time (the thread is then considered hung).
    template <typename T>
    bool run(std::function<T()> job, std::chrono::milliseconds timeout, T& result)
    {
        auto task = std::make_shared<std::packaged_task<T()>>(std::move(job));
        std::future<T> done = task->get_future();
        {
            const std::lock_guard lock(shared_->mutex);
            shared_->jobs.emplace_back([task] { (*task)(); });
        }
        shared_->wake.notify_all();
        if (done.wait_for(timeout) != std::future_status::ready) {
            hung_ = true;
            return false;
        }
        result = done.get();  // rethrows what the job threw
        return true;
    }

private:
    struct Shared {
        std::mutex mutex;
        std::condition_variable wake;
        std::deque<std::function<void()>> jobs;
        bool stop = false;
    };

    static void run(Shared& shared)
    {
        sigset_t pipe;
        sigemptyset(&pipe);
        sigaddset(&pipe, SIGPIPE);
        pthread_sigmask(SIG_BLOCK, &pipe, nullptr);
        for (;;) {
            std::function<void()> job;
            {
                std::unique_lock lock(shared.mutex);
                shared.wake.wait(lock, [&] { return shared.stop || !shared.jobs.empty(); });
                if (shared.jobs.empty()) return;
                job = std::move(shared.jobs.front());
                shared.jobs.pop_front();
            }
            job();
        }
    }

    std::shared_ptr<Shared> shared_;
    std::thread thread_;
    bool hung_ = false;
};

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

// libgphoto2 hands out event data and storage lists allocated with malloc.
void free_c_memory(void* memory)
{
    std::free(memory);  // NOLINT(cppcoreguidelines-no-malloc,cppcoreguidelines-owning-memory): C API contract
}

// One open (or closed) libgphoto2 camera. Used only on its CameraThread.
class Gphoto2Session {
public:
    Gphoto2Session(DeviceInfo info, Gphoto2Address address, std::vector<Gphoto2Address> search, bool search_detected,
                   std::vector<std::pair<std::string, std::string>> settings)
        : info_(std::move(info)),
          address_(std::move(address)),
          search_(std::move(search)),
          search_detected_(search_detected),
          settings_(std::move(settings)),
          context_(gp_context_new())
    {
        gp_context_set_error_func(context_, &Gphoto2Session::on_error, this);
        gp_context_set_message_func(context_, &Gphoto2Session::on_error, this);
    }
    Gphoto2Session(const Gphoto2Session&) = delete;
    Gphoto2Session& operator=(const Gphoto2Session&) = delete;
    ~Gphoto2Session()
    {
        close();
        gp_context_unref(context_);
    }

    [[nodiscard]] const DeviceInfo& info() const { return info_; }

    // Opens the camera, at its address or, for one found by serial number, wherever
    // that serial number is now. Throws a fatal CaptureError.
    void open()
    {
        if (camera_ != nullptr) return;
        if (!opened_before_) {
            open_at(address_);
            opened_before_ = true;
            return;
        }
        std::string first_error;
        try {
            open_at(address_);
            return;
        } catch (const CaptureError& e) {
            if (search_.empty() && !search_detected_) throw;
            first_error = e.what();
        }
        // Replugged: a USB camera comes back on another port; find it by its serial number.
        std::vector<Gphoto2Address> candidates = search_detected_ ? Gphoto2Catalogue::instance().detect() : search_;
        for (const auto& candidate : candidates) {
            if (candidate.port == address_.port) continue;
            try {
                open_at(candidate);
                address_ = candidate;
                return;
            } catch (const CaptureError&) {
                // not this one: keep looking
            }
        }
        throw CaptureError(first_error + "; no other camera has serial number " + info_.serial, false);
    }

    // On a camera just opened the settings are applied already.
    void apply_settings()
    {
        if (camera_ == nullptr) return open();
        try {
            for (const auto& [name, value] : settings_) apply_setting(name, value);
        } catch (const CaptureError&) {
            close();
            throw;
        }
    }

    void close()
    {
        if (camera_ == nullptr) return;
        exit_camera(camera_, context_, address_.port);
        gp_camera_unref(camera_);
        camera_ = nullptr;
    }

    std::filesystem::path capture(const std::filesystem::path& stem)
    {
        open();
        drain_events();
        check_ready();
        CameraFilePath shot{};
        check(gp_camera_capture(camera_, GP_CAPTURE_IMAGE, &shot, context_), "capture");
        std::filesystem::path target = target_path(stem, shot.name);
        download(shot, target);
        // The picture is stored; a file left on the camera only costs card space.
        messages_.clear();
        gp_camera_file_delete(camera_, shot.folder, shot.name, context_);
        return target;
    }

    [[nodiscard]] std::string describe() const
    {
        std::string name = "camera " + (info_.id.empty() ? address_.model : info_.id);
        name += " (" + address_.model + (info_.serial.empty() ? "" : ", serial " + info_.serial) + " at " +
                address_.port + ")";
        return name;
    }

private:
    static void on_error(GPContext* /*context*/, const char* text, void* data)
    {
        auto* self = static_cast<Gphoto2Session*>(data);
        if (text == nullptr) return;
        if (!self->messages_.empty()) self->messages_ += "; ";
        self->messages_ += text;
    }

    void open_at(const Gphoto2Address& address)
    {
        messages_.clear();
        auto& catalogue = Gphoto2Catalogue::instance();
        const CameraAbilities abilities = catalogue.abilities(address.model);
        GPPortInfo port = catalogue.port(address.port);
        ::Camera* camera = nullptr;
        int rc = gp_camera_new(&camera);
        if (rc >= GP_OK) rc = gp_camera_set_abilities(camera, abilities);
        if (rc >= GP_OK) rc = gp_camera_set_port_info(camera, port);
        if (rc >= GP_OK) rc = gp_camera_init(camera, context_);
        if (rc < GP_OK) {
            if (camera != nullptr) gp_camera_unref(camera);
            throw CaptureError("cannot open " + address.model + " at " + address.port + ": " + explain(rc) +
                                   "; is it switched on, connected and not claimed by another program?",
                               false);
        }
        const std::string serial = read_serial(camera);
        if (!info_.serial.empty() && serial != info_.serial) {
            exit_camera(camera, context_, address.port);
            gp_camera_unref(camera);
            throw CaptureError(
                "the camera at " + address.port + " has serial number '" + serial + "', not '" + info_.serial + "'",
                false);
        }
        camera_ = camera;
        info_.serial = serial;
        if (info_.model.empty()) info_.model = address.model;
        prefer_capture_to_ram();
        apply_settings();  // on failure closed: reopened, and the settings tried again, on the next capture
    }

    void apply_setting(const std::string& name, const std::string& value)
    {
        messages_.clear();
        CameraWidget* widget = nullptr;
        if (gp_camera_get_single_config(camera_, name.c_str(), &widget, context_) < GP_OK) {
            throw CaptureError(describe() + ": has no setting '" + name + "'", false);
        }
        const std::unique_ptr<CameraWidget, decltype(&gp_widget_free)> owned(widget, &gp_widget_free);
        CameraWidgetType type = GP_WIDGET_TEXT;
        gp_widget_get_type(widget, &type);
        int rc = GP_OK;
        switch (type) {
            case GP_WIDGET_RADIO:
            case GP_WIDGET_MENU: {
                std::string offered;
                bool found = false;
                for (int i = 0; i < gp_widget_count_choices(widget); ++i) {
                    const char* choice = nullptr;
                    if (gp_widget_get_choice(widget, i, &choice) < GP_OK || choice == nullptr) continue;
                    found = found || value == choice;
                    offered += std::string(offered.empty() ? "" : ", ") + choice;
                }
                if (!found) {
                    throw CaptureError(
                        describe() + ": setting '" + name + "' cannot be '" + value + "' (offered: " + offered + ")",
                        false);
                }
                rc = gp_widget_set_value(widget, value.c_str());
                break;
            }
            case GP_WIDGET_TEXT: rc = gp_widget_set_value(widget, value.c_str()); break;
            case GP_WIDGET_RANGE: {
                float number = 0;
                float low = 0;
                float high = 0;
                float step = 0;
                gp_widget_get_range(widget, &low, &high, &step);
                try {
                    number = std::stof(value);
                } catch (const std::exception&) {
                    number = low - 1;  // reported as out of range below
                }
                if (number < low || number > high) {
                    throw CaptureError(describe() + ": setting '" + name + "' must be a number from " +
                                           std::to_string(low) + " to " + std::to_string(high) + ", not '" + value +
                                           "'",
                                       false);
                }
                rc = gp_widget_set_value(widget, &number);
                break;
            }
            case GP_WIDGET_TOGGLE: {
                const std::string v = base::ascii_lower(value);
                int on = (v == "1" || v == "on" || v == "true" || v == "yes") ? 1 : 0;
                rc = gp_widget_set_value(widget, &on);
                break;
            }
            default: throw CaptureError(describe() + ": setting '" + name + "' is not a value that can be set", false);
        }
        if (rc >= GP_OK) rc = gp_camera_set_single_config(camera_, name.c_str(), widget, context_);
        if (rc < GP_OK) {
            throw CaptureError(describe() + ": setting '" + name + "' to '" + value + "' failed: " + explain(rc),
                               false);
        }
    }

    std::string read_serial(::Camera* camera)
    {
        CameraWidget* widget = nullptr;
        std::string serial;
        if (gp_camera_get_single_config(camera, "serialnumber", &widget, context_) >= GP_OK) {
            const char* value = nullptr;
            if (gp_widget_get_value(widget, &value) >= GP_OK && value != nullptr) serial = value;
            gp_widget_free(widget);
        }
        return serial;
    }

    // Shots go to the camera's RAM where the driver offers it: nothing accumulates on
    // the card and the download starts sooner.
    void prefer_capture_to_ram()
    {
        CameraWidget* widget = nullptr;
        if (gp_camera_get_single_config(camera_, "capturetarget", &widget, context_) < GP_OK) return;
        for (int i = 0; i < gp_widget_count_choices(widget); ++i) {
            const char* choice = nullptr;
            if (gp_widget_get_choice(widget, i, &choice) >= GP_OK && choice != nullptr &&
                base::ascii_lower(choice).find("ram") != std::string::npos) {
                gp_widget_set_value(widget, choice);
                gp_camera_set_single_config(camera_, "capturetarget", widget, context_);
                break;
            }
        }
        gp_widget_free(widget);
    }

    // Events left over (a file added by the camera's own button, a property change)
    // would otherwise be taken for this capture's.
    void drain_events()
    {
        for (int i = 0; i < 100; ++i) {
            CameraEventType type = GP_EVENT_TIMEOUT;
            void* data = nullptr;
            const int rc = gp_camera_wait_for_event(camera_, 0, &type, &data, context_);
            free_c_memory(data);
            if (rc < GP_OK || type == GP_EVENT_TIMEOUT) return;
        }
    }

    // Asks for the storage before firing: a busy camera says so here, and a full or
    // missing card is reported before the shot rather than after it.
    void check_ready()
    {
        messages_.clear();
        CameraStorageInformation* storage = nullptr;
        int count = 0;
        const int rc = gp_camera_get_storageinfo(camera_, &storage, &count, context_);
        free_c_memory(storage);
        if (rc == GP_ERROR_NOT_SUPPORTED) return;
        check(rc, "storage check");
    }

    void download(const CameraFilePath& shot, const std::filesystem::path& target)
    {
        messages_.clear();
        try {
            base::AtomicFile file(target);
            const int fd = ::open(file.temp_path().c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC);
            if (fd < 0) {
                throw std::system_error(errno, std::generic_category(), "cannot open " + file.temp_path().string());
            }
            CameraFile* camera_file = nullptr;
            if (gp_file_new_from_fd(&camera_file, fd) < GP_OK) {
                ::close(fd);
                throw CaptureError(describe() + ": out of memory for the download", false);
            }
            // Streamed straight into the file; gp_file_unref closes the descriptor.
            const int rc =
                gp_camera_file_get(camera_, shot.folder, shot.name, GP_FILE_TYPE_NORMAL, camera_file, context_);
            gp_file_unref(camera_file);
            check(rc, std::string("download of ") + shot.folder + "/" + shot.name);
            file.commit();
        } catch (const std::system_error& e) {
            throw CaptureError(describe() + ": cannot store " + target.string() + ": " + e.what(), false);
        }
    }

    static std::filesystem::path target_path(const std::filesystem::path& stem, const std::string& camera_name)
    {
        const auto dot = camera_name.rfind('.');
        std::filesystem::path target = stem;
        target += dot == std::string::npos ? std::string(".jpg") : base::ascii_lower(camera_name.substr(dot));
        return target;
    }

    // Busy cameras and failed autofocus are worth a retry; anything else (gone,
    // claimed, broken protocol) closes the camera so the next capture reopens it.
    void check(int rc, const std::string& what)
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

    [[nodiscard]] std::string explain(int rc) const
    {
        std::string text = gp_result_as_string(rc);
        if (!messages_.empty()) text += " (" + messages_ + ")";
        return text;
    }

    DeviceInfo info_;
    Gphoto2Address address_;
    std::vector<Gphoto2Address> search_;
    bool search_detected_ = false;
    std::vector<std::pair<std::string, std::string>> settings_;
    bool opened_before_ = false;  // then a failed open searches for the serial number elsewhere
    GPContext* context_ = nullptr;
    ::Camera* camera_ = nullptr;
    std::string messages_;
};

// Where a camera is and how to find it again.
struct CameraPlace {
    Gphoto2Address address;
    std::vector<Gphoto2Address> search;  // candidates to look through for its serial number
    bool search_detected = false;        // or look through the autodetected cameras
};

class Gphoto2Camera final : public Camera {
public:
    Gphoto2Camera(DeviceInfo info, CameraPlace place, Gphoto2Options options)
        : info_(std::move(info)), place_(std::move(place)), options_(std::move(options))
    {
    }
    Gphoto2Camera(const Gphoto2Camera&) = delete;
    Gphoto2Camera& operator=(const Gphoto2Camera&) = delete;
    ~Gphoto2Camera() override
    {
        if (thread_ == nullptr || thread_->hung()) return;
        try {
            (void)on_camera_thread<bool>(
                [](Gphoto2Session& session) {
                    session.close();
                    return true;
                },
                std::chrono::seconds(10), "no answer while being closed");
        } catch (const std::exception&) {
            // nothing more to do for a camera that fails or does not answer while closing
        }
    }

    [[nodiscard]] const DeviceInfo& info() const override { return info_; }

    // Opens the camera on a fresh thread (fatal CaptureError if it cannot).
    void start()
    {
        session_ = std::make_shared<Gphoto2Session>(info_, place_.address, place_.search, place_.search_detected,
                                                    options_.settings);
        thread_ = std::make_unique<CameraThread>();
        (void)on_camera_thread<bool>(
            [](Gphoto2Session& session) {
                session.open();
                return true;
            },
            options_.capture_timeout, "no answer while being opened; power-cycle the camera");
        info_ = session_->info();
    }

    std::filesystem::path capture(const std::filesystem::path& stem) override
    {
        // A thread stuck inside libgphoto2 is left behind; the camera starts afresh.
        if (thread_->hung()) start();
        return on_camera_thread<std::filesystem::path>(
            [stem](Gphoto2Session& session) { return session.capture(stem); }, options_.capture_timeout,
            "no answer within " + std::to_string(options_.capture_timeout.count()) + " ms; power-cycle the camera");
    }

    void apply_settings() override
    {
        if (thread_->hung()) start();
        (void)on_camera_thread<bool>(
            [](Gphoto2Session& session) {
                session.apply_settings();
                return true;
            },
            options_.capture_timeout, "no answer while its settings were applied");
    }

private:
    // Runs `work` on the camera's own thread (every libgphoto2 call of a camera stays on
    // one thread) and returns its result. A camera that does not answer within `timeout`
    // is a fatal error, `silence` saying what it was doing; its thread is then left behind
    // as hung, so the job owns what it uses: it may finish long after this returned.
    template <typename Result>
    Result on_camera_thread(std::function<Result(Gphoto2Session&)> work, std::chrono::milliseconds timeout,
                            const std::string& silence)
    {
        Result result{};
        if (!thread_->run<Result>([session = session_, work = std::move(work)] { return work(*session); }, timeout,
                                  result)) {
            throw CaptureError(session_->describe() + ": " + silence, false);
        }
        return result;
    }

    DeviceInfo info_;
    CameraPlace place_;
    Gphoto2Options options_;
    std::shared_ptr<Gphoto2Session> session_;
    std::unique_ptr<CameraThread> thread_;
};

std::unique_ptr<Camera> start_camera(DeviceInfo info, CameraPlace place, const Gphoto2Options& options)
{
    if (info.type.empty()) info.type = "gphoto2";
    if (info.model.empty()) info.model = place.address.model;
    auto camera = std::make_unique<Gphoto2Camera>(std::move(info), std::move(place), options);
    camera->start();
    return camera;
}

}  // namespace

std::vector<Gphoto2Address> detect_gphoto2_cameras()
{
    return Gphoto2Catalogue::instance().detect();
}

std::unique_ptr<Camera> open_gphoto2_camera(DeviceInfo info, const Gphoto2Address& address,
                                            const Gphoto2Options& options)
{
    return start_camera(std::move(info), CameraPlace{address, {}, false}, options);
}

namespace {

// The first of `candidates` whose serial number is info.serial. A camera found among the
// autodetected ones looks among them again when it reopens; one found among given
// candidates, among those.
std::unique_ptr<Camera> first_with_serial(const DeviceInfo& info, const std::vector<Gphoto2Address>& candidates,
                                          bool autodetected, const Gphoto2Options& options)
{
    if (info.serial.empty()) throw CaptureError("finding a camera needs its serial number", false);
    std::vector<std::string> tried;
    for (const auto& candidate : candidates) {
        try {
            const auto search = autodetected ? std::vector<Gphoto2Address>{} : candidates;
            return start_camera(info, CameraPlace{candidate, search, autodetected}, options);
        } catch (const CaptureError& e) {
            tried.emplace_back(e.what());
        }
    }
    std::string message = "no camera with serial number " + info.serial +
                          (autodetected ? std::string(" is connected")
                                        : " found among " + std::to_string(candidates.size()) + " camera(s)");
    if (!tried.empty()) message += ": " + tried.front() + (tried.size() > 1 ? "; ..." : "");
    throw CaptureError(message, false);
}

}  // namespace

std::unique_ptr<Camera> find_gphoto2_camera(const DeviceInfo& info, const std::vector<Gphoto2Address>& candidates,
                                            const Gphoto2Options& options)
{
    return first_with_serial(info, candidates, false, options);
}

std::unique_ptr<Camera> find_gphoto2_camera(const DeviceInfo& info, const Gphoto2Options& options)
{
    return first_with_serial(info, detect_gphoto2_cameras(), true, options);
}

}  // namespace digikit::capture
