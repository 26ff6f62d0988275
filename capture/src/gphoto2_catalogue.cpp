#include "gphoto2_catalogue.hpp"

#include <string_view>

#include "digikit/capture/camera.hpp"
#include "gphoto2_handles.hpp"

namespace digikit::capture::gphoto2 {

Catalogue& Catalogue::instance()
{
    static Catalogue catalogue;
    return catalogue;
}

Catalogue::Catalogue()
{
    const ContextHandle context(gp_context_new());
    loaded_ = gp_abilities_list_new(&abilities_) >= GP_OK &&
              gp_abilities_list_load(abilities_, context.get()) >= GP_OK && gp_port_info_list_new(&ports_) >= GP_OK &&
              gp_port_info_list_load(ports_) >= GP_OK;
}

Catalogue::~Catalogue()
{
    if (abilities_ != nullptr) gp_abilities_list_free(abilities_);
    if (ports_ != nullptr) gp_port_info_list_free(ports_);
}

void Catalogue::check_loaded() const
{
    if (!loaded_) throw CaptureError("cannot load libgphoto2's camera drivers and ports", false);
}

CameraAbilities Catalogue::abilities(const std::string& model)
{
    const std::lock_guard lock(mutex_);
    check_loaded();
    const int index = gp_abilities_list_lookup_model(abilities_, model.c_str());
    CameraAbilities abilities{};
    if (index < 0 || gp_abilities_list_get_abilities(abilities_, index, &abilities) < GP_OK) {
        throw CaptureError("libgphoto2 has no driver for camera model '" + model + "'", false);
    }
    return abilities;
}

GPPortInfo Catalogue::port(const std::string& path)
{
    const std::lock_guard lock(mutex_);  // a lookup may add a generic port (ptpip:...) to the list
    check_loaded();
    const int index = gp_port_info_list_lookup_path(ports_, path.c_str());
    GPPortInfo info = nullptr;
    if (index < 0 || gp_port_info_list_get_info(ports_, index, &info) < GP_OK) {
        throw CaptureError("libgphoto2 knows no port '" + path + "' (missing iolib, e.g. ptpip?)", false);
    }
    return info;
}

std::vector<Gphoto2Address> Catalogue::detect()
{
    const std::lock_guard lock(mutex_);
    check_loaded();
    std::vector<Gphoto2Address> found;
    CameraList* made = nullptr;
    if (gp_list_new(&made) < GP_OK) return found;
    const ListHandle list(made);
    const ContextHandle context(gp_context_new());
    if (gp_abilities_list_detect(abilities_, ports_, list.get(), context.get()) < GP_OK) return found;
    for (int i = 0; i < gp_list_count(list.get()); ++i) {
        const char* model = nullptr;
        const char* port = nullptr;
        gp_list_get_name(list.get(), i, &model);
        gp_list_get_value(list.get(), i, &port);
        // Only USB: network ports named earlier (ptpip:...) join libgphoto2's list and
        // would be "detected" again whether anything answers there or not.
        if (model != nullptr && port != nullptr && std::string_view(port).starts_with("usb:")) {
            found.push_back({model, port});
        }
    }
    return found;
}

}  // namespace digikit::capture::gphoto2
