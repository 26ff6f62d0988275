#pragma once
// What the daemon tests share: a kit in a folder of its own, configured with simulated
// cameras, its daemon started with `digikit run`, and the CLI pointed at it.

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "command.hpp"
#include "digikit/base/read_file.hpp"
#include "temp_dir.hpp"

namespace digikit::firmware {

// The simulated cameras of the kit, each photo `width` x `height`: a spread kit's left
// (serial L) and right (serial R) or, not `spread`, one camera (role single, serial S).
struct SimulatedCameras {
    int width = 640;
    int height = 480;
    int left_seed = 1;  // the left or single camera's
    int right_seed = 7;
    bool spread = true;
};

class KitUnderTest : public ::testing::Test {
protected:
    // kit.toml: the data folder, then `settings` (TOML tables such as [metadata]), then
    // the cameras.
    void write_config(const std::string& settings = "", const SimulatedCameras& cameras = {})
    {
        const auto device = [&cameras](const char* role, const char* serial, int seed) {
            return "[[device]]\ntype = \"sim\"\nrole = \"" + std::string(role) + "\"\nserial = \"" + serial +
                   "\"\nwidth = " + std::to_string(cameras.width) + "\nheight = " + std::to_string(cameras.height) +
                   "\nseed = " + std::to_string(seed) + "\n";
        };
        std::ofstream(config_) << "data_dir = \"" << data_.string() << "\"\n"
                               << settings
                               << (cameras.spread ? device("left", "L", cameras.left_seed) +
                                                        device("right", "R", cameras.right_seed)
                                                  : device("single", "S", cameras.left_seed));
    }

    // Starts the daemon and waits until it answers, as the operator waits for the ready
    // light. A killed daemon leaves its socket file behind: wait for an answer, not the file.
    // The limit is generous: a loaded machine may take long to start a sanitized daemon.
    void start()
    {
        daemon_ = std::make_unique<testing::BackgroundProcess>(
            std::vector<std::string>{testing::digikit_binary(), "--config", config_.string(), "run"},
            dir_ / "daemon.log");
        ASSERT_TRUE(testing::wait_until([&] { return digikit({"status"}).exit_code == 0; }, std::chrono::seconds(60)))
            << log();
    }

    // The CLI against this kit.
    testing::CommandResult digikit(std::vector<std::string> args) const
    {
        args.insert(args.begin(), {"--config", config_.string()});
        return testing::run_digikit(args);
    }

    [[nodiscard]] std::string log() const { return base::read_file_if_exists(dir_ / "daemon.log").value_or(""); }

    testing::TempDir dir_;
    std::filesystem::path data_ = dir_ / "data";
    std::filesystem::path config_ = dir_ / "kit.toml";
    std::unique_ptr<testing::BackgroundProcess> daemon_;
};

}  // namespace digikit::firmware
