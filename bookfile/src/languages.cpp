#include <unistd.h>
#include <array>
#include <cstdlib>
#include <filesystem>

#include "digikit/base/text.hpp"
#include "digikit/bookfile/book_file.hpp"

namespace digikit::bookfile {
namespace {

// ISO 639-1 -> Tesseract's codes (ISO 639-2/T, with script variants where it has them).
constexpr std::array<std::pair<std::string_view, std::string_view>, 40> iso_639_1{{
    {"af", "afr"}, {"ar", "ara"}, {"bg", "bul"}, {"ca", "cat"}, {"cs", "ces"}, {"cy", "cym"}, {"da", "dan"},
    {"de", "deu"}, {"el", "ell"}, {"en", "eng"}, {"eo", "epo"}, {"es", "spa"}, {"et", "est"}, {"eu", "eus"},
    {"fa", "fas"}, {"fi", "fin"}, {"fr", "fra"}, {"ga", "gle"}, {"he", "heb"}, {"hr", "hrv"}, {"hu", "hun"},
    {"is", "isl"}, {"it", "ita"}, {"ja", "jpn"}, {"ko", "kor"}, {"la", "lat"}, {"lt", "lit"}, {"lv", "lav"},
    {"nb", "nor"}, {"nl", "nld"}, {"no", "nor"}, {"pl", "pol"}, {"pt", "por"}, {"ro", "ron"}, {"ru", "rus"},
    {"sk", "slk"}, {"sl", "slv"}, {"sv", "swe"}, {"tr", "tur"}, {"uk", "ukr"},
}};

bool is_tesseract_code(std::string_view code)
{
    return code.size() >= 3 && code.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") == std::string_view::npos;
}

std::filesystem::path tessdata_dir()
{
    if (const char* prefix = std::getenv("TESSDATA_PREFIX"); prefix != nullptr && *prefix != '\0') return prefix;
    return "/usr/share/tesseract-ocr/5/tessdata";
}

}  // namespace

std::string tesseract_languages(std::string_view language)
{
    std::string codes;
    std::size_t start = 0;
    while (start <= language.size()) {
        const std::size_t plus = std::min(language.find('+', start), language.size());
        std::string code = base::ascii_lower(language.substr(start, plus - start));
        if (const auto dash = code.find('-'); dash != std::string::npos) code.resize(dash);  // "en-GB"
        std::string tesseract;
        for (const auto& [iso, tess] : iso_639_1) {
            if (code == iso) tesseract = tess;
        }
        if (tesseract.empty() && is_tesseract_code(code)) tesseract = code;
        if (tesseract.empty()) {
            throw BookFileError("'" + std::string(language) +
                                "': not a language code Tesseract knows (e.g. en, fra, eng+fra)");
        }
        codes += (codes.empty() ? "" : "+") + tesseract;
        start = plus + 1;
    }
    return codes;
}

void check_languages(std::string_view languages)
{
    std::size_t start = 0;
    while (start <= languages.size()) {
        const std::size_t plus = std::min(languages.find('+', start), languages.size());
        const std::string code(languages.substr(start, plus - start));
        if (!std::filesystem::exists(tessdata_dir() / (code + ".traineddata"))) {
            std::string package = "tesseract-ocr-" + code;
            for (auto& c : package) c = c == '_' ? '-' : c;
            throw BookFileError("no OCR data for '" + code + "' in " + tessdata_dir().string() + ": install " +
                                package + " (or export with --no-ocr)");
        }
        start = plus + 1;
    }
}

void limit_openmp_threads(char** argv)
{
    if (std::getenv("OMP_THREAD_LIMIT") != nullptr) return;
    ::setenv("OMP_THREAD_LIMIT", "1", 1);
    ::execv("/proc/self/exe", argv);  // returns only on failure: then OCR runs with OpenMP's default
}

}  // namespace digikit::bookfile
