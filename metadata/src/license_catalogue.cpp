#include "digikit/metadata/license_catalogue.hpp"

#include <algorithm>
#include <array>
#include <chrono>

namespace digikit::metadata {

namespace {

// Wikidata items used below (checked against Wikidata's property documentation for P6216
// and tools that write these statements on Commons):
//   Q19652    public domain                       (P6216 value)
//   Q50423863 copyrighted                         (P6216 value)
//   Q88088423 copyrighted, dedicated to the public domain by copyright holder (P6216, CC0)
//   Q6938433  Creative Commons CC0 License        (P275)
//   Q20007257 Creative Commons Attribution 4.0 International (P275)
//   Q18199165 Creative Commons Attribution-ShareAlike 4.0 International (P275)
//   Q30       United States of America            (P1001 jurisdiction)
//   Q59542795 countries with 70 years pma or shorter   (P1001 jurisdiction)
//   Q60332278 countries with 100 years pma or shorter  (P1001 jurisdiction)
//   Q29870196 70 years or more after author(s) death   (P459 determination method)
//   Q29940705 100 years or more after author(s) death  (P459 determination method)
//   Q47246828 published more than 95 years ago         (P459 determination method)
constexpr std::string_view public_domain_mark = "https://creativecommons.org/publicdomain/mark/1.0/";

constexpr std::array<License, 6> catalogue = {{
    {.key = "PD-old-70",
     .name = "Public domain (author died more than 70 years ago)",
     .public_domain = true,
     .requires_attribution = false,
     .commons_wikitext = "{{PD-scan|PD-old-70}}",
     .commons_template = "PD-old-70",
     .commons_template_us_expired = "PD-old-70-expired",
     .xmp_marked = false,
     .usage_terms =
         "Public domain: the author died more than 70 years ago; this faithful reproduction adds no copyright.",
     .web_statement = "https://commons.wikimedia.org/wiki/Template:PD-old-70",
     .license_url = public_domain_mark,
     .rights = "Public domain (PD-old-70)",
     .copyright_status_qid = "Q19652",
     .license_qid = "",
     .jurisdiction_qid = "Q59542795",
     .determination_method_qid = "Q29870196"},
    {.key = "PD-old-100",
     .name = "Public domain (author died more than 100 years ago)",
     .public_domain = true,
     .requires_attribution = false,
     .commons_wikitext = "{{PD-scan|PD-old-100}}",
     .commons_template = "PD-old-100",
     .commons_template_us_expired = "PD-old-100-expired",
     .xmp_marked = false,
     .usage_terms =
         "Public domain: the author died more than 100 years ago; this faithful reproduction adds no copyright.",
     .web_statement = "https://commons.wikimedia.org/wiki/Template:PD-old-100",
     .license_url = public_domain_mark,
     .rights = "Public domain (PD-old-100)",
     .copyright_status_qid = "Q19652",
     .license_qid = "",
     .jurisdiction_qid = "Q60332278",
     .determination_method_qid = "Q29940705"},
    {.key = "PD-US-expired",
     .name = "Public domain in the United States (published more than 95 years ago)",
     .public_domain = true,
     .requires_attribution = false,
     .commons_wikitext = "{{PD-scan|PD-US-expired}}",
     .commons_template = "PD-US-expired",
     .commons_template_us_expired = "",
     .xmp_marked = false,
     .usage_terms = "Public domain in the United States: published more than 95 years ago; this faithful reproduction "
                    "adds no copyright.",
     .web_statement = "https://commons.wikimedia.org/wiki/Template:PD-US-expired",
     .license_url = public_domain_mark,
     .rights = "Public domain in the United States (PD-US-expired)",
     .copyright_status_qid = "Q19652",
     .license_qid = "",
     .jurisdiction_qid = "Q30",
     .determination_method_qid = "Q47246828"},
    {.key = "CC0-1.0",
     .name = "Creative Commons CC0 1.0 Universal Public Domain Dedication",
     .public_domain = false,
     .requires_attribution = false,
     .commons_wikitext = "{{cc-zero}}",
     .commons_template = "cc-zero",
     .commons_template_us_expired = "",
     .xmp_marked = false,
     .usage_terms = "Dedicated to the public domain under CC0 1.0 Universal.",
     .web_statement = "https://creativecommons.org/publicdomain/zero/1.0/",
     .license_url = "https://creativecommons.org/publicdomain/zero/1.0/",
     .rights = "CC0 1.0 Universal (public domain dedication)",
     .copyright_status_qid = "Q88088423",
     .license_qid = "Q6938433",
     .jurisdiction_qid = "",
     .determination_method_qid = ""},
    {.key = "CC-BY-4.0",
     .name = "Creative Commons Attribution 4.0 International",
     .public_domain = false,
     .requires_attribution = true,
     .commons_wikitext = "{{cc-by-4.0}}",
     .commons_template = "cc-by-4.0",
     .commons_template_us_expired = "",
     .xmp_marked = true,
     .usage_terms = "This work is licensed under the Creative Commons Attribution 4.0 International License.",
     .web_statement = "https://creativecommons.org/licenses/by/4.0/",
     .license_url = "https://creativecommons.org/licenses/by/4.0/",
     .rights = "CC BY 4.0",
     .copyright_status_qid = "Q50423863",
     .license_qid = "Q20007257",
     .jurisdiction_qid = "",
     .determination_method_qid = ""},
    {.key = "CC-BY-SA-4.0",
     .name = "Creative Commons Attribution-ShareAlike 4.0 International",
     .public_domain = false,
     .requires_attribution = true,
     .commons_wikitext = "{{cc-by-sa-4.0}}",
     .commons_template = "cc-by-sa-4.0",
     .commons_template_us_expired = "",
     .xmp_marked = true,
     .usage_terms =
         "This work is licensed under the Creative Commons Attribution-ShareAlike 4.0 International License.",
     .web_statement = "https://creativecommons.org/licenses/by-sa/4.0/",
     .license_url = "https://creativecommons.org/licenses/by-sa/4.0/",
     .rights = "CC BY-SA 4.0",
     .copyright_status_qid = "Q50423863",
     .license_qid = "Q18199165",
     .jurisdiction_qid = "",
     .determination_method_qid = ""},
}};

[[nodiscard]] bool equal_ignoring_case(std::string_view a, std::string_view b)
{
    const auto lower = [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; };
    return std::equal(a.begin(), a.end(), b.begin(), b.end(), [&](char x, char y) { return lower(x) == lower(y); });
}

}  // namespace

std::span<const License> licenses()
{
    return catalogue;
}

const License* find_license(std::string_view key)
{
    const auto it = std::find_if(catalogue.begin(), catalogue.end(),
                                 [&](const License& l) { return equal_ignoring_case(l.key, key); });
    return it == catalogue.end() ? nullptr : &*it;
}

std::string license_keys_text()
{
    std::string text;
    for (const auto& license : catalogue) {
        text += (text.empty() ? "" : ", ") + std::string(license.key);
    }
    return text;
}

bool published_before_us_cutoff(int year)
{
    const std::chrono::year_month_day today{std::chrono::floor<std::chrono::days>(std::chrono::system_clock::now())};
    return year <= static_cast<int>(today.year()) - 96;
}

std::string copyright_notice(const License& license, const std::vector<std::string>& authors)
{
    if (!license.requires_attribution || authors.empty()) {
        return std::string(license.rights);
    }
    std::string names;
    for (const auto& author : authors) {
        names += (names.empty() ? "" : ", ") + author;
    }
    return names + ", " + std::string(license.rights);
}

}  // namespace digikit::metadata
