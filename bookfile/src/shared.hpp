#pragma once

// Small things several parts of the book-file writer need.

#include <leptonica/allheaders.h>

#include <string>
#include <string_view>

namespace digikit::bookfile {

struct PixDeleter {
    void operator()(Pix* pix) const { pixDestroy(&pix); }
};

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
