#include "reading_turn.hpp"

#include <tesseract/baseapi.h>
#include <opencv2/imgproc.hpp>

#include <algorithm>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "order_statistics.hpp"

namespace digikit::imaging {
namespace {

// Judged at about 150 dpi for a book page, where Tesseract's orientation detection was
// measured on real pages (docs/benchmarks.md, "Which way up").
constexpr int judged_long_side = 1200;
constexpr int judged_dpi = 150;
// Print is this much darker than the paper around it (median over 31 px).
constexpr int ink_step = 25;
// Below this spread of the ink share, rows and columns alike, there is no print to read.
constexpr double no_print = 0.05;
// Lines of print run across when their rows vary this much more than the columns.
constexpr double sure_direction = 1.3;
// Tesseract's orientation confidence from which upright and upside down are told apart
// (book pages upright scored 10-21 at this size; its wrong answers, up to 4.5, came on
// a ticket with little print).
constexpr float sure_orientation = 5.0F;

// Median over four vertical strips of the row profile's spread (std / mean of the ink
// share per row), inside a 10% margin: lines of print make rows alternate between ink
// and gaps; strips keep two columns of print from averaging each other out.
double row_variation(const cv::Mat& ink)
{
    const cv::Mat inner = ink(cv::Rect(ink.cols / 10, ink.rows / 10, ink.cols - ink.cols / 5, ink.rows - ink.rows / 5));
    std::vector<double> spreads;
    constexpr int strips = 4;
    for (int k = 0; k < strips; ++k) {
        const cv::Mat strip = inner.colRange(k * inner.cols / strips, (k + 1) * inner.cols / strips);
        cv::Mat rows;
        cv::reduce(strip, rows, 1, cv::REDUCE_AVG, CV_64F);
        cv::Scalar mean;
        cv::Scalar deviation;
        cv::meanStdDev(rows, mean, deviation);
        if (mean[0] > 1e-4) spreads.push_back(deviation[0] / mean[0]);
    }
    return median(std::move(spreads));
}

bool is_written_in_columns(const std::string& script)
{
    // Tesseract's script names (osd.traineddata; Japanese and Korean are its combinations).
    for (const char* name : {"Han", "Hangul", "Hiragana", "Katakana", "Japanese", "Korean"}) {
        if (script == name) return true;
    }
    return false;
}

struct OrientationDetector {
    std::unique_ptr<tesseract::TessBaseAPI> api = std::make_unique<tesseract::TessBaseAPI>();
    bool ready = false;

    OrientationDetector()
    {
        // osd.traineddata (Debian: tesseract-ocr-osd); without it only the lines' direction is judged.
        ready = api->Init(nullptr, "osd", tesseract::OEM_TESSERACT_ONLY) == 0;
        api->SetVariable("debug_file", "/dev/null");  // no warnings on our stderr
        api->SetPageSegMode(tesseract::PSM_OSD_ONLY);
    }
    OrientationDetector(const OrientationDetector&) = delete;
    OrientationDetector& operator=(const OrientationDetector&) = delete;
    OrientationDetector(OrientationDetector&&) = delete;
    OrientationDetector& operator=(OrientationDetector&&) = delete;
    ~OrientationDetector() { api->End(); }

    // True with `upside_down` set when Tesseract is sure whether lines running across
    // read upright or upside down; `script` is the writing it saw.
    bool judge(const cv::Mat& grey, bool& upside_down, std::string& script)
    {
        if (!ready) return false;
        api->SetImage(grey.data, grey.cols, grey.rows, 1, static_cast<int>(grey.step));
        api->SetSourceResolution(judged_dpi);
        int degrees = 0;  // the clockwise turn the image has been given
        float confidence = 0;
        const char* script_name = nullptr;
        float script_confidence = 0;
        const bool found = api->DetectOrientationScript(&degrees, &confidence, &script_name, &script_confidence);
        api->Clear();
        script = found && script_name != nullptr ? script_name : "";
        if (!found || confidence < sure_orientation || degrees % 180 != 0) return false;
        upside_down = degrees == 180;
        return true;
    }
};

// One detector for every thread, taking turns: each Tesseract instance holds its OSD
// model (tens of MB), and the SPEC's 350 MB for two threads leaves room for one only.
bool judge_orientation(const cv::Mat& grey, bool& upside_down, std::string& script)
{
    static std::mutex turns;
    const std::lock_guard hold(turns);
    static OrientationDetector detector;  // made on first use
    return detector.judge(grey, upside_down, script);
}

}  // namespace

double line_direction_ratio(const cv::Mat& grey)
{
    cv::Mat paper;
    cv::medianBlur(grey, paper, 31);
    cv::Mat ink;
    cv::compare(paper - grey, ink_step, ink, cv::CMP_GT);
    ink.convertTo(ink, CV_32F, 1.0 / 255);
    const double across = row_variation(ink);
    const double along = row_variation(ink.t());
    if (std::max(across, along) < no_print) return 1;  // nothing printed runs either way
    return across / std::max(along, 1e-6);
}

ReadingTurn reading_turn(const cv::Mat& page)
{
    if (page.empty()) return {};
    const double scale = std::min(1.0, double{judged_long_side} / std::max(page.cols, page.rows));
    cv::Mat grey;
    cv::resize(page, grey, cv::Size(), scale, scale, cv::INTER_AREA);
    if (grey.channels() == 3) cv::cvtColor(grey, grey, cv::COLOR_BGR2GRAY);
    const double ratio = line_direction_ratio(grey);
    const bool across = ratio >= sure_direction;
    const bool along = ratio <= 1 / sure_direction;
    if (!across && !along) return {};
    ReadingTurn turn{along ? 90 : 0, false};
    if (along) cv::rotate(grey, grey, cv::ROTATE_90_CLOCKWISE);
    bool upside_down = false;
    std::string script;
    if (!judge_orientation(grey, upside_down, script)) return turn;
    // Chinese, Japanese and Korean are often written in columns: lines along the page
    // do not make it lie on its side.
    if (along && is_written_in_columns(script)) return {};
    turn.sure = true;
    if (upside_down) turn.degrees += 180;
    return turn;
}

}  // namespace digikit::imaging
