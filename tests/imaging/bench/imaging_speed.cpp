// Prints the imaging pipeline's speed on 24 MP photos: ms per stage and the floor ratio
// on one thread, the first look's ms, one photo's wall time on 2 threads (the speed-up
// inside one photo), then 2-thread throughput and peak RSS.
//   digikit_imaging_speed [photos=3] [width=6000 height=4000]
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "digikit/capture/page_photo_renderer.hpp"
#include "digikit/imaging/page_pipeline.hpp"
#include "page_finder.hpp"
#include "page_writer.hpp"
#include "photo_decoder.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using namespace digikit::imaging;

double ms_since(Clock::time_point start)
{
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

cv::Mat warp_to(const cv::Mat& full, const Quad& quad, cv::Size size)
{
    const std::array<cv::Point2f, 4> from{cv::Point2f(quad[0]), cv::Point2f(quad[1]), cv::Point2f(quad[2]),
                                          cv::Point2f(quad[3])};
    const auto w = static_cast<float>(size.width);
    const auto h = static_cast<float>(size.height);
    const std::array<cv::Point2f, 4> to{cv::Point2f(0, 0), cv::Point2f(w, 0), cv::Point2f(w, h), cv::Point2f(0, h)};
    cv::Mat page;
    cv::warpPerspective(full, page, cv::getPerspectiveTransform(from.data(), to.data()), size, cv::INTER_LINEAR,
                        cv::BORDER_REPLICATE);
    return page;
}

struct Times {
    double decode = 0, find = 0, warp = 0, tiff = 0, jpeg = 0, pipeline = 0, floor = 0, first_look = 0;
};

// The floor: decode, one warp of the page area, the same encodes; nothing else.
double floor_ms(const std::filesystem::path& photo, const std::vector<Quad>& quads, const std::filesystem::path& out)
{
    const auto start = Clock::now();
    const cv::Mat full = cv::imread(photo.string(), cv::IMREAD_COLOR);
    for (std::size_t i = 0; i < quads.size(); ++i) {
        const cv::Mat page = warp_to(full, quads[i], page_size(quads[i]));
        write_tiff_master(page, out / ("floor_" + std::to_string(i) + ".tif"), TiffCompression::deflate, 300);
        write_jpeg_access(page, out / ("floor_" + std::to_string(i) + ".jpg"), 92, 300);
    }
    return ms_since(start);
}

// How many cores this process gets right now (on a shared machine, often fewer than it
// has): the same busy loop on 1 and on 2 threads, work per thread fixed; 2.0 = two free cores.
double parallel_capacity()
{
    auto spin = [] {
        volatile double sum = 0;
        for (int i = 0; i < 100'000'000; ++i) sum = sum + 1e-9 * i;
    };
    auto start = Clock::now();
    spin();
    const double one = ms_since(start);
    start = Clock::now();
    {
        std::jthread other(spin);
        spin();
    }
    return 2 * one / ms_since(start);
}

// CPU time of this process so far, every thread counted.
double cpu_ms()
{
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    auto ms = [](const timeval& t) {
        return static_cast<double>(t.tv_sec) * 1000 + static_cast<double>(t.tv_usec) / 1000;
    };
    return ms(usage.ru_utime) + ms(usage.ru_stime);
}

// Runs `work` in a child process, so that the renderer's memory does not count; returns
// the child's peak RSS.
template <typename Work>
long peak_rss_kib_of(const Work& work, double& seconds)
{
    const auto start = Clock::now();
    const pid_t child = fork();
    if (child == 0) _exit(work() ? 0 : 1);
    int status = 0;
    rusage usage{};
    wait4(child, &status, 0, &usage);
    seconds = ms_since(start) / 1000;
    return usage.ru_maxrss;
}

}  // namespace

