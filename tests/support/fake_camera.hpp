#pragma once
// The one stand-in camera the tests share: each test says what a shot does (write a black
// frame, fail as told, note the call and pass it to a simulated camera). For what no real
// or simulated device does on demand; anything else uses the simulated camera itself.

#include "digikit/capture/camera.hpp"

#include <filesystem>
#include <functional>
#include <utility>

namespace digikit::testing {

class FakeCamera final : public capture::Camera {
public:
    using Shot = std::function<std::filesystem::path(const std::filesystem::path& stem)>;

    // `on_settings` runs where a real camera would apply its settings again.
    FakeCamera(capture::DeviceInfo info, Shot shot, std::function<void()> on_settings = {})
        : info_(std::move(info)), shot_(std::move(shot)), on_settings_(std::move(on_settings))
    {
    }
    [[nodiscard]] const capture::DeviceInfo& info() const override { return info_; }
    std::filesystem::path capture(const std::filesystem::path& stem) override { return shot_(stem); }
    void apply_settings() override
    {
        if (on_settings_) on_settings_();
    }

private:
    capture::DeviceInfo info_;
    Shot shot_;
    std::function<void()> on_settings_;
};

}  // namespace digikit::testing
