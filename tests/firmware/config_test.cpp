#include "config.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "temp_dir.hpp"

namespace digikit::firmware {
namespace {

std::string error_of(const std::string& text)
{
    try {
        (void)parse_config(text, "/etc/digikit/digikit.toml");
    } catch (const ConfigError& error) {
        return error.what();
    }
    return "no error";
}

TEST(Config, EveryKeyHasADefault)
{
    const Config config = parse_config("", "empty.toml");
    EXPECT_EQ(config.data_dir, "/var/lib/digikit");
    EXPECT_EQ(config.metadata.license, "PD-old-70");
    EXPECT_EQ(config.commons.api_url, "https://commons.wikimedia.org/w/api.php");
    EXPECT_EQ(config.commons.upload, UploadFiles::jpeg);
    EXPECT_EQ(config.imaging.threads, 2);
    EXPECT_EQ(config.imaging.tiff_compression, imaging::TiffCompression::deflate);
    EXPECT_EQ(config.imaging.jpeg_quality, 92);
    EXPECT_EQ(config.imaging.split, imaging::SplitMode::automatic);
    EXPECT_TRUE(config.devices.empty());
}

TEST(Config, ReadsTheSpecExample)
{
    const Config config = parse_config(R"(
data_dir = "/srv/kit"
[metadata]
institution = "National Library of Example"
license = "CC0-1.0"
categories = ["Scans by the Example kit", "Books"]
[commons]
api_url = "http://127.0.0.1:8080/w/api.php"
credentials_file = "/etc/digikit/credentials.toml"
upload = "both"
[[device]]
type = "gphoto2"
serial = "0123456789"
role = "left"
[[device]]
type = "sim"
role = "right"
width = 800
height = 600
[imaging]
threads = 4
tiff_compression = "lzw"
tiff_level = 2
jpeg_quality = 85
split = "never"
[buttons]
)",
                                       "kit.toml");
    EXPECT_EQ(config.data_dir, "/srv/kit");
    EXPECT_EQ(config.metadata.institution, "National Library of Example");
    EXPECT_EQ(config.metadata.categories.size(), 2U);
    EXPECT_EQ(config.commons.upload, UploadFiles::both);
    ASSERT_EQ(config.devices.size(), 2U);
    EXPECT_EQ(config.devices[0].serial, "0123456789");
    EXPECT_EQ(config.devices[0].role, capture::CameraRole::left);
    EXPECT_EQ(config.devices[1].width, 800);
    EXPECT_EQ(config.imaging.threads, 4);
    EXPECT_EQ(config.imaging.tiff_compression, imaging::TiffCompression::lzw);
    EXPECT_EQ(config.imaging.tiff_level, 2);
    EXPECT_EQ(pipeline_options(config).tiff_level, 2);
    EXPECT_EQ(config.imaging.split, imaging::SplitMode::never);
}

TEST(Config, WrongTypeNamesFileLineKeyAndExpectation)
{
    EXPECT_EQ(error_of("[imaging]\nthreads = 2\njpeg_quality = \"high\"\n"),
              "/etc/digikit/digikit.toml:3: imaging.jpeg_quality: expected an integer from 1 to 100, got \"high\"");
}

TEST(Config, OutOfRangeValue)
{
    EXPECT_EQ(error_of("[imaging]\njpeg_quality = 101\n"),
              "/etc/digikit/digikit.toml:2: imaging.jpeg_quality: expected an integer from 1 to 100, got 101");
    EXPECT_EQ(error_of("[imaging]\ntiff_level = 13\n"),
              "/etc/digikit/digikit.toml:2: imaging.tiff_level: expected an integer from 1 to 12, got 13");
}

TEST(Config, BadChoiceListsTheChoices)
{
    EXPECT_EQ(error_of("[commons]\nupload = \"png\"\n"),
              "/etc/digikit/digikit.toml:2: commons.upload: expected one of both, jpeg, tiff, got \"png\"");
}

TEST(Config, UnknownKeyIsRejected)
{
    EXPECT_EQ(error_of("[imaging]\njpeg_qualty = 90\n"),
              "/etc/digikit/digikit.toml:2: imaging.jpeg_qualty: expected one of the known keys (this key is "
              "unknown), got 90");
}

TEST(Config, DeviceErrorsNameTheEntry)
{
    EXPECT_EQ(error_of("[[device]]\ntype = \"sim\"\n[[device]]\ntype = \"sim\"\nrole = \"middle\"\n"),
              "/etc/digikit/digikit.toml:5: device[1].role: expected one of left, right, single, got \"middle\"");
    EXPECT_NE(error_of("[[device]]\nrole = \"left\"\n").find("device[0].type"), std::string::npos);
}

TEST(Config, EachCameraHasAViewFromItsRoleAndAMounting)
{
    const auto config = parse_config(R"(
[[device]]
type = "sim"
role = "left"
[[device]]
type = "sim"
role = "right"
rotate = 270
[[device]]
type = "sim"
role = "single"
view = "spread"
rotate = 90
)",
                                     "kit.toml");
    ASSERT_EQ(config.devices.size(), 3U);
    EXPECT_EQ(device_view(config.devices[0]), imaging::PageView::left_page);
    EXPECT_EQ(config.devices[0].rotate, 0);
    EXPECT_EQ(device_view(config.devices[1]), imaging::PageView::right_page);
    EXPECT_EQ(config.devices[1].rotate, 270);
    EXPECT_EQ(device_view(config.devices[2]), imaging::PageView::spread);
    EXPECT_EQ(config.devices[2].rotate, 90);
    EXPECT_EQ(device_view(parse_config("[[device]]\ntype = \"sim\"\n", "kit.toml").devices[0]),
              imaging::PageView::automatic);
    // What the pipeline gets for each camera's photos.
    const auto by_role = camera_pipeline_options(config);
    EXPECT_EQ(by_role.at("left").view, imaging::PageView::left_page);
    EXPECT_EQ(by_role.at("right").view, imaging::PageView::right_page);
    EXPECT_EQ(by_role.at("right").rotate, 270);
    EXPECT_EQ(by_role.at("single").view, imaging::PageView::spread);
    EXPECT_EQ(by_role.at("single").rotate, 90);
}

