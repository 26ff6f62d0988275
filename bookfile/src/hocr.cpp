#include "hocr.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "digikit/bookfile/book_file.hpp"
#include "shared.hpp"

namespace digikit::bookfile {
namespace {

// The value of attribute `name` in the tag text `tag` ('...' or "..." quoted).
std::string_view attribute(std::string_view tag, std::string_view name)
{
    for (std::size_t at = tag.find(name); at != std::string_view::npos; at = tag.find(name, at + 1)) {
        const std::size_t eq = at + name.size();
        if (at > 0 && tag[at - 1] != ' ') continue;
        if (eq + 1 >= tag.size() || tag[eq] != '=') continue;
        const char quote = tag[eq + 1];
        const std::size_t end = tag.find(quote, eq + 2);
        if (end == std::string_view::npos) return {};
        return tag.substr(eq + 2, end - eq - 2);
    }
    return {};
}

Box bbox_of(std::string_view title)
{
    Box box;
    const auto at = title.find("bbox ");
    if (at == std::string_view::npos) return box;
    const std::string values(title.substr(at + 5, title.find(';', at) - at - 5));
    if (std::sscanf(values.c_str(), "%d %d %d %d", &box.x0, &box.y0, &box.x1, &box.y1) != 4) return Box{};
    return box;
}

// Word text: tags (<strong>, <em>) dropped, the five XML references decoded.
std::string word_text(std::string_view html)
{
    std::string text;
    for (std::size_t i = 0; i < html.size(); ++i) {
        if (html[i] == '<') {
            const auto close = html.find('>', i);
            if (close == std::string_view::npos) break;
            i = close;
        } else if (html[i] == '&') {
            static constexpr std::pair<std::string_view, char> references[] = {
                {"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}, {"&apos;", '\''}};
            bool known = false;
            for (const auto& [reference, c] : references) {
                if (html.substr(i, reference.size()) == reference) {
                    text += c;
                    i += reference.size() - 1;
                    known = true;
                    break;
                }
            }
            if (!known) text += '&';
        } else {
            text += html[i];
        }
    }
    return text;
}

bool is_line_class(std::string_view cls)
{
    return cls == "ocr_line" || cls == "ocr_header" || cls == "ocr_caption" || cls == "ocr_textfloat";
}

}  // namespace

OcrPage parse_hocr(std::string_view hocr)
{
    OcrPage page;
    bool have_page = false;
    for (std::size_t at = hocr.find('<'); at != std::string_view::npos; at = hocr.find('<', at + 1)) {
        const std::size_t end = hocr.find('>', at);
        if (end == std::string_view::npos) break;
        const std::string_view tag = hocr.substr(at, end - at + 1);
        const std::string_view cls = attribute(tag, "class");
        if (cls == "ocr_page") {
            page.box = bbox_of(attribute(tag, "title"));
            have_page = true;
        } else if (is_line_class(cls)) {
            page.lines.push_back(OcrLine{bbox_of(attribute(tag, "title")), {}});
        } else if (cls == "ocrx_word" && !page.lines.empty()) {
            const std::size_t close = hocr.find("</span>", end);
            if (close == std::string_view::npos) break;
            std::string text = word_text(hocr.substr(end + 1, close - end - 1));
            if (!text.empty()) page.lines.back().words.push_back(OcrWord{bbox_of(attribute(tag, "title")), text});
            at = close;
        }
    }
    if (!have_page) throw BookFileError("not Tesseract hOCR: no ocr_page");
    std::erase_if(page.lines, [](const OcrLine& line) { return line.words.empty(); });
    return page;
}

std::string djvu_hidden_text(const OcrPage& page, double scale, int width, int height)
{
    const auto box_text = [&](const Box& b) {
        const auto at = [&](int v, int limit) {
            return std::clamp(static_cast<int>(std::lround(v * scale)), 0, limit);
        };
        return std::to_string(at(b.x0, width)) + " " + std::to_string(height - at(b.y1, height)) + " " +
               std::to_string(at(b.x1, width)) + " " + std::to_string(height - at(b.y0, height));
    };
    std::string text = "(page 0 0 " + std::to_string(width) + " " + std::to_string(height);
    for (const auto& line : page.lines) {
        text += "\n (line " + box_text(line.box);
        for (const auto& word : line.words)
            text += "\n  (word " + box_text(word.box) + " " + djvu_string(word.text) + ")";
        text += ")";
    }
    // A zone ends with its text or its zones: a page without words has an empty text.
    if (page.lines.empty()) text += " \"\"";
    return text + ")\n";
}

}  // namespace digikit::bookfile
