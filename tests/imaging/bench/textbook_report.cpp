// The textbook OpenCV scanner run over photos, writing a report in the format of
// `digikit process --report` (one page per photo, never a warning: it does not doubt),
// so that the real-photo table scores it with the same score.py as digikit.
//   digikit_textbook_report REPORT.json PHOTO...
#include <chrono>
#include <fstream>
#include <iostream>

#include <nlohmann/json.hpp>
#include <opencv2/imgcodecs.hpp>

#include "textbook_scanner.hpp"

int main(int argc, char** argv)
{
    if (argc < 3) {
        std::cerr << "usage: digikit_textbook_report REPORT.json PHOTO...\n";
        return 2;
    }
    nlohmann::json images = nlohmann::json::array();
    double seconds = 0;
    for (int i = 2; i < argc; ++i) {
        const auto start = std::chrono::steady_clock::now();
        const cv::Mat photo = cv::imread(argv[i], cv::IMREAD_COLOR);
        nlohmann::json image{{"input", argv[i]}, {"error", nullptr}, {"pages", nlohmann::json::array()}};
        if (photo.empty()) {
            image["error"] = "cannot read the photo";
        } else if (const auto quad = digikit::imaging::testing::textbook_quad(photo)) {
            nlohmann::json corners = nlohmann::json::array();
            for (const auto& p : *quad) corners.push_back({p.x, p.y});
            image["pages"].push_back({{"quad", corners}, {"warnings", nlohmann::json::array()}});
        }
        seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
        images.push_back(image);
    }
    std::ofstream(argv[1]) << nlohmann::json{{"images", images}}.dump(1) << '\n';
    std::cout << "textbook scanner: " << (argc - 2) << " photos, " << seconds * 1000.0 / (argc - 2)
              << " ms per photo (decode + find)\n";
    return 0;
}
