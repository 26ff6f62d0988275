#pragma once
// What the daemon tests share: a kit in a folder of its own, configured with two
// simulated cameras, its daemon started with `digikit run`, and the CLI pointed at it.

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

// The two simulated cameras of a spread kit, each photo `width` x `height`.
struct SimulatedSpreadCameras {
    int width = 640;
    int height = 480;
    int right_seed = 7;  // the left camera keeps its default seed
};

class KitUnderTest : public ::testing::Test {
protected:
    // kit.toml: the data folder, then `settings` (TOML tables such as [metadata]), then
    // the cameras.
    void write_config(const std::string& settings = "", const SimulatedSpreadCameras& cameras = {})
    {
        const std::string size =
            "width = " + std::to_string(cameras.width) + "\nheight = " + std::to_string(cameras.height) + "\n";
        std::ofstream(config_) << "data_dir = \"" << data_.string() << "\"\n"
                               << settings << "[[device]]\ntype = \"sim\"\nrole = \"left\"\nserial = \"L\"\n"
                               << size << "[[device]]\ntype = \"sim\"\nrole = \"right\"\nserial = \"R\"\n"
                               << size << "seed = " << cameras.right_seed << "\n";
    }

    // Starts the daemon and waits until it answers, as the operator waits for the ready
    // light. A killed daemon leaves its socket file behind: wait for an answer, not the file.
    void start()
    {
        daemon_ = std::make_unique<testing::BackgroundProcess>(
            std::vector<std::string>{DIGIKIT_BINARY, "--config", config_.string(), "run"}, dir_ / "daemon.log");
        ASSERT_TRUE(testing::wait_until([&] { return digikit({"status"}).exit_code == 0; }, std::chrono::seconds(30)))
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
