#include "digikit/base/exception_barrier.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace digikit::base {
namespace {

TEST(ExceptionBarrier, WorkThatFinishesReportsNothing)
{
    int runs = 0;
    std::string failure;
    EXPECT_TRUE(run_behind_barrier([&] { ++runs; }, [&](const std::string& what) { failure = what; }));
    EXPECT_EQ(runs, 1);
    EXPECT_EQ(failure, "");
}

TEST(ExceptionBarrier, AnyExceptionBecomesOneLine)
{
    std::string failure;
    const auto record = [&](const std::string& what) { failure = what; };
    EXPECT_FALSE(run_behind_barrier([] { throw std::runtime_error("disk gone\nsecond line"); }, record));
    EXPECT_EQ(failure, "disk gone second line");
    EXPECT_FALSE(run_behind_barrier([] { throw 42; }, record));
    EXPECT_EQ(failure, "unknown exception");
    EXPECT_FALSE(run_behind_barrier([] { throw std::bad_alloc(); }, record));
    EXPECT_EQ(failure, "std::bad_alloc");
}

TEST(ExceptionBarrier, AReportThatThrowsIsSwallowedToo)
{
    EXPECT_FALSE(run_behind_barrier([] { throw std::runtime_error("first"); },
                                    [](const std::string&) { throw std::runtime_error("the log disk is full"); }));
    EXPECT_FALSE(run_behind_barrier([] { throw std::runtime_error("no one listening"); }, {}));
}

}  // namespace
}  // namespace digikit::base
