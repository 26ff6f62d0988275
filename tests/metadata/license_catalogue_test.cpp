#include "digikit/metadata/license_catalogue.hpp"
#include "digikit/metadata/structured_data.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

namespace digikit::metadata::license_catalogue_test {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

[[nodiscard]] bool is_qid(std::string_view text)
{
    return text.size() >= 2 && text[0] == 'Q' && text[1] != '0' &&
           text.find_first_not_of("0123456789", 1) == std::string_view::npos;
}

TEST(LicenseCatalogue, HasTheRequiredLicencesWithEveryField)
{
    for (const std::string key : {"PD-old-70", "PD-old-100", "PD-US-expired", "CC0-1.0", "CC-BY-4.0", "CC-BY-SA-4.0"}) {
        const License* license = find_license(key);
        ASSERT_NE(license, nullptr) << key;
        EXPECT_EQ(license->key, key);
        EXPECT_FALSE(license->name.empty()) << key;
        EXPECT_TRUE(license->commons_wikitext.starts_with("{{")) << key;
        EXPECT_THAT(std::string(license->commons_wikitext), HasSubstr(std::string(license->commons_template))) << key;
        EXPECT_FALSE(license->usage_terms.empty()) << key;
        EXPECT_TRUE(license->web_statement.starts_with("https://")) << key;
        EXPECT_TRUE(license->license_url.starts_with("https://creativecommons.org/")) << key;
        EXPECT_FALSE(license->rights.empty()) << key;
        EXPECT_TRUE(is_qid(license->copyright_status_qid)) << key;
        if (license->public_domain) {
            EXPECT_EQ(license->copyright_status_qid, "Q19652") << key;  // public domain
            EXPECT_TRUE(license->license_qid.empty()) << key;
            EXPECT_TRUE(is_qid(license->jurisdiction_qid)) << key;
            EXPECT_TRUE(is_qid(license->determination_method_qid)) << key;
            EXPECT_TRUE(license->commons_wikitext.starts_with("{{PD-scan|")) << key;  // faithful reproduction
            EXPECT_FALSE(license->xmp_marked) << key;
        } else {
            EXPECT_TRUE(is_qid(license->license_qid)) << key;
        }
    }
    EXPECT_EQ(licenses().size(), 6U);
}

TEST(LicenseCatalogue, WikidataItemsOfTheCreativeCommonsLicences)
{
    EXPECT_EQ(find_license("CC0-1.0")->license_qid, "Q6938433");
    EXPECT_EQ(find_license("CC0-1.0")->copyright_status_qid, "Q88088423");
    EXPECT_EQ(find_license("CC-BY-4.0")->license_qid, "Q20007257");
    EXPECT_EQ(find_license("CC-BY-SA-4.0")->license_qid, "Q18199165");
    EXPECT_EQ(find_license("CC-BY-4.0")->copyright_status_qid, "Q50423863");
    EXPECT_EQ(find_license("PD-US-expired")->jurisdiction_qid, "Q30");
    EXPECT_EQ(find_license("PD-US-expired")->determination_method_qid, "Q47246828");
}

TEST(LicenseCatalogue, LookupIsCaseInsensitiveAndNamesTheKnownKeys)
{
    EXPECT_EQ(find_license("cc-by-4.0"), find_license("CC-BY-4.0"));
    EXPECT_EQ(find_license("CC-BY-3.0"), nullptr);
    EXPECT_EQ(find_license(""), nullptr);
    EXPECT_EQ(license_keys_text(), "PD-old-70, PD-old-100, PD-US-expired, CC0-1.0, CC-BY-4.0, CC-BY-SA-4.0");
}

TEST(LicenseCatalogue, CopyrightNoticeCreditsAuthorsOnlyWhenRequired)
{
    EXPECT_EQ(copyright_notice(*find_license("CC-BY-4.0"), {"A", "B"}), "A, B, CC BY 4.0");
    EXPECT_EQ(copyright_notice(*find_license("PD-old-70"), {"A"}), "Public domain (PD-old-70)");
    EXPECT_EQ(copyright_notice(*find_license("CC-BY-4.0"), {}), "CC BY 4.0");
}

TEST(StructuredData, PublicDomainStatementHasJurisdictionAndMethod)
{
    BookMetadata book;
    book.license = "PD-old-70";
    book.wikidata = "Q152306";
    const json data = json::parse(structured_data_json(book));
    const json& claims = data.at("claims");
    ASSERT_EQ(claims.size(), 2U);
    EXPECT_EQ(claims[0].at("mainsnak").at("property"), "P6216");
    EXPECT_EQ(claims[0].at("mainsnak").at("datavalue").at("value").at("id"), "Q19652");
    EXPECT_EQ(claims[0].at("mainsnak").at("datavalue").at("value").at("numeric-id"), 19652);
    EXPECT_EQ(claims[0].at("qualifiers").at("P1001")[0].at("datavalue").at("value").at("id"), "Q59542795");
    EXPECT_EQ(claims[0].at("qualifiers").at("P459")[0].at("datavalue").at("value").at("id"), "Q29870196");
    EXPECT_EQ(claims[1].at("mainsnak").at("property"), "P6243");
    EXPECT_EQ(claims[1].at("mainsnak").at("datavalue").at("value").at("id"), "Q152306");
}

TEST(StructuredData, CreativeCommonsHasStatusAndLicence)
{
    BookMetadata book;
    book.license = "CC-BY-SA-4.0";
    const json claims = json::parse(structured_data_json(book)).at("claims");
    ASSERT_EQ(claims.size(), 2U);
    EXPECT_EQ(claims[0].at("mainsnak").at("datavalue").at("value").at("id"), "Q50423863");
    EXPECT_FALSE(claims[0].contains("qualifiers"));
    EXPECT_EQ(claims[1].at("mainsnak").at("property"), "P275");
    EXPECT_EQ(claims[1].at("mainsnak").at("datavalue").at("value").at("id"), "Q18199165");
    book.license.clear();
    EXPECT_THROW((void)structured_data_json(book), MetadataError);
}

}  // namespace
}  // namespace digikit::metadata::license_catalogue_test
