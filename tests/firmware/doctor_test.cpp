// `digikit doctor` as a maintainer meets it on a freshly installed kit: the real binary,
// one line per thing to fix, exit 1 while anything is left to fix.
#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "command.hpp"
#include "full_unwinding.hpp"
#include "temp_dir.hpp"

namespace digikit::firmware {
namespace {

using testing::run_digikit;

std::vector<std::string> lines_starting(const std::string& text, const std::string& prefix)
{
    std::vector<std::string> found;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);) {
        if (line.starts_with(prefix)) found.push_back(line);
    }
    return found;
}

bool any_line_has(const std::vector<std::string>& lines, const std::string& part)
{
    return std::ranges::any_of(lines, [&](const std::string& line) { return line.find(part) != std::string::npos; });
}

// A kit with a simulated camera, credentials, and a wiki address nothing answers on
// (port 9 on loopback: the discard port, closed here).
void write_kit(const testing::TempDir& dir, mode_t credentials_mode, const std::string& extra = "")
{
    std::filesystem::create_directories(dir / "data");
    std::ofstream(dir / "credentials.toml")
        << "username = \"Kit@digikit\"\npassword = \"abcdefghijklmnopqrstuvw0123456\"\n";
    ::chmod((dir / "credentials.toml").c_str(), credentials_mode);
    std::ofstream(dir / "kit.toml") << "data_dir = \"" << (dir / "data").string() << "\"\n"
                                    << "[commons]\napi_url = \"http://127.0.0.1:9/w/api.php\"\n"
                                    << "credentials_file = \"" << (dir / "credentials.toml").string() << "\"\n"
                                    << "[[device]]\ntype = \"sim\"\nserial = \"SIM-1\"\nrole = \"single\"\n"
                                    << "width = 640\nheight = 480\n"
                                    << extra;
}

TEST(Doctor, AHealthyKitOfflineHasNothingToFix)
{
    testing::TempDir dir;
    write_kit(dir, 0600);
    const auto result = run_digikit({"--config", (dir / "kit.toml").string(), "doctor"});
    EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
    EXPECT_TRUE(lines_starting(result.out, "fix:").empty()) << result.out;
    // Being offline is normal while scanning: said, not counted as a fault.
    EXPECT_TRUE(any_line_has(lines_starting(result.out, "note:"), "not reachable")) << result.out;
    EXPECT_NE(result.out.find(" 0 to fix"), std::string::npos) << result.out;
}

TEST(Doctor, SaysWhatToFixOneLineEach)
{
    const testing::FullUnwinding unwinding;  // doctor looks for the gphoto2 camera
    testing::TempDir dir;
    write_kit(dir, 0644,
              "[[device]]\ntype = \"gphoto2\"\nserial = \"NOT-PLUGGED-IN\"\nrole = \"right\"\n"
              "[buttons]\ngpio_chip = \"gpiochip-digikit-absent\"\ncapture_line = \"GPIO17\"\n");
    std::filesystem::remove_all(dir / "data");
    const auto result = run_digikit({"--config", (dir / "kit.toml").string(), "doctor"});
    EXPECT_EQ(result.exit_code, 1) << result.out << result.err;
    const auto fixes = lines_starting(result.out, "fix:");
    EXPECT_TRUE(any_line_has(fixes, "chmod 600 " + (dir / "credentials.toml").string())) << result.out;
    EXPECT_TRUE(any_line_has(fixes, "data folder " + (dir / "data").string() + " does not exist")) << result.out;
    EXPECT_TRUE(any_line_has(fixes, "NOT-PLUGGED-IN")) << result.out;
    EXPECT_TRUE(any_line_has(fixes, "capture button")) << result.out;
    // The password never shows, whatever is wrong.
    EXPECT_EQ(result.out.find("abcdefghijklmnopqrstuvw0123456"), std::string::npos);
    EXPECT_NE(result.out.find(std::to_string(fixes.size()) + " to fix"), std::string::npos) << result.out;
}

}  // namespace
}  // namespace digikit::firmware
