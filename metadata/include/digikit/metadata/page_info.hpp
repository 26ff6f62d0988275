#pragma once

#include <string>

namespace digikit::metadata {

// What one captured page adds to the book's metadata: where it sits in the book and how
// it was captured. Empty strings are simply not written.
struct PageInfo {
    std::string book_id;        // the books/<id> folder name
    int page_number = 0;        // 1-based position in the book (capture order)
    std::string camera_make;    // e.g. "Canon"
    std::string camera_model;   // e.g. "Canon EOS 2000D"
    std::string camera_serial;  // body serial number
    std::string capture_time;   // ISO 8601: "2026-11-21T04:31:05", optionally with "Z" or "+01:00"
};

}  // namespace digikit::metadata