TEST(Config, ViewAndRotateAreChecked)
{
    EXPECT_EQ(error_of("[[device]]\ntype = \"sim\"\nview = \"left\"\n"),
              "/etc/digikit/digikit.toml:3: device[0].view: expected one of auto, left-page, right-page, single, "
              "spread, got \"left\"");
    EXPECT_EQ(error_of("[[device]]\ntype = \"sim\"\nrotate = 45\n"),
              "/etc/digikit/digikit.toml:3: device[0].rotate: expected one of 0, 90, 180, 270, got 45");
    EXPECT_EQ(error_of("[[device]]\ntype = \"sim\"\nrotate = 360\n"),
              "/etc/digikit/digikit.toml:3: device[0].rotate: expected one of 0, 90, 180, 270, got 360");
    EXPECT_EQ(error_of("[[device]]\ntype = \"sim\"\nrotate = \"90\"\n"),
              "/etc/digikit/digikit.toml:3: device[0].rotate: expected one of 0, 90, 180, 270, got \"90\"");
}

TEST(Config, TwoDevicesNeverShareARoleOrASerial)
{
    EXPECT_EQ(error_of("[[device]]\ntype = \"sim\"\nrole = \"left\"\n\n[[device]]\ntype = \"sim\"\nrole = \"left\"\n"),
              "/etc/digikit/digikit.toml:7: device[1].role: \"left\" is also the role of device[0] (line 1); two "
              "devices never share a role or a serial");
    EXPECT_EQ(error_of("[[device]]\ntype = \"gphoto2\"\nserial = \"A1\"\nrole = \"left\"\n"
                       "[[device]]\ntype = \"gphoto2\"\nserial = \"A1\"\nrole = \"right\"\n"),
              "/etc/digikit/digikit.toml:7: device[1].serial: \"A1\" is also the serial of device[0] (line 1); two "
              "devices never share a role or a serial");
    // Both left out: two "single" devices.
    EXPECT_NE(error_of("[[device]]\ntype = \"sim\"\n[[device]]\ntype = \"sim\"\n").find("device[1].role: \"single\""),
              std::string::npos);
    EXPECT_NO_THROW(
        (void)parse_config("[[device]]\ntype = \"sim\"\nrole = \"left\"\n[[device]]\ntype = \"sim\"\n"
                           "role = \"right\"\n",
                           "kit.toml"));
}

