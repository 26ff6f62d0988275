#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "digikit/metadata/book_metadata.hpp"
#include "digikit/metadata/page_info.hpp"

namespace digikit::metadata {

// The XMP namespace digikit registers for what no standard schema covers (book id, page
// number, shelfmark); exiftool shows it as the group "XMP-digikit".
inline constexpr std::string_view xmp_namespace = "https://digikit.invalid/ns/xmp/1.0/";
inline constexpr std::string_view xmp_prefix = "digikit";

// Writes the book's and the page's metadata into a TIFF or JPEG file with exiv2:
//  XMP   dc:title, dc:creator, dc:description, dc:rights, dc:source, dc:language,
//        photoshop:Source, xmpRights:Marked/UsageTerms/WebStatement, cc:license,
//        cc:attributionName, tiff:Make/Model, exifEX:BodySerialNumber,
//        exif:DateTimeOriginal, digikit:BookId/PageNumber/Shelfmark/Wikidata/SourceUrl;
//  EXIF  Artist, Copyright, ImageDescription, Make, Model, BodySerialNumber,
//        DateTimeOriginal (+ OffsetTimeOriginal);
//  IPTC  By-line, CopyrightNotice, ObjectName, Source, Caption-Abstract (UTF-8; values
//        cut on a character boundary to the IIM lengths: 32, 128, 64, 32, 2000 bytes).
// EXIF and XMP carry the same values (Artist = the dc:creator list joined with "; ").
// Existing metadata of the file is kept; fields written here are replaced.
// The file is copied to an atomic temporary, edited there and renamed over the original,
// so a failure (or a power cut) leaves the original untouched; pixel data is not re-encoded.
// Throws MetadataError naming the file and the reason (invalid book metadata, an unknown
// licence, an unreadable image, a bad capture time).
void embed_metadata(const std::filesystem::path& image, const BookMetadata& book, const PageInfo& page);

// The one-line description written to EXIF ImageDescription, dc:description and IPTC
// Caption-Abstract, e.g. "Flora Danica (1761), page 12".
[[nodiscard]] std::string image_description(const BookMetadata& book, const PageInfo& page);

}  // namespace digikit::metadata
