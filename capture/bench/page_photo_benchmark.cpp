// How fast the simulated camera's world is drawn: a 24 MP photo of a page or a spread,
// its JPEG encoding, and a whole simulated capture (render, encode, atomic write).
//   capture_benchmark --benchmark_min_time=2
#include <benchmark/benchmark.h>

#include <unistd.h>
#include <filesystem>

#include "digikit/capture/page_photo_renderer.hpp"
#include "digikit/capture/simulated_camera.hpp"

namespace {

using digikit::capture::PagePhotoSpec;
using digikit::capture::PhotoLayout;

void render_24mp(benchmark::State& state, PhotoLayout layout, bool illustration)
{
    PagePhotoSpec spec;  // 6000 x 4000 by default
    spec.layout = layout;
    spec.dark_illustration = illustration;
    for (auto _ : state) {
        ++spec.seed;
        benchmark::DoNotOptimize(digikit::capture::render_page_photo(spec));
    }
}
BENCHMARK_CAPTURE(render_24mp, single_page, PhotoLayout::single_page, false)->Unit(benchmark::kMillisecond);
BENCHMARK_CAPTURE(render_24mp, spread_with_illustration, PhotoLayout::spread, true)->Unit(benchmark::kMillisecond);

void encode_jpeg_24mp(benchmark::State& state)
{
    const auto photo = digikit::capture::render_page_photo(PagePhotoSpec{});
    for (auto _ : state) benchmark::DoNotOptimize(digikit::capture::encode_camera_jpeg(photo.bgr));
}
BENCHMARK(encode_jpeg_24mp)->Unit(benchmark::kMillisecond);

void simulated_capture_24mp(benchmark::State& state)
{
    const std::filesystem::path dir =
        std::filesystem::temp_directory_path() / ("capture-bench-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    auto camera = digikit::capture::make_simulated_camera({"sim", "sim", "Simulated", "SIM", {}}, {});
    int shot = 0;
    for (auto _ : state) benchmark::DoNotOptimize(camera->capture(dir / ("IMG_" + std::to_string(++shot))));
    std::filesystem::remove_all(dir);
}
BENCHMARK(simulated_capture_24mp)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
