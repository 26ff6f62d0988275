#pragma once

// Small things several parts of the book-file writer need.

#include <leptonica/allheaders.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>

namespace digikit::bookfile {

struct PixDeleter {
    void operator()(Pix* pix) const { pixDestroy(&pix); }
};

// The whole file, "" when it cannot be read.
inline std::string read_file(const std::filesystem::path& file)
{
    std::ifstream in(file, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

// A djvused string: "text" with '"' and '\' escaped.
inline std::string djvu_string(std::string_view text)
{
    std::string out = "\"";
    for (const char c : text) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + '"';
}

}  // namespace digikit::bookfile
