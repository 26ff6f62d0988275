#include "gphoto2_settings.hpp"

#include <stdexcept>

#include "digikit/base/text.hpp"
#include "gphoto2_handles.hpp"

namespace digikit::capture::gphoto2 {
namespace {

WidgetHandle find_widget(::Camera* camera, GPContext* context, const char* name)
{
    CameraWidget* widget = nullptr;
    if (gp_camera_get_single_config(camera, name, &widget, context) < GP_OK) return nullptr;
    return WidgetHandle(widget);
}

int set_choice(CameraWidget* widget, const std::string& name, const std::string& value)
{
    std::string offered;
    bool found = false;
    for (int i = 0; i < gp_widget_count_choices(widget); ++i) {
        const char* choice = nullptr;
        if (gp_widget_get_choice(widget, i, &choice) < GP_OK || choice == nullptr) continue;
        found = found || value == choice;
        offered += std::string(offered.empty() ? "" : ", ") + choice;
    }
    if (!found) {
        throw std::invalid_argument("setting '" + name + "' cannot be '" + value + "' (offered: " + offered + ")");
    }
    return gp_widget_set_value(widget, value.c_str());
}

int set_number(CameraWidget* widget, const std::string& name, const std::string& value)
{
    float low = 0;
    float high = 0;
    float step = 0;
    gp_widget_get_range(widget, &low, &high, &step);
    float number = low - 1;  // not a number: reported as out of range
    try {
        number = std::stof(value);
    } catch (const std::exception&) {
    }
    if (number < low || number > high) {
        throw std::invalid_argument("setting '" + name + "' must be a number from " + std::to_string(low) + " to " +
                                    std::to_string(high) + ", not '" + value + "'");
    }
    return gp_widget_set_value(widget, &number);
}

int set_toggle(CameraWidget* widget, const std::string& value)
{
    const std::string v = base::ascii_lower(value);
    int on = (v == "1" || v == "on" || v == "true" || v == "yes") ? 1 : 0;
    return gp_widget_set_value(widget, &on);
}

}  // namespace

std::string read_setting(::Camera* camera, GPContext* context, const char* name)
{
    const auto widget = find_widget(camera, context, name);
    const char* value = nullptr;
    if (widget == nullptr || gp_widget_get_value(widget.get(), &value) < GP_OK || value == nullptr) return {};
    return value;
}

void choose_setting_containing(::Camera* camera, GPContext* context, const char* name, std::string_view fragment)
{
    const auto widget = find_widget(camera, context, name);
    if (widget == nullptr) return;
    for (int i = 0; i < gp_widget_count_choices(widget.get()); ++i) {
        const char* choice = nullptr;
        if (gp_widget_get_choice(widget.get(), i, &choice) >= GP_OK && choice != nullptr &&
            base::ascii_lower(choice).find(fragment) != std::string::npos) {
            gp_widget_set_value(widget.get(), choice);
            gp_camera_set_single_config(camera, name, widget.get(), context);
            return;
        }
    }
}

int apply_setting(::Camera* camera, GPContext* context, const std::string& name, const std::string& value)
{
    const auto widget = find_widget(camera, context, name.c_str());
    if (widget == nullptr) throw std::invalid_argument("has no setting '" + name + "'");
    CameraWidgetType type = GP_WIDGET_TEXT;
    gp_widget_get_type(widget.get(), &type);
    int rc = GP_OK;
    switch (type) {
        case GP_WIDGET_RADIO:
        case GP_WIDGET_MENU: rc = set_choice(widget.get(), name, value); break;
        case GP_WIDGET_TEXT: rc = gp_widget_set_value(widget.get(), value.c_str()); break;
        case GP_WIDGET_RANGE: rc = set_number(widget.get(), name, value); break;
        case GP_WIDGET_TOGGLE: rc = set_toggle(widget.get(), value); break;
        default: throw std::invalid_argument("setting '" + name + "' is not a value that can be set");
    }
    if (rc < GP_OK) return rc;
    return gp_camera_set_single_config(camera, name.c_str(), widget.get(), context);
}

}  // namespace digikit::capture::gphoto2