int main(int argc, char** argv)
{
    const int count = argc > 1 ? std::atoi(argv[1]) : 3;
    const int width = argc > 3 ? std::atoi(argv[2]) : 6000;
    const int height = argc > 3 ? std::atoi(argv[3]) : 4000;
    cv::setNumThreads(1);  // one thread: OpenCV's own pool off
    const auto dir = std::filesystem::temp_directory_path() / ("digikit-imaging-speed-" + std::to_string(getpid()));
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir / "out");
    std::vector<std::filesystem::path> photos;
    for (int i = 0; i < count; ++i) {
        digikit::capture::PagePhotoSpec spec;
        spec.seed = static_cast<std::uint64_t>(42 + i);
        spec.width = width;
        spec.height = height;
        const auto jpeg = digikit::capture::encode_camera_jpeg(digikit::capture::render_page_photo(spec).bgr);
        photos.push_back(dir / ("photo_" + std::to_string(i) + ".jpg"));
        std::ofstream(photos.back(), std::ios::binary)
            .write(reinterpret_cast<const char*>(jpeg.data()), static_cast<std::streamsize>(jpeg.size()));
    }
    std::printf("%d photos %dx%d, one thread (deflate TIFF + JPEG q92)\n", count, width, height);
    std::printf("%-8s %8s %8s %8s %8s %8s | %9s %8s %6s | %10s\n", "photo", "decode", "find", "warp", "tiff", "jpeg",
                "pipeline", "floor", "ratio", "first look");
    Times total;
    for (const auto& photo : photos) {
        Times t;
        // Stages, as process_photo runs them.
        auto start = Clock::now();
        const cv::Mat full = decode_photo(photo);
        t.decode = ms_since(start);
        start = Clock::now();
        const double scale = std::max(full.cols, full.rows) / 1000.0;
        cv::Mat reduced;
        cv::resize(full, reduced, cv::Size(), 1 / scale, 1 / scale, cv::INTER_AREA);
        const PageLayout layout = scale_layout(find_pages(reduced, {}), static_cast<double>(full.cols) / reduced.cols);
        std::vector<Quad> quads;
        for (const auto& page : layout.pages) quads.push_back(refine_quad(full, page, scale));
        t.find = ms_since(start);
        std::vector<cv::Mat> pages;
        start = Clock::now();
        for (const auto& quad : quads) pages.push_back(warp_to(full, quad, page_size(quad)));
        t.warp = ms_since(start);
        start = Clock::now();
        for (const auto& page : pages)
            write_tiff_master(page, dir / "out" / "stage.tif", TiffCompression::deflate, 300);
        t.tiff = ms_since(start);
        start = Clock::now();
        for (const auto& page : pages) write_jpeg_access(page, dir / "out" / "stage.jpg", 92, 300);
        t.jpeg = ms_since(start);
        pages.clear();

        start = Clock::now();
        const auto result = process_photo(photo, dir / "out", "bench", {});
        t.pipeline = ms_since(start);
        if (result.error) std::printf("error: %s\n", result.error->c_str());
        for (const auto& page : result.pages) {
            for (const auto& warning : page.warnings)
                std::printf("warning: %s %s\n", warning.c_str(), describe(page.checks).c_str());
        }
        t.floor = floor_ms(photo, quads, dir / "out");
        start = Clock::now();
        const FirstLook look = first_look(photo);
        t.first_look = ms_since(start);
        std::printf("%-8s %8.0f %8.0f %8.0f %8.0f %8.0f | %9.0f %8.0f %6.3f | %10.1f%s\n",
                    photo.stem().string().c_str(), t.decode, t.find, t.warp, t.tiff, t.jpeg, t.pipeline, t.floor,
                    t.pipeline / t.floor, t.first_look, look.pages_found > 0 ? "" : " (no page)");
        total.pipeline += t.pipeline;
        total.floor += t.floor;
        total.first_look += t.first_look;
    }
    std::printf("mean: pipeline %.0f ms, floor %.0f ms, ratio %.3f, first look %.1f ms\n", total.pipeline / count,
                total.floor / count, total.pipeline / total.floor, total.first_look / count);

    // Inside one photo: the whole pipeline on 1 and on 2 threads, alternating, best of 3
    // (other load on the machine only ever slows a run down), with the CPU time of each
    // run (every thread counted): the same on both shows that sharing out costs no work.
    std::printf("\nparallel capacity now: %.2f cores of 2\n", parallel_capacity());
    std::printf("one photo, 1 vs 2 threads (best of 3 each):\n%-8s %9s %9s %8s %9s %9s\n", "photo", "1 thread",
                "2 threads", "speedup", "CPU ms 1", "CPU ms 2");
    double best_one_total = 0;
    double best_two_total = 0;
    for (const auto& photo : photos) {
        double best_one = 1e18;
        double best_two = 1e18;
        double one_cpu = 0;
        double two_cpu = 0;
        for (int round = 0; round < 3; ++round) {
            for (const int threads : {1, 2}) {
                PipelineOptions options;
                options.threads = threads;
                const double cpu_start = cpu_ms();
                const auto start = Clock::now();
                const auto result = process_photo(photo, dir / "out", "threads", options);
                const double wall = ms_since(start);
                if (result.error) std::printf("error (%d threads): %s\n", threads, result.error->c_str());
                if (threads == 1 && wall < best_one) {
                    best_one = wall;
                    one_cpu = cpu_ms() - cpu_start;
                }
                if (threads == 2 && wall < best_two) {
                    best_two = wall;
                    two_cpu = cpu_ms() - cpu_start;
                }
            }
        }
        std::printf("%-8s %9.0f %9.0f %8.2f %9.0f %9.0f\n", photo.stem().string().c_str(), best_one, best_two,
                    best_one / best_two, one_cpu, two_cpu);
        best_one_total += best_one;
        best_two_total += best_two;
    }
    std::printf("mean: 1 thread %.0f ms, 2 threads %.0f ms, speedup %.2f; parallel capacity after: %.2f cores\n\n",
                best_one_total / count, best_two_total / count, best_one_total / best_two_total, parallel_capacity());

    // The daemon: photos one after the other as they arrive, each on 2 threads.
    double seconds = 0;
    long rss = peak_rss_kib_of(
        [&] {
            PipelineOptions two;
            two.threads = 2;
            for (const auto& photo : photos) {
                if (process_photo(photo, dir / "each", "each", two).error) return false;
            }
            return true;
        },
        seconds);
    std::printf("one photo at a time, 2 threads each: %zu photos in %.1f s = %.2f photos/s, peak RSS %.0f MB\n",
                photos.size(), seconds, static_cast<double>(photos.size()) / seconds, static_cast<double>(rss) / 1024);
    // A batch (digikit process): two photos at a time, one thread each.
    std::vector<std::filesystem::path> batch;
    for (int round = 0; round < 2; ++round) batch.insert(batch.end(), photos.begin(), photos.end());
    rss = peak_rss_kib_of(
        [&] {
            BatchOptions options;
            options.threads = 2;
            return process_batch(batch, dir / "batch", options).size() == batch.size();
        },
        seconds);
    std::printf("batch, 2 threads: %zu photos in %.1f s = %.2f photos/s, peak RSS %.0f MB\n", batch.size(), seconds,
                static_cast<double>(batch.size()) / seconds, static_cast<double>(rss) / 1024);
    std::filesystem::remove_all(dir);
    return 0;
}
