// Which way up a page reads, from its print (imaging/src/reading_turn.cpp), on pages of
// real photographs: ../shared/real-photos beside the project, straightened by their
// hand-annotated corners.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "reading_turn.hpp"

namespace digikit::imaging {
namespace {

const std::filesystem::path real_photos = std::filesystem::path(DIGIKIT_SOURCE_DIR) / ".." / "shared" / "real-photos";

// The page of `file` straightened by its annotated corners (reading order: upright).
cv::Mat annotated_page(const std::string& file)
{
    std::ifstream in(real_photos / "truth.json");
    for (const auto& record : nlohmann::json::parse(in)) {
        if (record["file"] != file) continue;
        const auto& quad = record["pages"][0]["quad"];
        cv::Point2f corners[4];
        for (std::size_t k = 0; k < 4; ++k) corners[k] = {quad[k][0].get<float>(), quad[k][1].get<float>()};
        const auto width = static_cast<float>(cv::norm(corners[1] - corners[0]));
        const auto height = static_cast<float>(cv::norm(corners[3] - corners[0]));
        const cv::Point2f upright[4] = {{0, 0}, {width, 0}, {width, height}, {0, height}};
        cv::Mat page;
        cv::warpPerspective(cv::imread((real_photos / file).string()), page,
                            cv::getPerspectiveTransform(corners, upright), cv::Size(int(width), int(height)));
        return page;
    }
    return {};
}

class ReadingTurnOfRealPages : public testing::TestWithParam<std::string> {};

// Each page, given lying on each side and upside down, is turned back by the inverse turn.
TEST_P(ReadingTurnOfRealPages, IsTheTurnBackToUpright)
{
    if (!std::filesystem::exists(real_photos / "truth.json")) {
        GTEST_SKIP() << "no real photos at " << real_photos << " (../shared beside the project)";
    }
    const cv::Mat page = annotated_page(GetParam());
    ASSERT_FALSE(page.empty()) << GetParam() << " is not in truth.json";
    const std::pair<int, int> cases[] = {
        {-1, 0}, {cv::ROTATE_90_CLOCKWISE, 270}, {cv::ROTATE_180, 180}, {cv::ROTATE_90_COUNTERCLOCKWISE, 90}};
    for (const auto& [code, back] : cases) {
        cv::Mat given = page.clone();  // rotated apart: a 180 turn would be in place, into `page`
        if (code >= 0) cv::rotate(page, given, code);
        const ReadingTurn turn = reading_turn(given);
        EXPECT_TRUE(turn.sure) << GetParam() << " needing " << back;
        EXPECT_EQ(turn.degrees, back) << GetParam();
    }
}

// A Latin cookbook page held by hand, a Fraktur page in a cradle, a page shot upside
// down in a cradle (its annotated corners read it upright).
INSTANTIATE_TEST_SUITE_P(Pages, ReadingTurnOfRealPages,
                         testing::Values("pd_boston_cooking_a.jpg", "anyb_euler_orig_0.png", "bsw_IMG_0003.jpg"));

// No print, nothing to say: left as it is and not sure.
TEST(ReadingTurn, OfABlankSheetIsNoneAndUnsure)
{
    const cv::Mat blank(1400, 1000, CV_8UC3, cv::Scalar(200, 205, 210));
    const ReadingTurn turn = reading_turn(blank);
    EXPECT_FALSE(turn.sure);
    EXPECT_EQ(turn.degrees, 0);
}

// Lines of print across the page vary its rows; turned a quarter, its columns.
TEST(ReadingTurn, LinesOfPrintAcrossAndAlongAreToldApart)
{
    cv::Mat page(1200, 900, CV_8UC1, cv::Scalar(220));
    std::string words = "the quick brown fox jumps over the lazy dog and runs on into the wood, far away ";
    for (int y = 140; y < 1080; y += 36) {
        // Each line other words: the same line repeated would stack its letters into columns.
        std::rotate(words.begin(), words.begin() + 7, words.end());
        cv::putText(page, words.substr(0, 48), cv::Point(90, y), cv::FONT_HERSHEY_SIMPLEX, 0.85, cv::Scalar(40), 2);
    }
    EXPECT_GT(line_direction_ratio(page), 1.3);
    cv::Mat turned;
    cv::rotate(page, turned, cv::ROTATE_90_CLOCKWISE);
    EXPECT_LT(line_direction_ratio(turned), 1 / 1.3);
}

}  // namespace
}  // namespace digikit::imaging
