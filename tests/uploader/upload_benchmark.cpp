// Upload throughput of `digikit sync` (CommonsClient + sync_queue) against mwclient
// (Debian python3-mwclient), the same batches to the same local MediaWiki in one run.
//   uploader_benchmark [ROUNDS]
// Build without sanitizers for figures (see docs/benchmarks.md).
#include "digikit/uploader/sync.hpp"

#include "temp_dir.hpp"
#include "test_wiki.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <memory>

namespace {

using digikit::testing::TempDir;
using namespace digikit::uploader;

struct Batch {
    const char* name;
    int files;
    int side;  // noise JPEG of side x side pixels
};

struct Totals {
    double seconds = 0;
    double bytes = 0;
};

std::uint32_t next_seed = 500000;

std::vector<std::filesystem::path> make_files(const TempDir& dir, const Batch& batch)
{
    std::vector<std::filesystem::path> files;
    for (int i = 0; i < batch.files; ++i) {
        files.push_back(dir / std::string("f").append(std::to_string(i)).append(".jpg"));
        testing::write_noise_jpeg(files.back(), next_seed++, batch.side, batch.side);
    }
    return files;
}

double run_digikit(const Batch& batch, int round, double& bytes)
{
    TempDir dir;
    const auto files = make_files(dir, batch);
    UploadQueue queue(dir / "digikit.sqlite");
    for (std::size_t i = 0; i < files.size(); ++i) {
        queue.enqueue(files[i],
                      "Bench digikit " + std::string(batch.name) + " r" + std::to_string(round) + " " +
                          std::to_string(i) + ".jpg",
                      "benchmark page");
        bytes += static_cast<double>(std::filesystem::file_size(files[i]));
    }
    const auto start = std::chrono::steady_clock::now();
    auto options = testing::test_client_options();
    options.chunk_size = 1 << 20;  // as mwclient: chunks of 1 MiB above 1 MiB
    options.chunked_threshold = 1 << 20;
    CommonsClient client(options);
    const auto summary = sync_queue(queue, client, {});
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start;
    if (!summary.complete() || summary.published != files.size()) {
        throw std::runtime_error("digikit sync did not publish the batch: " + summary.stopped_because);
    }
    return elapsed.count();
}

double run_mwclient(const Batch& batch, int round, double& bytes)
{
    TempDir dir;
    const auto files = make_files(dir, batch);
    {
        std::ofstream manifest(dir / "manifest.tsv");
        for (std::size_t i = 0; i < files.size(); ++i) {
            manifest << files[i].string() << "\tBench mwclient " << batch.name << " r" << round << " " << i << ".jpg\n";
            bytes += static_cast<double>(std::filesystem::file_size(files[i]));
        }
    }
    const auto& wiki = testing::test_wiki();
    ::setenv("MW_PASSWORD", wiki.password.c_str(), 1);  // not on the command line
    const std::string command = std::string(DIGIKIT_SOURCE_DIR) + "/scripts/mediawiki-mwclient-upload.py '" +
                                wiki.api_url + "' '" + wiki.username + "' '" + (dir / "manifest.tsv").string() + "'";
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(::popen(command.c_str(), "r"), &::pclose);
    std::string output;
    char buffer[4096];
    while (pipe && std::fgets(buffer, sizeof buffer, pipe.get()) != nullptr) {
        output += buffer;
    }
    const auto json = nlohmann::json::parse(output, nullptr, false);
    if (json.is_discarded() || !json.contains("seconds")) {
        throw std::runtime_error("mwclient run failed: " + output);
    }
    return json["seconds"].get<double>();
}

}  // namespace

int main(int argc, char** argv)
{
    try {
        const int rounds = argc > 1 ? std::atoi(argv[1]) : 2;
        const Batch batches[] = {{"plain", 20, 600}, {"chunked", 4, 1600}};
        std::cout << "wiki: " << testing::test_wiki().api_url << " (php -S, SQLite), " << rounds << " rounds\n";
        std::map<std::string, Totals> totals;
        for (int round = 0; round < rounds; ++round) {
            for (const auto& batch : batches) {
                // Alternate who goes first so that a warming or tiring server favours neither.
                for (int turn = 0; turn < 2; ++turn) {
                    const bool digikit_turn = (turn == 0) == (round % 2 == 0);
                    auto& total = totals[std::string(batch.name) + (digikit_turn ? " digikit" : " mwclient")];
                    total.seconds +=
                        digikit_turn ? run_digikit(batch, round, total.bytes) : run_mwclient(batch, round, total.bytes);
                }
            }
        }
        std::printf("%-18s %10s %10s %10s\n", "batch / tool", "MB", "seconds", "MB/s");
        for (const auto& [name, total] : totals) {
            std::printf("%-18s %10.2f %10.2f %10.2f\n", name.c_str(), total.bytes / 1e6, total.seconds,
                        total.bytes / 1e6 / total.seconds);
        }
        for (const auto& batch : batches) {
            const auto& ours = totals[std::string(batch.name) + " digikit"];
            const auto& theirs = totals[std::string(batch.name) + " mwclient"];
            std::printf("%s: digikit throughput / mwclient throughput = %.2f\n", batch.name,
                        (ours.bytes / ours.seconds) / (theirs.bytes / theirs.seconds));
        }
        return 0;
    } catch (const std::exception& error) {
        std::cerr << "uploader_benchmark: " << error.what() << "\n";
        return 1;
    }
}
