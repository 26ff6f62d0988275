#include "digikit/base/disk_space.hpp"

#include <gtest/gtest.h>
#include <sys/statvfs.h>

#include <cstdint>

#include "temp_dir.hpp"

namespace digikit::base {
namespace {

TEST(DiskSpace, IsWhatStatvfsGivesAnUnprivilegedWriter)
{
    const testing::TempDir dir;
    struct statvfs info {};
    ASSERT_EQ(::statvfs(dir.path().c_str(), &info), 0);
    const std::uintmax_t expected = std::uintmax_t{info.f_bavail} * info.f_frsize;
    const auto available = available_bytes(dir.path());
    ASSERT_TRUE(available.has_value());
    // Other processes write meanwhile: the two readings agree within 64 MB.
    const std::uintmax_t difference = *available > expected ? *available - expected : expected - *available;
    EXPECT_LE(difference, 64 * megabyte) << *available << " against " << expected;
}

TEST(DiskSpace, AFolderThatIsNotThereIsUnknownNotZero)
{
    const testing::TempDir dir;
    EXPECT_FALSE(available_bytes(dir.path() / "missing" / "folder").has_value());
}

TEST(DiskSpace, MegabytesAreWholeAndRoundedDown)
{
    EXPECT_EQ(whole_megabytes(0), 0);
    EXPECT_EQ(whole_megabytes(megabyte - 1), 0);
    EXPECT_EQ(whole_megabytes(3 * megabyte + 5), 3);
}

}  // namespace
}  // namespace digikit::base
