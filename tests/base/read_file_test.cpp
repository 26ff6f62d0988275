#include "digikit/base/read_file.hpp"

#include <gtest/gtest.h>

#include <system_error>

#include "digikit/base/atomic_file.hpp"
#include "temp_dir.hpp"

namespace digikit::base {
namespace {

TEST(ReadFile, ReturnsEveryByteIncludingNulAndHighBytes)
{
    testing::TempDir dir;
    const std::string bytes("a\0b\xff\r\n", 6);
    write_file_atomically(dir / "f.bin", bytes);
    EXPECT_EQ(read_file(dir / "f.bin"), bytes);
    EXPECT_EQ(read_file_if_exists(dir / "f.bin"), bytes);
}

TEST(ReadFile, ReadsAFileLargerThanOneChunk)
{
    testing::TempDir dir;
    std::string bytes(200 * 1024 + 7, 'x');
    bytes.back() = 'y';
    write_file_atomically(dir / "big", bytes);
    EXPECT_EQ(read_file(dir / "big"), bytes);
}

TEST(ReadFile, AnEmptyFileIsEmptyNotMissing)
{
    testing::TempDir dir;
    write_file_atomically(dir / "empty", "");
    EXPECT_EQ(read_file(dir / "empty"), "");
    EXPECT_EQ(read_file_if_exists(dir / "empty"), std::optional<std::string>(""));
}

TEST(ReadFile, AMissingFileThrowsNamingThePath)
{
    testing::TempDir dir;
    try {
        (void)read_file(dir / "none.toml");
        FAIL() << "read_file of a missing file returned";
    } catch (const std::system_error& error) {
        EXPECT_EQ(error.code(), std::errc::no_such_file_or_directory);
        EXPECT_NE(std::string(error.what()).find((dir / "none.toml").string()), std::string::npos) << error.what();
    }
    EXPECT_EQ(read_file_if_exists(dir / "none.toml"), std::nullopt);
}

TEST(ReadFile, AFolderIsAnErrorEvenWhereMissingIsFine)
{
    testing::TempDir dir;
    EXPECT_THROW((void)read_file(dir.path()), std::system_error);
    EXPECT_THROW((void)read_file_if_exists(dir.path()), std::system_error);
}

}  // namespace
}  // namespace digikit::base
