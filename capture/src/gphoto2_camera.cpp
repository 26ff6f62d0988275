// The gphoto2 camera as the kit sees it: a Camera whose every libgphoto2 call runs on a
// thread of its own (CameraThread), through one Session (gphoto2_session.cpp).
#include "digikit/capture/gphoto2_camera.hpp"

#include <functional>

#include "camera_thread.hpp"
#include "gphoto2_catalogue.hpp"
#include "gphoto2_session.hpp"

namespace digikit::capture {
namespace {

using gphoto2::CameraPlace;
using gphoto2::Session;

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
            on_camera_thread([](Session& session) { session.close(); }, std::chrono::seconds(10),
                             "no answer while being closed");
        } catch (const std::exception&) {
            // nothing more to do for a camera that fails or does not answer while closing
        }
    }

    [[nodiscard]] const DeviceInfo& info() const override { return info_; }

    // Opens the camera on a fresh thread (fatal CaptureError if it cannot).
    void start()
    {
        session_ = std::make_shared<Session>(info_, place_, options_.settings);
        thread_ = std::make_unique<CameraThread>();
        on_camera_thread([](Session& session) { session.open(); }, options_.capture_timeout,
                         "no answer while being opened; power-cycle the camera");
        info_ = session_->info();
    }

    std::filesystem::path capture(const std::filesystem::path& stem) override
    {
        // A thread stuck inside libgphoto2 is left behind; the camera starts afresh.
        if (thread_->hung()) start();
        return result_on_camera_thread<std::filesystem::path>(
            [stem](Session& session) { return session.capture(stem); }, options_.capture_timeout,
            "no answer within " + std::to_string(options_.capture_timeout.count()) + " ms; power-cycle the camera");
    }

    void apply_settings() override
    {
        if (thread_->hung()) start();
        on_camera_thread([](Session& session) { session.apply_settings(); }, options_.capture_timeout,
                         "no answer while its settings were applied");
    }

private:
    // Runs `work` on the camera's own thread and returns its result. A camera that does
    // not answer within `timeout` is a fatal error, `silence` saying what it was doing; its
    // thread is then left behind as hung, so the job owns what it uses (the session, its
    // result): it may finish long after this returned.
    template <typename Result>
    Result result_on_camera_thread(std::function<Result(Session&)> work, std::chrono::milliseconds timeout,
                                   const std::string& silence)
    {
        Result result{};
        if (!thread_->run<Result>([session = session_, work = std::move(work)] { return work(*session); }, timeout,
                                  result)) {
            throw CaptureError(session_->describe() + ": " + silence, false);
        }
        return result;
    }
    void on_camera_thread(std::function<void(Session&)> work, std::chrono::milliseconds timeout,
                          const std::string& silence)
    {
        (void)result_on_camera_thread<bool>(
            [work = std::move(work)](Session& session) {
                work(session);
                return true;
            },
            timeout, silence);
    }

    DeviceInfo info_;
    CameraPlace place_;
    Gphoto2Options options_;
    std::shared_ptr<Session> session_;
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
    return gphoto2::Catalogue::instance().detect();
}

std::unique_ptr<Camera> open_gphoto2_camera(DeviceInfo info, const Gphoto2Address& address,
                                            const Gphoto2Options& options)
{
    return start_camera(std::move(info), CameraPlace{address, {}, false}, options);
}

std::unique_ptr<Camera> find_gphoto2_camera(const DeviceInfo& info, const Gphoto2Options& options,
                                            const std::optional<std::vector<Gphoto2Address>>& candidates)
{
    if (info.serial.empty()) throw CaptureError("finding a camera needs its serial number", false);
    const bool autodetected = !candidates.has_value();
    const auto looked_at = autodetected ? detect_gphoto2_cameras() : *candidates;
    std::vector<std::string> tried;
    for (const auto& candidate : looked_at) {
        try {
            const auto search = autodetected ? std::vector<Gphoto2Address>{} : looked_at;
            return start_camera(info, CameraPlace{candidate, search, autodetected}, options);
        } catch (const CaptureError& e) {
            tried.emplace_back(e.what());
        }
    }
    std::string message = "no camera with serial number " + info.serial +
                          (autodetected ? std::string(" is connected")
                                        : " found among " + std::to_string(looked_at.size()) + " camera(s)");
    if (!tried.empty()) message += ": " + tried.front() + (tried.size() > 1 ? "; ..." : "");
    throw CaptureError(message, false);
}

}  // namespace digikit::capture
