// How long embedding takes for a page of realistic size (a 24-megapixel TIFF master and its
// JPEG access copy): the file is copied to a temporary, exiv2 rewrites the metadata and the
// copy is renamed over the original. Prints figures; never run as a test.
#include <benchmark/benchmark.h>
#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include <filesystem>

#include "digikit/metadata/embedding.hpp"
#include "temp_dir.hpp"

namespace {

using digikit::metadata::BookMetadata;
using digikit::metadata::PageInfo;

[[nodiscard]] BookMetadata sample_book()
{
    BookMetadata book;
    book.title = "Flora Danica";
    book.authors = {"Georg Christian Oeder"};
    book.date = "1761";
    book.institution = "Det Kongelige Bibliotek";
    book.license = "PD-old-100";
    return book;
}

void embed_into(benchmark::State& state, const std::string& extension)
{
    const digikit::testing::TempDir dir;
    const auto path = dir / ("page." + extension);
    cv::Mat page(4000, 6000, CV_8UC3);
    cv::randu(page, cv::Scalar::all(0), cv::Scalar::all(255));  // incompressible, like a worst-case scan
    cv::imwrite(path.string(), page);
    PageInfo info{.book_id = "flora",
                  .page_number = 1,
                  .camera_make = "Canon",
                  .camera_model = "EOS 2000D",
                  .camera_serial = "123",
                  .capture_time = "2026-11-21T05:00:00Z"};
    for (auto _ : state) {
        digikit::metadata::embed_metadata(path, sample_book(), info);
        ++info.page_number;
    }
    state.counters["MB"] = static_cast<double>(std::filesystem::file_size(path)) / 1e6;
}

void embed_tiff(benchmark::State& state)
{
    embed_into(state, "tif");
}
void embed_jpeg(benchmark::State& state)
{
    embed_into(state, "jpg");
}

BENCHMARK(embed_tiff)->Unit(benchmark::kMillisecond)->Iterations(10);
BENCHMARK(embed_jpeg)->Unit(benchmark::kMillisecond)->Iterations(20);

}  // namespace

BENCHMARK_MAIN();
