#pragma once

// Owners for libgphoto2's C handles, so that every path out of a function frees them.

#include <gphoto2/gphoto2.h>

#include <cstdlib>
#include <memory>

namespace digikit::capture::gphoto2 {

struct ContextUnref {
    void operator()(GPContext* context) const { gp_context_unref(context); }
};
struct CameraUnref {
    void operator()(::Camera* camera) const { gp_camera_unref(camera); }
};
struct WidgetFree {
    void operator()(CameraWidget* widget) const { gp_widget_free(widget); }
};
struct ListFree {
    void operator()(CameraList* list) const { gp_list_free(list); }
};
struct FileUnref {
    void operator()(CameraFile* file) const { gp_file_unref(file); }
};
// Event data and storage lists come from malloc.
struct CFree {
    void operator()(void* memory) const
    {
        std::free(memory);  // NOLINT(cppcoreguidelines-no-malloc,cppcoreguidelines-owning-memory): C API contract
    }
};

using ContextHandle = std::unique_ptr<GPContext, ContextUnref>;
using CameraHandle = std::unique_ptr<::Camera, CameraUnref>;
using WidgetHandle = std::unique_ptr<CameraWidget, WidgetFree>;
using ListHandle = std::unique_ptr<CameraList, ListFree>;
using FileHandle = std::unique_ptr<CameraFile, FileUnref>;
template <typename T>
using CMemory = std::unique_ptr<T, CFree>;

}  // namespace digikit::capture::gphoto2
