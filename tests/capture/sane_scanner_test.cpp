#include "digikit/capture/sane_scanner.hpp"

#include "digikit/capture/device_discovery.hpp"

#include <gtest/gtest.h>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <dlfcn.h>

#include <cmath>
#include <cstdlib>
#include <optional>

#include "digikit/base/atomic_file.hpp"
#include "temp_dir.hpp"

namespace digikit::capture {
namespace {

// The real SANE 'test' backend, configured through SANE_CONFIG_DIR. SANE reads the
// configuration files each time it starts (when the first scanner opens) but takes the
// folder's path from the environment only once per process, so all tests of a process
// share one folder and rewrite the files in it.
class SaneTestBackend : public ::testing::Test {
protected:
    static void SetUpTestSuite()
    {
        shared_config_dir = std::make_unique<testing::TempDir>();
        // The test backend's reader thread leaks a buffer when a scan ends early; kept
        // loaded past sane_exit, its frames stay known and the leak can be suppressed.
        ::dlopen(DIGIKIT_SANE_TEST_BACKEND, RTLD_NOW | RTLD_NODELETE);
    }
    static void TearDownTestSuite() { shared_config_dir.reset(); }

    void SetUp() override
    {
        if (const char* old = std::getenv("SANE_CONFIG_DIR")) saved_ = old;
        configure("Default");
    }
    void TearDown() override
    {
        if (saved_) {
            ::setenv("SANE_CONFIG_DIR", saved_->c_str(), 1);
        } else {
            ::unsetenv("SANE_CONFIG_DIR");
        }
    }

    // `status` is what the backend's sane_read returns: "Default" or e.g. "SANE_STATUS_JAMMED".
    // `select_fd`: whether the backend offers a descriptor to wait for data on (most
    // scanners' backends do; the scanner waits on it for a scan's first bytes).
    void configure(const std::string& status, bool select_fd = true)
    {
        base::write_file_atomically(*shared_config_dir / "dll.conf", std::string_view("test\n"));
        const std::string test_conf =
            "number_of_devices 2\n"
            "test-picture \"Color pattern\"\n"
            "select-fd " +
            std::string(select_fd ? "true" : "false") +
            "\n"
            "read-status-code \"" +
            status + "\"\n";
        base::write_file_atomically(*shared_config_dir / "test.conf", std::string_view(test_conf));
        ::setenv("SANE_CONFIG_DIR", shared_config_dir->path().c_str(), 1);
    }

    static DeviceInfo scanner(const std::string& name) { return DeviceInfo{name, "", "", "", CameraRole::single}; }

    static int pixels(double mm, int dpi) { return static_cast<int>(mm / 25.4 * dpi); }

