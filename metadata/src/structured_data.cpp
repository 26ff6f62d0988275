#include "digikit/metadata/structured_data.hpp"

#include <nlohmann/json.hpp>

#include "digikit/metadata/license_catalogue.hpp"

namespace digikit::metadata {

namespace {

using nlohmann::json;

[[nodiscard]] json item_snak(std::string_view property, std::string_view qid)
{
    const std::string id(qid);
    return {{"snaktype", "value"},
            {"property", std::string(property)},
            {"datavalue",
             {{"type", "wikibase-entityid"},
              {"value", {{"entity-type", "item"}, {"numeric-id", std::stoll(id.substr(1))}, {"id", id}}}}}};
}

[[nodiscard]] json statement(std::string_view property, std::string_view qid, json qualifiers = json::object())
{
    json claim = {{"type", "statement"}, {"rank", "normal"}, {"mainsnak", item_snak(property, qid)}};
    if (!qualifiers.empty()) {
        claim["qualifiers"] = std::move(qualifiers);
    }
    return claim;
}

}  // namespace

std::string structured_data_json(const BookMetadata& book)
{
    validate(book);
    const License* license = book.license.empty() ? nullptr : find_license(book.license);
    if (license == nullptr) {
        throw MetadataError("license: missing (structured data needs a licence)");
    }
    json qualifiers = json::object();
    if (!license->jurisdiction_qid.empty()) {
        qualifiers["P1001"] = json::array({item_snak("P1001", license->jurisdiction_qid)});
    }
    if (!license->determination_method_qid.empty()) {
        qualifiers["P459"] = json::array({item_snak("P459", license->determination_method_qid)});
    }
    json claims = json::array({statement("P6216", license->copyright_status_qid, std::move(qualifiers))});
    if (!license->license_qid.empty()) {
        claims.push_back(statement("P275", license->license_qid));
    }
    if (!book.wikidata.empty()) {
        claims.push_back(statement("P6243", book.wikidata));
    }
    return json{{"claims", std::move(claims)}}.dump();
}

}  // namespace digikit::metadata
