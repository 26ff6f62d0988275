#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace digikit::bookfile::testing {

// A printed page whose words are known: up to `lines` lines of real words in a book's
// type area (of each line, the first words of capture::page_words(number * 1000 + line)
// that fit), 10-point type at 300 ppi, on paper with grain, saved as the pipeline's
// access copies are (JPEG quality 92). Drawn directly, not photographed: quick even in a
// sanitizer build.
struct KnownWordPage {
    std::filesystem::path jpeg;
    std::vector<std::string> words;  // in reading order
};
KnownWordPage write_known_word_page(const std::filesystem::path& jpeg, int number, int width, int height, int lines);

// Pages 1..count as dir/page_0001.jpg ...
std::vector<KnownWordPage> write_known_word_pages(const std::filesystem::path& dir, int count, int width, int height,
                                                  int lines);

// The share of `expected` words (each counted once per occurrence) found in `text`.
double share_found(const std::vector<std::string>& expected, const std::string& text);

// One field of pdfinfo's "Key:   value" lines ("" when absent), whatever the padding.
std::string pdfinfo_field(const std::string& info, const std::string& key);

}  // namespace digikit::bookfile::testing
