#pragma once

#include <filesystem>
#include <vector>

#include "digikit/bookfile/book_file.hpp"

namespace digikit::bookfile {

// One page of the PDF: a one-page PDF made by Tesseract's renderer (image and invisible
// text), or, without OCR, the JPEG itself.
struct PdfPageSource {
    std::filesystem::path ocr_pdf;  // empty: no text layer
    std::filesystem::path jpeg;
};

// Joins the pages into one PDF with qpdf (the JPEG data copied as it is, never
// re-encoded), sets the document information and XMP metadata, checks the page count and
// puts the file at `out` atomically. The same pages give the same bytes.
void bundle_pdf(const std::vector<PdfPageSource>& pages, const DocumentInfo& info, const std::filesystem::path& out);

}  // namespace digikit::bookfile
