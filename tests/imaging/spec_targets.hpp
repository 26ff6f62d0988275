#pragma once

#include <cstdio>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "accuracy_cases.hpp"

namespace digikit::imaging::testing {

// Scores of the pages of a photo set, against the SPEC's accuracy targets.
struct Tally {
    std::size_t pages = 0;
    std::size_t found = 0;
    std::vector<double> ious, corners, skews, matches;

    void add(const PageScore& score)
    {
        found += score.found ? 1 : 0;
        ious.push_back(score.iou);
        corners.push_back(score.corner_error);
        skews.push_back(score.skew_error);
    }

    [[nodiscard]] double mean_iou() const
    {
        double sum = 0;
        for (double v : ious) sum += v;
        return ious.empty() ? 0.0 : sum / static_cast<double>(ious.size());
    }

    // One line with every figure, for the test log.
    [[nodiscard]] std::string summary() const
    {
        char line[256];
        std::snprintf(line, sizeof line,
                      "pages %zu, found %zu (%.1f%%), mean IoU %.4f, corner error p95 %.4f, skew error median %.3f "
                      "p95 %.3f deg",
                      pages, found, pages ? 100.0 * static_cast<double>(found) / static_cast<double>(pages) : 0.0,
                      mean_iou(), percentile(corners, 0.95), percentile(skews, 0.5), percentile(skews, 0.95));
        return line;
    }
};

// At least 99% of pages found (IoU >= 0.9), mean IoU >= 0.98, 95th-percentile corner
// error <= 0.5% of the diagonal, skew error median <= 0.1 and p95 <= 0.3 degrees.
inline void expect_spec_targets(const Tally& tally)
{
    ASSERT_GT(tally.pages, 0u);
    ASSERT_FALSE(tally.ious.empty());
    EXPECT_GE(static_cast<double>(tally.found) / static_cast<double>(tally.pages), 0.99) << tally.summary();
    EXPECT_GE(tally.mean_iou(), 0.98) << tally.summary();
    EXPECT_LE(percentile(tally.corners, 0.95), 0.005) << tally.summary();
    EXPECT_LE(percentile(tally.skews, 0.5), 0.1) << tally.summary();
    EXPECT_LE(percentile(tally.skews, 0.95), 0.3) << tally.summary();
}

}  // namespace digikit::imaging::testing
