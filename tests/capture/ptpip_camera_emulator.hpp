#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace digikit::capture::testing {

// What the emulated camera says about itself and what it photographs.
struct PtpIpEmulatorSettings {
    std::string manufacturer = "digikit test rig";
    std::string model = "Emulated PTP/IP camera";
    std::string serial = "EMU0001";
    int image_width = 640;  // the photographs it takes (rendered book pages)
    int image_height = 480;
    std::uint64_t seed = 1;
    int port = 0;  // 0: any free port; a given one to come back where a camera was
};

// A PTP/IP camera on 127.0.0.1 (a free port), enough of one for libgphoto2's ptp2
// driver to open it, capture, download and delete: the init command and event
// handshake, GetDeviceInfo, Open/CloseSession, GetStorageIDs, GetStorageInfo,
// GetObjectHandles, GetObjectInfo, GetObject, InitiateCapture (ObjectAdded and
// CaptureComplete events follow), DeleteObject. One client at a time; the command
// and the event connection both arrive on the one port.
//
// Two device properties can be read and set (GetDevicePropDesc, GetDevicePropValue,
// SetDevicePropValue): ISO (ExposureIndex) and aperture (FNumber, in 1/100).
//
// Faults for tests: set_busy() answers DeviceBusy to every operation but the session
// ones; vanish_on_next_capture() drops both connections and stops listening when the
// next InitiateCapture arrives, as a camera unplugged mid-shot.
class PtpIpCameraEmulator {
public:
    explicit PtpIpCameraEmulator(PtpIpEmulatorSettings settings = {});
    PtpIpCameraEmulator(const PtpIpCameraEmulator&) = delete;
    PtpIpCameraEmulator& operator=(const PtpIpCameraEmulator&) = delete;
    ~PtpIpCameraEmulator();

    [[nodiscard]] int port() const { return port_; }
    // The libgphoto2 port path. libgphoto2 2.5.30 connects the event channel to
    // 15740 unless a second port is given, hence "ptpip:127.0.0.1:P:P".
    [[nodiscard]] std::string gphoto2_port() const;

    static constexpr std::uint16_t iso_property = 0x500F;       // ExposureIndex: 100 .. 1600
    static constexpr std::uint16_t aperture_property = 0x5007;  // FNumber: 280 (f/2.8) .. 1100 (f/11)
    [[nodiscard]] std::uint16_t property(std::uint16_t code) const;
    // As the operator turning a dial on the camera.
    void set_property(std::uint16_t code, std::uint16_t value);

    void set_busy(bool busy) { busy_ = busy; }
    void vanish_on_next_capture() { vanish_ = true; }

    // When each InitiateCapture arrived, in order.
    [[nodiscard]] std::vector<std::chrono::steady_clock::time_point> capture_times() const;
    [[nodiscard]] std::size_t objects_on_card() const;
    [[nodiscard]] std::size_t objects_deleted() const;

private:
    struct Packet {
        std::uint32_t type = 0;
        std::vector<std::uint8_t> payload;
    };
    struct Request {
        std::uint16_t code = 0;
        std::uint32_t transaction = 0;
        std::vector<std::uint32_t> params;
        bool sends_data = false;
    };

    void serve();
    void accept_connection();
    bool handle_command_packet();
    void handle_request(const Request& request, const std::vector<std::uint8_t>& host_data);
    void handle_property(const Request& request, const std::vector<std::uint8_t>& host_data);
    void respond(std::uint32_t transaction, std::uint16_t code, const std::vector<std::uint32_t>& params = {});
    void send_data(std::uint32_t transaction, const std::vector<std::uint8_t>& data);
    void send_event(std::uint16_t code, std::uint32_t param);
    void capture(const Request& request);
    void drop_connections();

    [[nodiscard]] std::vector<std::uint8_t> device_info() const;
    [[nodiscard]] std::vector<std::uint8_t> storage_info() const;
    [[nodiscard]] std::vector<std::uint8_t> object_info(std::uint32_t handle) const;

    struct Property {
        std::vector<std::uint16_t> choices;
        std::uint16_t current = 0;
    };

    PtpIpEmulatorSettings settings_;
    int listen_fd_ = -1;
    int wake_fd_ = -1;
    int command_fd_ = -1;
    int event_fd_ = -1;
    int port_ = 0;
    bool session_open_ = false;
    std::atomic<bool> busy_{false};
    std::atomic<bool> vanish_{false};
    std::atomic<bool> stopping_{false};

    mutable std::mutex mutex_;  // guards what tests read while the server runs
    std::map<std::uint32_t, std::vector<std::uint8_t>> objects_;
    std::map<std::uint16_t, Property> properties_{{iso_property, {{100, 200, 400, 800, 1600}, 100}},
                                                  {aperture_property, {{280, 400, 560, 800, 1100}, 560}}};
    std::vector<std::chrono::steady_clock::time_point> capture_times_;
    std::uint32_t next_handle_ = 1;
    std::size_t deleted_ = 0;
    int shots_ = 0;

    std::thread server_;
};

}  // namespace digikit::capture::testing
