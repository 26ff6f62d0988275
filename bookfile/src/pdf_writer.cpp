#include "pdf_writer.hpp"

#include <leptonica/allheaders.h>
#include <qpdf/QPDF.hh>
#include <qpdf/QPDFPageDocumentHelper.hh>
#include <qpdf/QPDFPageObjectHelper.hh>
#include <qpdf/QPDFWriter.hh>

#include <memory>

#include "digikit/base/atomic_file.hpp"
#include "digikit/base/read_file.hpp"
#include "shared.hpp"

namespace digikit::bookfile {
namespace {

std::string read_jpeg(const std::filesystem::path& file)
{
    std::string bytes = base::read_file(file);
    if (bytes.empty()) throw BookFileError(file.string() + ": empty, not a JPEG");
    return bytes;
}

std::string number(double value)
{
    char text[32];
    std::snprintf(text, sizeof text, "%.2f", value);
    return text;
}

// A page showing the JPEG at its resolution, the image data copied as it is (DCTDecode).
QPDFPageObjectHelper jpeg_page(QPDF& pdf, const std::filesystem::path& jpeg)
{
    l_int32 width = 0, height = 0, bps = 0, spp = 0;
    if (pixReadHeader(jpeg.c_str(), nullptr, &width, &height, &bps, &spp, nullptr) != 0 || bps != 8 ||
        (spp != 1 && spp != 3)) {
        throw BookFileError(jpeg.string() + ": not an 8-bit grey or RGB JPEG");
    }
    int ppi = 300;
    if (FILE* file = std::fopen(jpeg.c_str(), "rb")) {
        l_int32 xres = 0, yres = 0;
        if (fgetJpegResolution(file, &xres, &yres) == 0 && yres > 0) ppi = yres;
        std::fclose(file);
    }
    QPDFObjectHandle image = pdf.newStream(read_jpeg(jpeg));
    image.replaceDict(QPDFObjectHandle::parse(
        "<< /Type /XObject /Subtype /Image /Width " + std::to_string(width) + " /Height " + std::to_string(height) +
        " /ColorSpace " + (spp == 1 ? "/DeviceGray" : "/DeviceRGB") + " /BitsPerComponent 8 /Filter /DCTDecode >>"));
    const std::string w = number(width * 72.0 / ppi);
    const std::string h = number(height * 72.0 / ppi);
    QPDFObjectHandle contents = pdf.newStream("q " + w + " 0 0 " + h + " 0 0 cm /Im0 Do Q\n");
    QPDFObjectHandle page = QPDFObjectHandle::parse("<< /Type /Page /MediaBox [0 0 " + w + " " + h +
                                                    "] /Resources << /XObject << >> >> >>");
    page.getKey("/Resources").getKey("/XObject").replaceKey("/Im0", image);
    page.replaceKey("/Contents", contents);
    return QPDFPageObjectHelper(pdf.makeIndirectObject(page));
}

std::string xml_escaped(std::string_view text)
{
    std::string out;
    for (const char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            default: out += c;
        }
    }
    return out;
}

// Dublin Core in XMP, where PDF readers look for the licence (dc:rights).
std::string xmp_packet(const DocumentInfo& info)
{
    const auto alt = [](const std::string& value) {
        return "<rdf:Alt><rdf:li xml:lang=\"x-default\">" + xml_escaped(value) + "</rdf:li></rdf:Alt>";
    };
    std::string body;
    if (!info.title.empty()) body += "<dc:title>" + alt(info.title) + "</dc:title>";
    if (!info.author.empty())
        body += "<dc:creator><rdf:Seq><rdf:li>" + xml_escaped(info.author) + "</rdf:li></rdf:Seq></dc:creator>";
    if (!info.rights.empty()) body += "<dc:rights>" + alt(info.rights) + "</dc:rights>";
    if (!info.subject.empty()) body += "<dc:description>" + alt(info.subject) + "</dc:description>";
    if (!info.language.empty())
        body += "<dc:language><rdf:Bag><rdf:li>" + xml_escaped(info.language) + "</rdf:li></rdf:Bag></dc:language>";
    if (!info.date.empty())
        body += "<dc:date><rdf:Seq><rdf:li>" + xml_escaped(info.date) + "</rdf:li></rdf:Seq></dc:date>";
    if (!info.publisher.empty())
        body += "<dc:publisher><rdf:Bag><rdf:li>" + xml_escaped(info.publisher) + "</rdf:li></rdf:Bag></dc:publisher>";
    return "<?xpacket begin=\"\xEF\xBB\xBF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n"
           "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\"><rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">"
           "<rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">" +
           body + "</rdf:Description></rdf:RDF></x:xmpmeta>\n<?xpacket end=\"w\"?>";
}

void set_metadata(QPDF& pdf, const DocumentInfo& info)
{
    QPDFObjectHandle dictionary = QPDFObjectHandle::newDictionary();
    const std::pair<const char*, const std::string*> fields[] = {
        {"/Title", &info.title}, {"/Author", &info.author}, {"/Subject", &info.subject}};
    for (const auto& [key, value] : fields) {
        if (!value->empty()) dictionary.replaceKey(key, QPDFObjectHandle::newUnicodeString(*value));
    }
    if (!info.rights.empty()) dictionary.replaceKey("/Keywords", QPDFObjectHandle::newUnicodeString(info.rights));
    dictionary.replaceKey("/Creator", QPDFObjectHandle::newUnicodeString("digikit"));
    pdf.getTrailer().replaceKey("/Info", pdf.makeIndirectObject(dictionary));

    QPDFObjectHandle xmp = pdf.newStream(xmp_packet(info));
    xmp.replaceDict(QPDFObjectHandle::parse("<< /Type /Metadata /Subtype /XML >>"));
    pdf.getRoot().replaceKey("/Metadata", xmp);
}

}  // namespace

void bundle_pdf(const std::vector<PdfPageSource>& pages, const DocumentInfo& info, const std::filesystem::path& out)
{
    try {
        QPDF pdf;
        pdf.emptyPDF();
        QPDFPageDocumentHelper book(pdf);
        std::vector<std::unique_ptr<QPDF>> sources;  // alive until written: pages are copied lazily
        for (const auto& page : pages) {
            if (page.ocr_pdf.empty()) {
                book.addPage(jpeg_page(pdf, page.jpeg), false);
                continue;
            }
            auto& source = sources.emplace_back(std::make_unique<QPDF>());
            source->processFile(page.ocr_pdf.c_str());
            for (auto& one : QPDFPageDocumentHelper(*source).getAllPages()) book.addPage(one, false);
        }
        set_metadata(pdf, info);
        if (book.getAllPages().size() != pages.size()) {
            throw BookFileError("the PDF has " + std::to_string(book.getAllPages().size()) + " pages instead of " +
                                std::to_string(pages.size()));
        }
        base::AtomicFile file(out);
        QPDFWriter writer(pdf, file.temp_path().c_str());
        writer.setDeterministicID(true);
        writer.write();
        file.commit();
    } catch (const BookFileError&) {
        throw;
    } catch (const std::exception& error) {
        throw BookFileError("cannot write the PDF " + out.string() + ": " + error.what());
    }
}

}  // namespace digikit::bookfile
