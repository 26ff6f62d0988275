#include "page_ocr.hpp"

#include <leptonica/allheaders.h>
#include <sched.h>
#include <sys/resource.h>
#include <tesseract/baseapi.h>
#include <tesseract/ocrclass.h>
#include <tesseract/renderer.h>
#include <unistd.h>

#include "digikit/base/atomic_file.hpp"
#include "digikit/base/read_file.hpp"
#include "digikit/bookfile/book_file.hpp"
#include "shared.hpp"

namespace digikit::bookfile {
namespace {

bool cancel_requested(void* self, int /*words*/)
{
    return (*static_cast<std::function<bool()>*>(self))();
}

std::string hocr_document(const std::string& page_div, const std::string& languages)
{
    return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
           "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\"\n"
           "    \"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n"
           "<html xmlns=\"http://www.w3.org/1999/xhtml\" xml:lang=\"en\" lang=\"en\">\n<head>\n<title></title>\n"
           "<meta http-equiv=\"Content-Type\" content=\"text/html;charset=utf-8\"/>\n"
           "<meta name=\"ocr-system\" content=\"tesseract " +
           std::string(tesseract::TessBaseAPI::Version()) + "\"/>\n<meta name=\"ocr-langs\" content=\"" + languages +
           "\"/>\n<meta name=\"ocr-capabilities\" content=\"ocr_page ocr_carea ocr_par ocr_line ocrx_word\"/>\n"
           "</head>\n<body>\n" +
           page_div + "</body>\n</html>\n";
}

// Whether the page carries any ink: pixels darker than half the paper's (median) grey,
// at least one in 10,000 (a lone page number has several times that). A blank page's
// grain and faint show-through have none, and Tesseract would read words into them.
bool has_ink(Pix* page)
{
    const std::unique_ptr<Pix, PixDeleter> grey(pixConvertTo8(page, 0));
    if (!grey) return true;
    NUMA* histogram = pixGetGrayHistogram(grey.get(), 1);
    if (histogram == nullptr) return true;
    double counts[256] = {};
    double total = 0;
    for (int value = 0; value < 256 && value < numaGetCount(histogram); ++value) {
        l_float32 count = 0;
        numaGetFValue(histogram, value, &count);
        counts[value] = static_cast<double>(count);
        total += counts[value];
    }
    numaDestroy(&histogram);
    double below = 0;
    int median = 0;
    while (median < 255 && below + counts[median] < total / 2) below += counts[median++];
    double ink = 0;
    for (int value = 0; value < median / 2; ++value) ink += counts[value];
    return ink >= total * 1e-4;
}

}  // namespace

void make_thread_idle()
{
    sched_param param{};
    (void)sched_setscheduler(0, SCHED_IDLE, &param);  // 0: the calling thread on Linux
    (void)setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), 19);
}

PageRecognizer::PageRecognizer(const std::string& languages, std::filesystem::path scratch_dir,
                               std::function<bool()> interrupted)
    : api_(std::make_unique<tesseract::TessBaseAPI>()),
      scratch_dir_(std::move(scratch_dir)),
      interrupted_(std::move(interrupted))
{
    if (api_->Init(nullptr, languages.c_str(), tesseract::OEM_LSTM_ONLY) != 0) {
        throw BookFileError("Tesseract cannot load the OCR data for '" + languages + "'");
    }
    api_->SetVariable("debug_file", "/dev/null");  // no warnings on our stderr
}

PageRecognizer::~PageRecognizer()
{
    api_->End();
}

bool PageRecognizer::recognize(const std::filesystem::path& page)
{
    const std::unique_ptr<Pix, PixDeleter> pix(pixRead(page.c_str()));
    if (!pix) throw BookFileError(page.string() + ": cannot read the page image for OCR");
    if (pixGetXRes(pix.get()) <= 0) pixSetResolution(pix.get(), 300, 300);
    api_->SetInputName(page.c_str());          // the PDF renderer embeds this JPEG file as it is
    api_->SetInputImage(pixClone(pix.get()));  // Tesseract keeps (and frees) the one it is given
    // A blank page is recognised as a white sheet of its size: no words, and the PDF
    // still embeds the page's own JPEG.
    const std::unique_ptr<Pix, PixDeleter> white(has_ink(pix.get()) ? nullptr : pixCreateTemplate(pix.get()));
    if (white) pixSetBlackOrWhite(white.get(), L_SET_WHITE);
    api_->SetImage(white ? white.get() : pix.get());
    tesseract::ETEXT_DESC monitor;
    monitor.cancel = cancel_requested;
    monitor.cancel_this = &interrupted_;
    const bool done = api_->Recognize(&monitor) == 0 && !interrupted_();
    if (!done) {
        api_->Clear();
        if (interrupted_()) return false;
        throw BookFileError(page.string() + ": Tesseract could not recognise the page");
    }
    const std::unique_ptr<char[]> div(api_->GetHOCRText(0));

    // The one-page PDF: Tesseract writes it to a path of its own choosing (base + ".pdf").
    const std::string base = (scratch_dir_ / page.stem()).string();
    {
        tesseract::TessPDFRenderer renderer(base.c_str(), api_->GetDatapath(), false);
        if (!renderer.BeginDocument("") || !renderer.AddImage(api_.get()) || !renderer.EndDocument()) {
            std::filesystem::remove(base + ".pdf");
            throw BookFileError(page.string() + ": Tesseract could not write the page's PDF");
        }
    }
    const std::string pdf = base::read_file(base + ".pdf");
    std::filesystem::remove(base + ".pdf");
    api_->Clear();
    base::write_file_atomically(ocr_pdf_path(page), pdf);
    base::write_file_atomically(hocr_path(page), hocr_document(div ? div.get() : "", api_->GetInitLanguagesAsString()));
    return true;
}

}  // namespace digikit::bookfile
