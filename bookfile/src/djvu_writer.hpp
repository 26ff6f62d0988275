#pragma once

#include <filesystem>
#include <optional>
#include <vector>

#include "digikit/bookfile/book_file.hpp"
#include "hocr.hpp"
#include "tool.hpp"

namespace digikit::bookfile {

// One page as a single-page DjVu in `work_dir` (named after the image), photo layer by
// c44 at `ppi`, hidden text from `text` (line and word boxes) set with djvused. Written
// atomically; an existing one is reused. `scratch_dir` holds the in-between files.
std::filesystem::path encode_djvu_page(const std::filesystem::path& image, const std::optional<OcrPage>& text, int ppi,
                                       const std::filesystem::path& work_dir, const std::filesystem::path& scratch_dir,
                                       const StopRequested& stop);

// Bundles the pages into one DjVu (djvm -c), sets the document's metadata, checks that
// djvused counts every page, and only then puts it at `out` (atomically).
void bundle_djvu(const std::vector<std::filesystem::path>& pages, const DocumentInfo& info,
                 const std::filesystem::path& out, const std::filesystem::path& scratch_dir, const StopRequested& stop);

}  // namespace digikit::bookfile
