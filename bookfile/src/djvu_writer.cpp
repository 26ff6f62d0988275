#include "djvu_writer.hpp"

#include <leptonica/allheaders.h>

#include <cmath>
#include <memory>

#include "digikit/base/atomic_file.hpp"
#include "shared.hpp"
#include "tool.hpp"

namespace digikit::bookfile {
namespace {

struct ImageHeader {
    int width = 0;
    int height = 0;
    int ppi = 0;
};

ImageHeader read_header(const std::filesystem::path& image)
{
    const std::unique_ptr<Pix, PixDeleter> pix(pixRead(image.c_str()));
    if (!pix) throw BookFileError(image.string() + ": cannot read the page image");
    const int ppi = pixGetXRes(pix.get());
    return {pixGetWidth(pix.get()), pixGetHeight(pix.get()), ppi > 0 ? ppi : 300};
}

// The image c44 encodes: the JPEG itself at its own resolution, or a scaled-down copy.
std::filesystem::path c44_input(const std::filesystem::path& image, double scale, const std::filesystem::path& scratch)
{
    if (scale >= 1.0) return image;
    const std::unique_ptr<Pix, PixDeleter> pix(pixRead(image.c_str()));
    if (!pix) throw BookFileError(image.string() + ": cannot read the page image");
    const std::unique_ptr<Pix, PixDeleter> scaled(
        pixScaleSmooth(pix.get(), static_cast<float>(scale), static_cast<float>(scale)));
    const auto ppm = scratch / (image.stem().string() + ".ppm");
    if (!scaled || pixWrite(ppm.c_str(), scaled.get(), IFF_PNM) != 0) {
        throw BookFileError(image.string() + ": cannot scale the page to the chosen resolution");
    }
    return ppm;
}

std::string metadata_text(const DocumentInfo& info)
{
    const std::pair<const char*, const std::string*> fields[] = {
        {"Title", &info.title},         {"Author", &info.author},     {"Year", &info.date},
        {"Publisher", &info.publisher}, {"Language", &info.language}, {"Rights", &info.rights},
        {"Subject", &info.subject}};
    std::string text;
    for (const auto& [key, value] : fields) {
        if (!value->empty()) text += std::string(key) + "\t" + djvu_string(*value) + "\n";
    }
    return text + "Creator\t\"digikit\"\n";
}

}  // namespace

std::filesystem::path encode_djvu_page(const std::filesystem::path& image, const std::optional<OcrPage>& text, int ppi,
                                       const std::filesystem::path& work_dir, const std::filesystem::path& scratch_dir,
                                       const StopRequested& stop)
{
    const auto target = work_dir / (image.stem().string() + ".djvu");
    if (std::filesystem::exists(target)) return target;
    const ImageHeader header = read_header(image);
    const double scale = std::min(1.0, static_cast<double>(ppi) / header.ppi);
    const auto input = c44_input(image, scale, scratch_dir);
    base::AtomicFile file(target);
    const std::string encoded = file.temp_path().string();
    run_tool_checked({"c44", "-dpi", std::to_string(std::min(ppi, header.ppi)), input.string(), encoded}, stop);
    if (input != image) std::filesystem::remove(input);
    if (text) {
        const int width = scale < 1.0 ? static_cast<int>(std::lround(header.width * scale)) : header.width;
        const int height = scale < 1.0 ? static_cast<int>(std::lround(header.height * scale)) : header.height;
        const auto sexp = scratch_dir / (image.stem().string() + ".txt");
        base::write_file_atomically(sexp, djvu_hidden_text(*text, scale, width, height));
        run_tool_checked({"djvused", "-u", encoded, "-e", "select 1; set-txt " + djvu_string(sexp.string()), "-s"},
                         stop);
        std::filesystem::remove(sexp);
    }
    file.commit();
    return target;
}

void bundle_djvu(const std::vector<std::filesystem::path>& pages, const DocumentInfo& info,
                 const std::filesystem::path& out, const std::filesystem::path& scratch_dir, const StopRequested& stop)
{
    base::AtomicFile file(out);
    const std::string bundled = file.temp_path().string();
    std::vector<std::string> args{"djvm", "-c", bundled};
    for (const auto& page : pages) args.push_back(page.string());
    run_tool_checked(args, stop);
    const auto meta = scratch_dir / "metadata.txt";
    base::write_file_atomically(meta, metadata_text(info));
    run_tool_checked(
        {"djvused", "-u", bundled, "-e", "create-shared-ant; set-meta " + djvu_string(meta.string()), "-s"}, stop);
    std::filesystem::remove(meta);
    const std::string counted = run_tool_checked({"djvused", bundled, "-e", "n"});
    if (std::stoi(counted) != static_cast<int>(pages.size())) {
        throw BookFileError("djvm bundled " + counted.substr(0, counted.find('\n')) + " pages instead of " +
                            std::to_string(pages.size()));
    }
    file.commit();
}

}  // namespace digikit::bookfile
