#include "digikit/metadata/embedding.hpp"

#include <exiv2/exiv2.hpp>

#include <array>
#include <mutex>
#include <optional>
#include <system_error>

#include "digikit/base/atomic_file.hpp"
#include "digikit/base/text.hpp"
#include "digikit/metadata/license_catalogue.hpp"
#include "text.hpp"

namespace digikit::metadata {

namespace {

// exiv2 0.28 returns std::unique_ptr; 0.27 returns std::auto_ptr, which we move into one.
#if EXIV2_TEST_VERSION(0, 28, 0)
using ImagePtr = Exiv2::Image::UniquePtr;
[[nodiscard]] ImagePtr open_image(const std::filesystem::path& path)
{
    return Exiv2::ImageFactory::open(path.string());
}
#else
using ImagePtr = std::unique_ptr<Exiv2::Image>;
[[nodiscard]] ImagePtr open_image(const std::filesystem::path& path)
{
    return ImagePtr(Exiv2::ImageFactory::open(path.string()).release());
}
#endif

// The XMP toolkit must be initialised once, before any thread uses it; our namespace is
// registered at the same time.
void initialise_xmp()
{
    static std::once_flag once;
    std::call_once(once, [] {
        Exiv2::XmpParser::initialize();
        Exiv2::XmpProperties::registerNs(std::string(xmp_namespace), std::string(xmp_prefix));
        // Creative Commons' rights schema is not built into exiv2.
        Exiv2::XmpProperties::registerNs("http://creativecommons.org/ns#", "cc");
        Exiv2::LogMsg::setLevel(Exiv2::LogMsg::error);
    });
}

// Cuts `text` to at most `max_bytes` bytes without splitting a UTF-8 sequence (the IIM
// datasets have fixed maximum lengths).
[[nodiscard]] std::string cut_utf8(std::string_view text, std::size_t max_bytes)
{
    std::size_t end = 0;
    while (end < text.size()) {
        const std::size_t length = std::max<std::size_t>(1, detail::utf8_sequence_length(text, end));
        if (end + length > max_bytes) {
            break;
        }
        end += length;
    }
    return std::string(text.substr(0, end));
}

// ISO 8601 capture time split into the EXIF forms: "YYYY:MM:DD HH:MM:SS" and "+HH:MM".
struct CaptureTime {
    std::string iso;
    std::string exif;
    std::string offset;
};

[[nodiscard]] std::optional<CaptureTime> parse_capture_time(std::string_view text)
{
    if (text.empty()) {
        return std::nullopt;
    }
    const auto digits_at = [&](std::size_t pos, std::size_t count) {
        for (std::size_t i = pos; i < pos + count; ++i) {
            if (i >= text.size() || text[i] < '0' || text[i] > '9') {
                return false;
            }
        }
        return true;
    };
    const bool shape_ok = text.size() >= 19 && digits_at(0, 4) && text[4] == '-' && digits_at(5, 2) && text[7] == '-' &&
                          digits_at(8, 2) && (text[10] == 'T' || text[10] == ' ') && digits_at(11, 2) &&
                          text[13] == ':' && digits_at(14, 2) && text[16] == ':' && digits_at(17, 2);
    const std::string_view zone = shape_ok ? text.substr(19) : std::string_view{};
    const bool zone_ok = zone.empty() || zone == "Z" ||
                         (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && digits_at(20, 2) &&
                          zone[3] == ':' && digits_at(23, 2));
    if (!shape_ok || !zone_ok) {
        throw MetadataError("capture_time: '" + std::string(text) +
                            "' is not an ISO 8601 time (YYYY-MM-DDTHH:MM:SS, optionally Z or +HH:MM)");
    }
    CaptureTime time;
    time.iso = std::string(text.substr(0, 10)) + "T" + std::string(text.substr(11));
    time.exif = std::string(text.substr(0, 4)) + ":" + std::string(text.substr(5, 2)) + ":" +
                std::string(text.substr(8, 2)) + " " + std::string(text.substr(11, 8));
    time.offset = zone == "Z" ? "+00:00" : std::string(zone);
    return time;
}

// Removes a property with its array items and qualifiers.
void erase_xmp(Exiv2::XmpData& xmp, const std::string& key)
{
    for (auto it = xmp.findKey(Exiv2::XmpKey(key)); it != xmp.end(); it = xmp.findKey(Exiv2::XmpKey(key))) {
        xmp.eraseFamily(it);
    }
}

// XMP setters that never reinterpret the text: exiv2's string parsers treat a leading
// "type=" or "lang=" as a keyword, so a title starting with those words would be mangled.
void set_xmp_text(Exiv2::XmpData& xmp, const std::string& key, const std::string& text)
{
    erase_xmp(xmp, key);
    if (text.empty()) {
        return;
    }
    Exiv2::XmpTextValue value;
    value.value_ = text;
    xmp.add(Exiv2::XmpKey(key), &value);
}

void set_xmp_lang_alt(Exiv2::XmpData& xmp, const std::string& key, const std::string& text)
{
    erase_xmp(xmp, key);
    if (text.empty()) {
        return;
    }
    Exiv2::LangAltValue value;
    value.value_["x-default"] = text;
    xmp.add(Exiv2::XmpKey(key), &value);
}

void set_xmp_seq(Exiv2::XmpData& xmp, const std::string& key, const std::vector<std::string>& items)
{
    erase_xmp(xmp, key);
    if (items.empty()) {
        return;
    }
    Exiv2::XmpArrayValue value(Exiv2::xmpSeq);
    for (const auto& item : items) {
        value.read(item);
    }
    xmp.add(Exiv2::XmpKey(key), &value);
}

void set_exif_ascii(Exiv2::ExifData& exif, const std::string& key, const std::string& text)
{
    if (const auto it = exif.findKey(Exiv2::ExifKey(key)); it != exif.end()) {
        exif.erase(it);
    }
    if (!text.empty()) {
        exif[key] = text;  // an AsciiValue; UTF-8 bytes are kept as they are
    }
}

// IIM datasets: UTF-8 declared once in the envelope, each value cut to its length limit.
void set_iptc(Exiv2::IptcData& iptc, const std::string& key, const std::vector<std::string>& values,
              std::size_t max_bytes)
{
    while (true) {
        const auto it = iptc.findKey(Exiv2::IptcKey(key));
        if (it == iptc.end()) {
            break;
        }
        iptc.erase(it);
    }
    for (const auto& text : values) {
        if (text.empty()) {
            continue;
        }
        Exiv2::StringValue value(cut_utf8(text, max_bytes));
        iptc.add(Exiv2::IptcKey(key), &value);
    }
}

struct Fields {
    std::string title;
    std::vector<std::string> creators;
    std::string description;
    std::string rights;
    std::string source;
    const License* license = nullptr;
    std::optional<CaptureTime> time;
};

void write_xmp(Exiv2::XmpData& xmp, const BookMetadata& book, const PageInfo& page, const Fields& f)
{
    set_xmp_lang_alt(xmp, "Xmp.dc.title", f.title);
    set_xmp_seq(xmp, "Xmp.dc.creator", f.creators);
    set_xmp_lang_alt(xmp, "Xmp.dc.description", f.description);
    set_xmp_lang_alt(xmp, "Xmp.dc.rights", f.rights);
    set_xmp_text(xmp, "Xmp.dc.source", f.source);
    set_xmp_text(xmp, "Xmp.photoshop.Source", f.source);
    if (!book.language.empty()) {
        erase_xmp(xmp, "Xmp.dc.language");
        Exiv2::XmpArrayValue language(Exiv2::xmpBag);
        language.read(book.language);
        xmp.add(Exiv2::XmpKey("Xmp.dc.language"), &language);
    }
    if (f.license != nullptr) {
        set_xmp_text(xmp, "Xmp.xmpRights.Marked", f.license->xmp_marked ? "True" : "False");
        set_xmp_lang_alt(xmp, "Xmp.xmpRights.UsageTerms", std::string(f.license->usage_terms));
        set_xmp_text(xmp, "Xmp.xmpRights.WebStatement", std::string(f.license->web_statement));
        set_xmp_text(xmp, "Xmp.cc.license", std::string(f.license->license_url));
    }
    set_xmp_text(xmp, "Xmp.cc.attributionName", base::joined(f.creators, "; "));
    set_xmp_text(xmp, "Xmp.tiff.Make", page.camera_make);
    set_xmp_text(xmp, "Xmp.tiff.Model", page.camera_model);
    set_xmp_text(xmp, "Xmp.exifEX.BodySerialNumber", page.camera_serial);
    set_xmp_text(xmp, "Xmp.exif.DateTimeOriginal", f.time ? f.time->iso : std::string());
    const std::string ns = "Xmp." + std::string(xmp_prefix) + ".";
    set_xmp_text(xmp, ns + "BookId", page.book_id);
    set_xmp_text(xmp, ns + "PageNumber", page.page_number > 0 ? std::to_string(page.page_number) : std::string());
    set_xmp_text(xmp, ns + "Shelfmark", book.shelfmark);
    set_xmp_text(xmp, ns + "Wikidata", book.wikidata);
    set_xmp_text(xmp, ns + "SourceUrl", book.source_url);
    set_xmp_text(xmp, ns + "License", book.license);
}

void write_exif(Exiv2::ExifData& exif, const PageInfo& page, const Fields& f)
{
    set_exif_ascii(exif, "Exif.Image.Artist", base::joined(f.creators, "; "));
    set_exif_ascii(exif, "Exif.Image.Copyright", f.rights);
    set_exif_ascii(exif, "Exif.Image.ImageDescription", f.description);
    set_exif_ascii(exif, "Exif.Image.Make", page.camera_make);
    set_exif_ascii(exif, "Exif.Image.Model", page.camera_model);
    set_exif_ascii(exif, "Exif.Photo.BodySerialNumber", page.camera_serial);
    set_exif_ascii(exif, "Exif.Photo.DateTimeOriginal", f.time ? f.time->exif : std::string());
    set_exif_ascii(exif, "Exif.Photo.OffsetTimeOriginal", f.time ? f.time->offset : std::string());
}

void write_iptc(Exiv2::IptcData& iptc, const Fields& f)
{
    set_iptc(iptc, "Iptc.Envelope.CharacterSet", {"\x1B%G"}, 32);  // ISO 2022 escape for UTF-8
    set_iptc(iptc, "Iptc.Application2.Byline", f.creators, 32);
    set_iptc(iptc, "Iptc.Application2.ObjectName", {f.title}, 64);
    set_iptc(iptc, "Iptc.Application2.Copyright", {f.rights}, 128);
    set_iptc(iptc, "Iptc.Application2.Source", {f.source}, 32);
    set_iptc(iptc, "Iptc.Application2.Caption", {f.description}, 2000);
}

[[nodiscard]] Fields fields_for(const BookMetadata& book, const PageInfo& page)
{
    validate(book);
    Fields f;
    f.title = book.title;
    f.creators = book.authors;
    f.description = image_description(book, page);
    f.license = book.license.empty() ? nullptr : find_license(book.license);
    f.rights = f.license != nullptr ? copyright_notice(*f.license, book.authors) : std::string();
    f.source = book.institution;
    f.time = parse_capture_time(page.capture_time);
    for (const auto& [name, value] :
         std::array<std::pair<std::string_view, const std::string*>, 4>{{{"book_id", &page.book_id},
                                                                         {"camera_make", &page.camera_make},
                                                                         {"camera_model", &page.camera_model},
                                                                         {"camera_serial", &page.camera_serial}}}) {
        if (!detail::is_valid_utf8(*value) ||
            value->find_first_of(std::string_view("\0\n\r", 3)) != std::string::npos) {
            throw MetadataError(std::string(name) + ": not one line of UTF-8 text");
        }
    }
    return f;
}

}  // namespace

std::string image_description(const BookMetadata& book, const PageInfo& page)
{
    std::string text = book.title.empty() ? std::string("Untitled book") : book.title;
    if (book.date.size() >= 4) {
        text += " (" + book.date.substr(0, 4) + ")";
    }
    if (page.page_number > 0) {
        text += ", page " + std::to_string(page.page_number);
    }
    return text;
}

void embed_metadata(const std::filesystem::path& image_path, const BookMetadata& book, const PageInfo& page)
{
    const std::string where = image_path.string() + ": ";
    Fields fields;
    try {
        fields = fields_for(book, page);
    } catch (const MetadataError& error) {
        throw MetadataError(where + error.what());
    }
    initialise_xmp();
    base::AtomicFile file(image_path);
    std::error_code error;
    std::filesystem::copy_file(image_path, file.temp_path(), std::filesystem::copy_options::overwrite_existing, error);
    if (error) {
        throw MetadataError(where + "cannot copy to a temporary file: " + error.message());
    }
    try {
        ImagePtr image = open_image(file.temp_path());
        image->readMetadata();
        write_xmp(image->xmpData(), book, page, fields);
        write_exif(image->exifData(), page, fields);
        write_iptc(image->iptcData(), fields);
        image->writeMetadata();
    } catch (const Exiv2::Error& exiv2_error) {
        throw MetadataError(where + "cannot write metadata: " + exiv2_error.what());
    }
    file.commit();
}

}  // namespace digikit::metadata