    static inline std::unique_ptr<testing::TempDir> shared_config_dir;
    testing::TempDir out_;
    std::optional<std::string> saved_;
};

std::size_t scanned_files_in(const std::filesystem::path& dir)
{
    return static_cast<std::size_t>(
        std::distance(std::filesystem::directory_iterator(dir), std::filesystem::directory_iterator()));
}

TEST_F(SaneTestBackend, ListsTheTestDevices)
{
    const auto devices = list_sane_devices();
    ASSERT_EQ(devices.size(), 2U);
    EXPECT_EQ(devices[0].name, "test:0");
    EXPECT_EQ(devices[1].name, "test:1");
    EXPECT_FALSE(devices[0].model.empty());
}

TEST_F(SaneTestBackend, ScansAtSeveralModesAndResolutions)
{
    struct Case {
        std::string mode;
        int dpi;
        int depth;
        int channels;
        int cv_depth;
    };
    // The test backend scans 80 x 100 mm by default.
    for (const Case& c : {Case{"Color", 50, 8, 3, CV_8U}, Case{"Gray", 100, 8, 1, CV_8U}, Case{"Gray", 75, 1, 1, CV_8U},
                          Case{"Color", 40, 16, 3, CV_16U}}) {
        SCOPED_TRACE(c.mode + " " + std::to_string(c.dpi) + " dpi " + std::to_string(c.depth) + " bit");
        auto device = open_sane_scanner(scanner("test:0"), {c.mode, c.dpi, c.depth, std::nullopt});
        EXPECT_EQ(device->info().type, "sane");
        const std::string stem = c.mode + std::to_string(c.dpi) + "_" + std::to_string(c.depth);
        const std::filesystem::path path = device->capture(out_ / stem);
        EXPECT_EQ(path, out_ / (stem + ".tif"));
        const cv::Mat image = cv::imread(path.string(), cv::IMREAD_UNCHANGED);
        ASSERT_FALSE(image.empty());
        EXPECT_EQ(image.channels(), c.channels);
        EXPECT_EQ(image.depth(), c.cv_depth);
        EXPECT_NEAR(image.cols, pixels(80, c.dpi), 1);
        EXPECT_NEAR(image.rows, pixels(100, c.dpi), 1);
        cv::Scalar mean, stddev;
        cv::meanStdDev(image, mean, stddev);
        EXPECT_GT(stddev[0], 1.0);  // the colour pattern, not a blank page
    }
    EXPECT_EQ(scanned_files_in(out_.path()), 4U);  // no temporary files left
}

TEST_F(SaneTestBackend, ScansTheAreaAsked)
{
    configure("Default", false);  // a backend without a descriptor to wait on: read at once
    auto device = open_sane_scanner(scanner("test:1"), {"Gray", 100, 0, ScanArea{10, 20, 40, 30}});
    const cv::Mat image = cv::imread(device->capture(out_ / "area").string(), cv::IMREAD_UNCHANGED);
    ASSERT_FALSE(image.empty());
    EXPECT_NEAR(image.cols, pixels(40, 100), 1);
    EXPECT_NEAR(image.rows, pixels(30, 100), 1);
}

TEST_F(SaneTestBackend, ScansAgainAfterEachScanIsClosed)
{
    auto device = open_sane_scanner(scanner("test:0"), {"Gray", 50, 0, std::nullopt});
    for (int i = 0; i < 3; ++i) EXPECT_TRUE(std::filesystem::exists(device->capture(out_ / std::to_string(i))));
}

TEST_F(SaneTestBackend, UnknownModeNamesTheAcceptedOnes)
{
    auto device = open_sane_scanner(scanner("test:0"), {"Infrared", 50, 0, std::nullopt});
    try {
        (void)device->capture(out_ / "x");
        FAIL() << "expected a CaptureError";
    } catch (const CaptureError& e) {
        EXPECT_FALSE(e.recoverable());
        EXPECT_NE(std::string(e.what()).find("Gray, Color"), std::string::npos) << e.what();
    }
}

TEST_F(SaneTestBackend, JammedScannerIsRecoverableAndKeepsNothing)
{
    configure("SANE_STATUS_JAMMED");
    auto device = open_sane_scanner(scanner("test:0"), {"Gray", 50, 0, std::nullopt});
    try {
        (void)device->capture(out_ / "jam");
        FAIL() << "expected a CaptureError";
    } catch (const CaptureError& e) {
        EXPECT_TRUE(e.recoverable()) << e.what();
        EXPECT_NE(std::string(e.what()).find("test:0"), std::string::npos) << e.what();
    }
    EXPECT_EQ(scanned_files_in(out_.path()), 0U);
}

TEST_F(SaneTestBackend, IoErrorIsFatalAndKeepsNothing)
{
    configure("SANE_STATUS_IO_ERROR");
    auto device = open_sane_scanner(scanner("test:1"), {"Color", 50, 0, std::nullopt});
    try {
        (void)device->capture(out_ / "io");
        FAIL() << "expected a CaptureError";
    } catch (const CaptureError& e) {
        EXPECT_FALSE(e.recoverable()) << e.what();
        EXPECT_NE(std::string(e.what()).find("test:1"), std::string::npos) << e.what();
    }
    EXPECT_EQ(scanned_files_in(out_.path()), 0U);
}

TEST_F(SaneTestBackend, MissingScannerIsFatal)
{
    try {
        (void)open_sane_scanner(scanner("test:7"));
        FAIL() << "expected a CaptureError";
    } catch (const CaptureError& e) {
        EXPECT_FALSE(e.recoverable());
        EXPECT_NE(std::string(e.what()).find("test:7"), std::string::npos) << e.what();
    }
}

TEST_F(SaneTestBackend, DiscoveryListsScannersAndOpensThemByName)
{
    std::vector<DeviceInfo> sane;
    for (const auto& device : discover_devices())
        if (device.type == "sane") sane.push_back(device);
    ASSERT_EQ(sane.size(), 2U);
    EXPECT_EQ(sane[0].id, "test:0");
    EXPECT_EQ(sane[0].serial, "test:0");
    auto scanner = open_device(sane[1]);
    EXPECT_EQ(scanner->info().id, "test:1");
    EXPECT_TRUE(std::filesystem::exists(scanner->capture(out_ / "page")));
    EXPECT_THROW((void)open_device(DeviceInfo{"x", "polaroid", "", "", CameraRole::single}), std::invalid_argument);
}

TEST(SaneScanner, RealScannerScans)
{
    if (std::getenv("SANE_CONFIG_DIR") != nullptr) {
        GTEST_SKIP() << "SANE_CONFIG_DIR is set: not looking for real scanners";
    }
    std::vector<SaneDevice> devices;
    for (const auto& d : list_sane_devices())
        if (d.name.rfind("test:", 0) != 0) devices.push_back(d);
    if (devices.empty()) GTEST_SKIP() << "no scanner attached (SANE lists none)";
    const testing::TempDir out;
    auto device =
        open_sane_scanner(DeviceInfo{devices.front().name, "", "", "", CameraRole::single}, {"Gray", 75, 0, {}});
    EXPECT_TRUE(std::filesystem::exists(device->capture(out / "page")));
}

}  // namespace
}  // namespace digikit::capture
