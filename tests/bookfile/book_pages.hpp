#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace digikit::bookfile::testing {

// A small book whose words are known: pages 1..count rendered by the capture renderer
// with real words (capture::page_words), flat (as the pipeline's access copies come
// out), written as JPEGs page_0001.jpg ... into `dir`.
std::vector<std::filesystem::path> write_known_word_pages(const std::filesystem::path& dir, int count);

// The output of a command-line reader (djvutxt, pdftotext, ...); fails the test unless
// it exits 0.
std::string read_with(const std::vector<std::string>& args);

// The share of `expected` words (each counted once per occurrence) found in `text`.
double share_found(const std::vector<std::string>& expected, const std::string& text);

}  // namespace digikit::bookfile::testing
