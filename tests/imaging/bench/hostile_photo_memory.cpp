// Peak memory of decoding files made to exhaust it: OpenCV's imdecode of the whole file
// (what the pipeline did before) against decode_photo (header checked first, JPEG data
// errors fatal), each in a child process of its own so that each peak is its own.
// Usage: digikit_hostile_photo_memory [DIR]   (the files are written into DIR, default /tmp)
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include <opencv2/imgcodecs.hpp>

#include "../hostile_photos.hpp"
#include "digikit/base/read_file.hpp"
#include "photo_decoder.hpp"

namespace {

struct Run {
    long peak_kb = 0;
    std::string outcome;
};

// Runs `decode` in a child; its peak RSS and what it said (one line through a pipe).
Run in_child(const std::function<std::string()>& decode)
{
    int pipe_fds[2];
    if (::pipe(pipe_fds) != 0) return {};
    const pid_t pid = ::fork();
    if (pid == 0) {
        ::close(pipe_fds[0]);
        std::string said;
        try {
            said = decode();
        } catch (const std::exception& error) {
            said = std::string("refused: ") + error.what();
        }
        (void)::write(pipe_fds[1], said.data(), said.size());
        ::_exit(0);
    }
    ::close(pipe_fds[1]);
    Run run;
    char buffer[512];
    for (ssize_t n; (n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0;)
        run.outcome.append(buffer, static_cast<std::size_t>(n));
    ::close(pipe_fds[0]);
    int status = 0;
    rusage usage{};
    ::wait4(pid, &status, 0, &usage);
    run.peak_kb = usage.ru_maxrss;
    return run;
}

std::string describe(const cv::Mat& image)
{
    return image.empty() ? "no image" : "decoded " + std::to_string(image.cols) + "x" + std::to_string(image.rows);
}

}  // namespace

int main(int argc, char** argv)
{
    const std::filesystem::path dir = argc > 1 ? argv[1] : std::filesystem::temp_directory_path();
    const auto tiff = dir / "bomb-30000.tif";
    const auto webp = dir / "bomb-16383.webp";
    const auto jpeg = dir / "claims-14000.jpg";
    digikit::testing::write_tiff_bomb(tiff);
    digikit::testing::write_webp_bomb(webp);
    digikit::testing::write_jpeg_claiming(jpeg, 14000, 14000);
    std::printf("| file | size | OpenCV imdecode (before) | decode_photo (now) | ratio |\n|---|---|---|---|---|\n");
    for (const auto& file : {tiff, webp, jpeg}) {
        const Run before = in_child([&] {
            std::string bytes = digikit::base::read_file(file);
            return describe(
                cv::imdecode(cv::Mat(1, static_cast<int>(bytes.size()), CV_8U, bytes.data()), cv::IMREAD_COLOR));
        });
        const Run now = in_child([&] { return describe(digikit::imaging::decode_photo(file)); });
        std::printf("| %s | %ju bytes | %ld MB, %s | %ld MB, %s | %.1f |\n", file.filename().c_str(),
                    static_cast<std::uintmax_t>(std::filesystem::file_size(file)), before.peak_kb / 1024,
                    before.outcome.c_str(), now.peak_kb / 1024, now.outcome.c_str(),
                    static_cast<double>(before.peak_kb) / static_cast<double>(std::max(now.peak_kb, 1L)));
    }
    return 0;
}
