// Runs a fuzz target over files, as a regular test in the normal build: its seed corpus
// and every input a fuzzer once found (tests/fuzz/regressions/<target>/). A crash or an
// escaping exception fails the test, naming the file.
#include <cstdint>
#include <filesystem>
#include <iostream>
#include <vector>

#include "digikit/base/read_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv)
{
    std::size_t files = 0;
    for (int i = 1; i < argc; ++i) {
        std::error_code ec;
        for (const auto& entry : std::filesystem::directory_iterator(argv[i], ec)) {
            if (!entry.is_regular_file()) continue;
            const std::string bytes = digikit::base::read_file(entry.path());
            std::cerr << "replaying " << entry.path().string() << "\n";
            (void)LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
            ++files;
        }
    }
    std::cout << files << " input(s) replayed\n";
    return files > 0 ? 0 : 1;
}
