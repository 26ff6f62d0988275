#include "digikit/base/atomic_file.hpp"
#include "digikit/base/read_file.hpp"

#include <gtest/gtest.h>

#include <fstream>

#include "temp_dir.hpp"

namespace digikit::base {
namespace {

std::size_t entries(const std::filesystem::path& dir)
{
    return static_cast<std::size_t>(std::distance(std::filesystem::directory_iterator(dir), {}));
}

TEST(AtomicFile, WritesTheWholeContentAndLeavesNoTemporary)
{
    testing::TempDir dir;
    write_file_atomically(dir / "a.txt", "first");
    write_file_atomically(dir / "a.txt", "second, longer");
    EXPECT_EQ(read_file(dir / "a.txt"), "second, longer");
    EXPECT_EQ(entries(dir.path()), 1U);
}

TEST(AtomicFile, UncommittedFileLeavesTargetUntouched)
{
    testing::TempDir dir;
    write_file_atomically(dir / "book.toml", "old");
    {
        AtomicFile file(dir / "book.toml");
        std::ofstream(file.temp_path()) << "half written";
        EXPECT_TRUE(is_atomic_temporary(file.temp_path()));
    }  // destroyed without commit: as if the writer failed
    EXPECT_EQ(read_file(dir / "book.toml"), "old");
    EXPECT_EQ(entries(dir.path()), 1U);
}

TEST(AtomicFile, CommitReplacesTarget)
{
    testing::TempDir dir;
    AtomicFile file(dir / "page.tif");
    std::ofstream(file.temp_path()) << "pixels";
    file.commit();
    EXPECT_EQ(read_file(dir / "page.tif"), "pixels");
    EXPECT_EQ(entries(dir.path()), 1U);
}

TEST(AtomicFile, FailureNamesThePath)
{
    testing::TempDir dir;
    try {
        write_file_atomically(dir / "missing" / "x.txt", "data");
        FAIL() << "expected an error";
    } catch (const std::system_error& error) {
        EXPECT_NE(std::string(error.what()).find("missing/x.txt"), std::string::npos) << error.what();
    }
}

TEST(AtomicFile, RecoveryRemovesOnlyTemporaries)
{
    testing::TempDir dir;
    write_file_atomically(dir / "keep.jpg", "photo");
    std::ofstream(dir / ".keep.jpg.tmp-AbC123") << "interrupted";
    std::ofstream(dir / ".hidden") << "not ours";
    EXPECT_EQ(remove_atomic_temporaries(dir.path()), 1U);
    EXPECT_TRUE(std::filesystem::exists(dir / "keep.jpg"));
    EXPECT_TRUE(std::filesystem::exists(dir / ".hidden"));
    EXPECT_FALSE(std::filesystem::exists(dir / ".keep.jpg.tmp-AbC123"));
}

}  // namespace
}  // namespace digikit::base