TEST(Config, CameraSettingsKeepTheOrderWrittenAndAddressesAreForNetworkCameras)
{
    const auto config = parse_config(R"(
[[device]]
type = "gphoto2"
serial = "0123456789"
address = "ptpip:192.168.1.20"
[device.settings]
imageformat = "Large Fine JPEG"
iso = 200
shutterspeed = "1/60"
f-number = "f/8"
)",
                                     "kit.toml");
    ASSERT_EQ(config.devices.size(), 1U);
    EXPECT_EQ(config.devices[0].address, "ptpip:192.168.1.20");
    const std::vector<std::pair<std::string, std::string>> expected{
        {"imageformat", "Large Fine JPEG"}, {"iso", "200"}, {"shutterspeed", "1/60"}, {"f-number", "f/8"}};
    EXPECT_EQ(config.devices[0].settings, expected);

    EXPECT_EQ(error_of("[[device]]\ntype = \"gphoto2\"\nserial = \"1\"\naddress = \"usb:001,004\"\n"),
              "/etc/digikit/digikit.toml:4: device[0].address: expected a network camera's \"ptpip:HOST\" (gphoto2 "
              "only; USB cameras are found by serial number), got \"usb:001,004\"");
    EXPECT_NE(error_of("[[device]]\ntype = \"sim\"\nsettings = { iso = \"100\" }\n").find("device[0].settings"),
              std::string::npos);
    EXPECT_NE(error_of("[[device]]\ntype = \"gphoto2\"\nrole = \"left\"\n").find("device[0].serial"),
              std::string::npos);
    EXPECT_NE(error_of("[[device]]\ntype = \"gphoto2\"\nserial = \"1\"\nsettings = { iso = 1.5 }\n")
                  .find("device[0].settings.iso: expected a string or an integer"),
              std::string::npos);
}

TEST(Config, ButtonLinesAndFeedbackOutputsAreKeptByWhatTheyAre)
{
    const Config config = parse_config(
        "[buttons]\ncapture_line = \"GPIO17\"\nnew_book_line = \"22\"\n"
        "[feedback]\nleds = \"gpio\"\ngreen = \"GPIO5\"\nbuzzer = \"GPIO6\"\n",
        "kit.toml");
    const std::map<hardware::Button, std::string> lines{{hardware::Button::capture, "GPIO17"},
                                                        {hardware::Button::new_book, "22"}};
    EXPECT_EQ(config.buttons.gpio_lines, lines);
    const std::map<hardware::Output, std::string> outputs{{hardware::Output::green, "GPIO5"},
                                                          {hardware::Output::buzzer, "GPIO6"}};
    EXPECT_EQ(config.feedback.outputs, outputs);
    EXPECT_NE(error_of("[feedback]\nblue = \"GPIO7\"\n").find("feedback.blue"), std::string::npos);
}

TEST(Config, ConsoleListenIsHostAndPortOrOff)
{
    EXPECT_EQ(parse_config("", "empty.toml").console.listen, "127.0.0.1:8080");
    EXPECT_EQ(parse_config("[console]\nlisten = \"\"\n", "off.toml").console.listen, "");
    EXPECT_EQ(parse_config("[console]\nlisten = \"[::1]:9000\"\n", "v6.toml").console.listen, "[::1]:9000");
    for (const char* bad : {"8080", "127.0.0.1", "127.0.0.1:http", "127.0.0.1:70000", "::1:8080", ":8080"}) {
        EXPECT_EQ(error_of(std::string("[console]\nlisten = \"") + bad + "\"\n"),
                  std::string("/etc/digikit/digikit.toml:2: console.listen: expected \"HOST:PORT\" (e.g. "
                              "\"127.0.0.1:8080\") or \"\" for off, got \"") +
                      bad + "\"")
            << bad;
    }
}

TEST(Config, OnlyLoopbackAddressesAreLoopback)
{
    for (const char* host : {"127.0.0.1", "127.1.2.3", "::1", "localhost"}) {
        EXPECT_TRUE((ListenAddress{host, 80}.loopback())) << host;
    }
    for (const char* host : {"0.0.0.0", "192.168.1.20", "::", "127.example.org", "kit.local", ""}) {
        EXPECT_FALSE((ListenAddress{host, 80}.loopback())) << host;
    }
}

TEST(Config, InvalidTomlNamesTheLine)
{
    const std::string error = error_of("data_dir = \"/x\"\n[imaging\nthreads = 2\n");
    EXPECT_EQ(error.rfind("/etc/digikit/digikit.toml:2: not valid TOML: ", 0), 0U) << error;
}

TEST(Config, MissingFileIsAnErrorOnlyWhenNamed)
{
    testing::TempDir dir;
    EXPECT_EQ(load_config(dir / "none.toml", false).imaging.threads, 2);
    EXPECT_THROW((void)load_config(dir / "none.toml", true), ConfigError);
}

}  // namespace
}  // namespace digikit::firmware
