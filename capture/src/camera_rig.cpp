#include "digikit/capture/camera_rig.hpp"

#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <system_error>
#include <thread>

#include "digikit/base/atomic_file.hpp"

namespace digikit::capture {

// A thread kept ready per camera, so that firing costs a wake-up rather than a thread
// start, and all cameras are released by the same notification.
struct CameraRig::Shooter {
    std::mutex mutex;
    std::condition_variable wake;
    std::optional<std::filesystem::path> stem;  // a shot to take
    std::optional<std::filesystem::path> result;
    std::exception_ptr error;
    bool done = false;
    bool stop = false;
    std::thread thread;

    explicit Shooter(Camera& camera) : thread([this, &camera] { run(camera); }) {}
    Shooter(const Shooter&) = delete;
    Shooter& operator=(const Shooter&) = delete;
    ~Shooter()
    {
        {
            const std::lock_guard lock(mutex);
            stop = true;
        }
        wake.notify_all();
        thread.join();
    }

    void run(Camera& camera)
    {
        for (;;) {
            std::filesystem::path target;
            {
                std::unique_lock lock(mutex);
                wake.wait(lock, [this] { return stop || stem.has_value(); });
                if (stop) return;
                target = *stem;
                stem.reset();
            }
            std::optional<std::filesystem::path> path;
            std::exception_ptr failure;
            try {
                path = camera.capture(target);
            } catch (...) {
                failure = std::current_exception();
            }
            {
                const std::lock_guard lock(mutex);
                result = std::move(path);
                error = failure;
                done = true;
            }
            wake.notify_all();
        }
    }

    void fire(const std::filesystem::path& target)
    {
        {
            const std::lock_guard lock(mutex);
            stem = target;
            result.reset();
            error = nullptr;
            done = false;
        }
        wake.notify_all();
    }

    void wait()
    {
        std::unique_lock lock(mutex);
        wake.wait(lock, [this] { return done; });
    }
};

CameraRig::CameraRig(std::vector<std::unique_ptr<Camera>> cameras) : cameras_(std::move(cameras))
{
    if (cameras_.empty()) throw std::invalid_argument("a camera rig needs at least one camera");
    for (auto& camera : cameras_) shooters_.push_back(std::make_unique<Shooter>(*camera));
}

CameraRig::~CameraRig() = default;

std::vector<std::filesystem::path> CameraRig::capture(const std::vector<std::filesystem::path>& stems)
{
    if (stems.size() != cameras_.size()) {
        throw std::invalid_argument("a rig of " + std::to_string(cameras_.size()) +
                                    " cameras needs as many file stems, got " + std::to_string(stems.size()));
    }
    for (std::size_t i = 0; i < shooters_.size(); ++i) shooters_[i]->fire(stems[i]);
    for (auto& shooter : shooters_) shooter->wait();

    std::vector<std::filesystem::path> files;
    std::string failures;
    bool all_recoverable = true;
    for (std::size_t i = 0; i < shooters_.size(); ++i) {
        Shooter& shooter = *shooters_[i];
        if (shooter.error == nullptr) {
            files.push_back(*shooter.result);
            continue;
        }
        try {
            std::rethrow_exception(shooter.error);
        } catch (const CaptureError& e) {
            all_recoverable = all_recoverable && e.recoverable();
            failures += std::string(failures.empty() ? "" : "; ") + e.what();
        } catch (const std::exception& e) {
            all_recoverable = false;
            failures +=
                std::string(failures.empty() ? "" : "; ") + "camera " + cameras_[i]->info().id + ": " + e.what();
        }
    }
    if (failures.empty()) return files;

    // Half a spread is no spread: take back what the other cameras stored.
    for (const auto& file : files) {
        std::error_code ignored;
        std::filesystem::remove(file, ignored);
        try {
            base::fsync_directory(file.parent_path().empty() ? "." : file.parent_path());
        } catch (const std::system_error&) {
            // the removal stands either way; a power cut now could at worst bring it back
        }
    }
    throw CaptureError("rig shot failed, nothing kept: " + failures, all_recoverable);
}

}  // namespace digikit::capture
