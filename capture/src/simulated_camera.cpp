#include "digikit/capture/simulated_camera.hpp"

#include <mutex>
#include <span>
#include <string>
#include <system_error>

#include "digikit/base/atomic_file.hpp"

namespace digikit::capture {
namespace {

std::uint64_t shot_seed(std::uint64_t seed, int page)
{
    // splitmix64 of (seed, page): each page of each book looks different.
    constexpr std::uint64_t golden = 0x9e3779b97f4a7c15U;
    std::uint64_t x = seed * golden;
    x += static_cast<std::uint32_t>(page);
    x = (x ^ (x >> 30U)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27U)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31U);
}

class SimulatedCamera final : public Camera {
public:
    SimulatedCamera(DeviceInfo info, SimulatedCameraSettings settings) : info_(std::move(info)), settings_(settings) {}

    [[nodiscard]] const DeviceInfo& info() const override { return info_; }

    std::filesystem::path capture(const std::filesystem::path& stem) override
    {
        int shot = 0;
        {
            const std::lock_guard lock(mutex_);
            shot = shots_++;
        }
        const PagePhotoSpec spec = spec_for_page(page_for_shot(shot));
        std::filesystem::path path = stem;
        path += ".jpg";
        try {
            const RenderedPhoto photo = render_page_photo(spec);
            const std::vector<std::uint8_t> jpeg = encode_camera_jpeg(photo.bgr);
            base::write_file_atomically(path, std::as_bytes(std::span(jpeg)));
        } catch (const std::exception& e) {
            throw CaptureError("simulated camera " + info_.id + ": cannot store " + path.string() + ": " + e.what(),
                               false);
        }
        return path;
    }

private:
    // A rig photographs spreads: the left camera sees pages 2, 4, ..., the right one
    // 3, 5, ...; a single camera sees every page from 1.
    [[nodiscard]] int page_for_shot(int shot) const
    {
        switch (info_.role) {
            case CameraRole::left: return 2 * shot + 2;
            case CameraRole::right: return 2 * shot + 3;
            case CameraRole::single: break;
        }
        return shot + 1;
    }

    [[nodiscard]] PagePhotoSpec spec_for_page(int page) const
    {
        PagePhotoSpec spec;
        spec.seed = shot_seed(settings_.seed, page);
        spec.width = settings_.width;
        spec.height = settings_.height;
        spec.first_page_number = page;
        spec.words = settings_.words;
        // A hand-placed book is never quite straight: 0.5 to 5 degrees.
        spec.rotation_deg = 0.5 + static_cast<double>(spec.seed % 1000U) / 1000.0 * 4.5;
        return spec;
    }

    DeviceInfo info_;
    SimulatedCameraSettings settings_;
    std::mutex mutex_;
    int shots_ = 0;
};

}  // namespace

std::unique_ptr<Camera> make_simulated_camera(DeviceInfo info, SimulatedCameraSettings settings)
{
    if (settings.width < 64 || settings.height < 64 ||
        static_cast<long long>(settings.width) * settings.height > 24'000'000LL) {
        throw std::invalid_argument("simulated camera " + info.id + ": size must be 64x64 .. 24 MP, got " +
                                    std::to_string(settings.width) + "x" + std::to_string(settings.height));
    }
    return std::make_unique<SimulatedCamera>(std::move(info), settings);
}

}  // namespace digikit::capture
