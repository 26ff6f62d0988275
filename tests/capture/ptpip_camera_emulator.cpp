#include "ptpip_camera_emulator.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>

#include "digikit/capture/page_photo_renderer.hpp"

namespace digikit::capture::testing {
namespace {

// PTP/IP packet types (the PTP/IP specification, CIPA DC-005).
constexpr std::uint32_t init_command_request = 1;
constexpr std::uint32_t init_command_ack = 2;
constexpr std::uint32_t init_event_request = 3;
constexpr std::uint32_t init_event_ack = 4;
constexpr std::uint32_t command_request = 6;
constexpr std::uint32_t command_response = 7;
constexpr std::uint32_t event_packet = 8;
constexpr std::uint32_t start_data = 9;
constexpr std::uint32_t data_packet = 10;
constexpr std::uint32_t end_data = 12;

// PTP operation, response and event codes and formats (ISO 15740).
namespace op {
constexpr std::uint16_t get_device_info = 0x1001;
constexpr std::uint16_t open_session = 0x1002;
constexpr std::uint16_t close_session = 0x1003;
constexpr std::uint16_t get_storage_ids = 0x1004;
constexpr std::uint16_t get_storage_info = 0x1005;
constexpr std::uint16_t get_object_handles = 0x1007;
constexpr std::uint16_t get_object_info = 0x1008;
constexpr std::uint16_t get_object = 0x1009;
constexpr std::uint16_t delete_object = 0x100B;
constexpr std::uint16_t initiate_capture = 0x100E;
constexpr std::uint16_t get_device_prop_desc = 0x1014;
constexpr std::uint16_t get_device_prop_value = 0x1015;
constexpr std::uint16_t set_device_prop_value = 0x1016;
}  // namespace op
namespace rc {
constexpr std::uint16_t ok = 0x2001;
constexpr std::uint16_t session_not_open = 0x2003;
constexpr std::uint16_t operation_not_supported = 0x2005;
constexpr std::uint16_t invalid_storage_id = 0x2008;
constexpr std::uint16_t invalid_object_handle = 0x2009;
constexpr std::uint16_t device_busy = 0x2019;
constexpr std::uint16_t device_prop_not_supported = 0x200A;
constexpr std::uint16_t invalid_device_prop_value = 0x201C;
constexpr std::uint16_t session_already_open = 0x201E;
}  // namespace rc
constexpr std::uint16_t event_object_added = 0x4002;
constexpr std::uint16_t event_capture_complete = 0x400D;
constexpr std::uint16_t format_exif_jpeg = 0x3801;
constexpr std::uint32_t storage_id = 0x00010001;
constexpr std::size_t data_chunk = std::size_t{64} * 1024;

// Little-endian PTP dataset writer.
class Dataset {
public:
    Dataset& u8(std::uint8_t v)
    {
        bytes_.push_back(v);
        return *this;
    }
    Dataset& u16(std::uint16_t v) { return little_endian(v, 2); }
    Dataset& u32(std::uint32_t v) { return little_endian(v, 4); }
    Dataset& u64(std::uint64_t v) { return little_endian(v, 8); }
    // A PTP string: a count of UTF-16 units including the terminator, then the units.
    Dataset& string(const std::string& text)
    {
        if (text.empty()) return u8(0);
        u8(static_cast<std::uint8_t>(text.size() + 1));
        for (char c : text) u16(static_cast<std::uint8_t>(c));
        return u16(0);
    }
    Dataset& u16_array(const std::vector<std::uint16_t>& values)
    {
        u32(static_cast<std::uint32_t>(values.size()));
        for (auto v : values) u16(v);
        return *this;
    }
    Dataset& u32_array(const std::vector<std::uint32_t>& values)
    {
        u32(static_cast<std::uint32_t>(values.size()));
        for (auto v : values) u32(v);
        return *this;
    }
    Dataset& bytes(const std::vector<std::uint8_t>& data)
    {
        bytes_.insert(bytes_.end(), data.begin(), data.end());
        return *this;
    }
    [[nodiscard]] const std::vector<std::uint8_t>& get() const { return bytes_; }

private:
    Dataset& little_endian(std::uint64_t v, int size)
    {
        for (int i = 0; i < size; ++i) bytes_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
        return *this;
    }
    std::vector<std::uint8_t> bytes_;
};

std::uint32_t read_u32(const std::uint8_t* p)
{
    return static_cast<std::uint32_t>(p[0]) | static_cast<std::uint32_t>(p[1]) << 8U |
           static_cast<std::uint32_t>(p[2]) << 16U | static_cast<std::uint32_t>(p[3]) << 24U;
}

std::uint16_t read_u16(const std::uint8_t* p)
{
    return static_cast<std::uint16_t>(p[0] | p[1] << 8U);
}

bool read_exact(int fd, std::uint8_t* buffer, std::size_t size)
{
    std::size_t done = 0;
    while (done < size) {
        const ssize_t n = ::recv(fd, buffer + done, size - done, 0);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

bool write_all(int fd, const std::uint8_t* buffer, std::size_t size)
{
    std::size_t done = 0;
    while (done < size) {
        const ssize_t n = ::send(fd, buffer + done, size - done, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<std::size_t>(n);
    }
    return true;
}

bool write_packet(int fd, std::uint32_t type, const std::vector<std::uint8_t>& payload)
{
    if (fd < 0) return false;
    Dataset packet;
    packet.u32(static_cast<std::uint32_t>(payload.size() + 8)).u32(type).bytes(payload);
    return write_all(fd, packet.get().data(), packet.get().size());
}

void close_fd(int& fd)
{
    if (fd >= 0) ::close(fd);
    fd = -1;
}

std::string file_name(std::uint32_t handle)
{
    std::string digits = std::to_string(handle);
    return "IMG_" + std::string(4 - std::min<std::size_t>(4, digits.size()), '0') + digits + ".JPG";
}

}  // namespace

PtpIpCameraEmulator::PtpIpCameraEmulator(PtpIpEmulatorSettings settings) : settings_(std::move(settings))
{
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listen_fd_ < 0) throw std::system_error(errno, std::generic_category(), "PTP/IP emulator: socket");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<std::uint16_t>(settings_.port));  // 0: the kernel picks a free one
    const int reuse = 1;  // a replugged camera takes its old port back at once
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &reuse, sizeof(reuse));
    socklen_t length = sizeof(address);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
        ::listen(listen_fd_, 4) != 0 ||
        ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
        const int error = errno;
        close_fd(listen_fd_);
        throw std::system_error(error, std::generic_category(), "PTP/IP emulator: cannot listen on 127.0.0.1");
    }
    port_ = ntohs(address.sin_port);
    wake_fd_ = ::eventfd(0, EFD_CLOEXEC);
    server_ = std::thread([this] { serve(); });
}

PtpIpCameraEmulator::~PtpIpCameraEmulator()
{
    stopping_ = true;
    const std::uint64_t one = 1;
    if (::write(wake_fd_, &one, sizeof(one)) < 0) {
        // The server polls the wake fd; if even that write fails there is nothing better to do.
    }
    server_.join();
    drop_connections();
    close_fd(listen_fd_);
    close_fd(wake_fd_);
}

std::string PtpIpCameraEmulator::gphoto2_port() const
{
    return "ptpip:127.0.0.1:" + std::to_string(port_) + ":" + std::to_string(port_);
}

std::vector<std::chrono::steady_clock::time_point> PtpIpCameraEmulator::capture_times() const
{
    const std::lock_guard lock(mutex_);
    return capture_times_;
}

std::size_t PtpIpCameraEmulator::objects_on_card() const
{
    const std::lock_guard lock(mutex_);
    return objects_.size();
}

std::size_t PtpIpCameraEmulator::objects_deleted() const
{
    const std::lock_guard lock(mutex_);
    return deleted_;
}

void PtpIpCameraEmulator::serve()
{
    while (!stopping_) {
        std::vector<pollfd> fds{{wake_fd_, POLLIN, 0}};
        if (listen_fd_ >= 0) fds.push_back({listen_fd_, POLLIN, 0});
        if (command_fd_ >= 0) fds.push_back({command_fd_, POLLIN, 0});
        if (event_fd_ >= 0) fds.push_back({event_fd_, POLLIN, 0});
        if (::poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR) continue;
            return;
        }
        for (const auto& p : fds) {
            if (p.revents == 0 || stopping_) continue;
            if (p.fd == wake_fd_) return;
            if (p.fd == listen_fd_) {
                accept_connection();
            } else if (p.fd == command_fd_) {
                if (!handle_command_packet()) drop_connections();
            } else if (p.fd == event_fd_) {
                // The client sends nothing on the event channel but its goodbye.
                std::uint8_t byte = 0;
                if (::recv(event_fd_, &byte, 1, 0) <= 0) close_fd(event_fd_);
            }
            break;  // the fd set may have changed
        }
    }
}

// A new connection says what it is in its first packet: the command channel's
// InitCommandRequest or the event channel's InitEventRequest.
void PtpIpCameraEmulator::accept_connection()
{
    int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) return;
    // Responses go out as several small packets: without this, Nagle's algorithm and
    // delayed ACKs add some 40 ms to every operation.
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    std::uint8_t header[8];
    if (!read_exact(fd, header, sizeof(header))) {
        ::close(fd);
        return;
    }
    const std::uint32_t length = read_u32(header);
    const std::uint32_t type = read_u32(header + 4);
    std::vector<std::uint8_t> payload(length >= 8 ? length - 8 : 0);
    if (length < 8 || length > 4096 || !read_exact(fd, payload.data(), payload.size())) {
        ::close(fd);
        return;
    }
    if (type == init_command_request) {
        drop_connections();  // a new client replaces the old one
        command_fd_ = fd;
        Dataset ack;
        ack.u32(1);                                                                // connection number
        for (int i = 0; i < 16; ++i) ack.u8(static_cast<std::uint8_t>(0xD0 + i));  // the camera's GUID
        for (char c : settings_.model) ack.u16(static_cast<std::uint8_t>(c));
        ack.u16(0).u32(0x00010000);  // name terminator, protocol version 1.0
        if (!write_packet(command_fd_, init_command_ack, ack.get())) drop_connections();
    } else if (type == init_event_request && command_fd_ >= 0) {
        close_fd(event_fd_);
        event_fd_ = fd;
        if (!write_packet(event_fd_, init_event_ack, {})) close_fd(event_fd_);
    } else {
        ::close(fd);
    }
}

void PtpIpCameraEmulator::drop_connections()
{
    close_fd(command_fd_);
    close_fd(event_fd_);
    session_open_ = false;
}

bool PtpIpCameraEmulator::handle_command_packet()
{
    std::uint8_t header[8];
    if (!read_exact(command_fd_, header, sizeof(header))) return false;
    const std::uint32_t length = read_u32(header);
    if (length < 8 || length > 1024 * 1024) return false;
    Packet packet{read_u32(header + 4), std::vector<std::uint8_t>(length - 8)};
    if (!read_exact(command_fd_, packet.payload.data(), packet.payload.size())) return false;
    if (packet.type != command_request) return true;  // stray data of an unsupported send: ignore
    if (packet.payload.size() < 10) return false;
    Request request;
    request.sends_data = read_u32(packet.payload.data()) == 2;
    request.code = read_u16(packet.payload.data() + 4);
    request.transaction = read_u32(packet.payload.data() + 6);
    for (std::size_t at = 10; at + 4 <= packet.payload.size(); at += 4) {
        request.params.push_back(read_u32(packet.payload.data() + at));
    }
    std::vector<std::uint8_t> host_data;
    if (request.sends_data) {
        // StartData, then Data packets up to EndData, each after the transaction id.
        for (;;) {
            if (!read_exact(command_fd_, header, sizeof(header))) return false;
            const std::uint32_t size = read_u32(header);
            if (size < 12 || size > 1024 * 1024) return false;
            std::vector<std::uint8_t> body(size - 8);
            if (!read_exact(command_fd_, body.data(), body.size())) return false;
            const std::uint32_t type = read_u32(header + 4);
            if (type == data_packet || type == end_data)
                host_data.insert(host_data.end(), body.begin() + 4, body.end());
            if (type == end_data) break;
        }
    }
    handle_request(request, host_data);
    return command_fd_ >= 0 || stopping_;
}

void PtpIpCameraEmulator::handle_request(const Request& r, const std::vector<std::uint8_t>& host_data)
{
    const auto param = [&r](std::size_t i) { return i < r.params.size() ? r.params[i] : 0U; };
    if (r.code == op::get_device_info) return send_data(r.transaction, device_info());
    if (r.sends_data && r.code != op::set_device_prop_value) return respond(r.transaction, rc::operation_not_supported);
    if (r.code == op::open_session) {
        const bool was_open = session_open_;
        session_open_ = true;
        return respond(r.transaction, was_open ? rc::session_already_open : rc::ok);
    }
    if (!session_open_) return respond(r.transaction, rc::session_not_open);
    if (r.code == op::close_session) {
        session_open_ = false;
        return respond(r.transaction, rc::ok);
    }
    if (busy_) return respond(r.transaction, rc::device_busy);

    switch (r.code) {
        case op::get_storage_ids: return send_data(r.transaction, Dataset().u32_array({storage_id}).get());
        case op::get_storage_info:
            if (param(0) != storage_id) return respond(r.transaction, rc::invalid_storage_id);
            return send_data(r.transaction, storage_info());
        case op::get_object_handles: {
            std::vector<std::uint32_t> handles;
            const bool any_storage = param(0) == 0xFFFFFFFFU || param(0) == storage_id;
            const bool jpeg_or_any = param(1) == 0 || param(1) == format_exif_jpeg;
            const bool at_root = param(2) == 0 || param(2) == 0xFFFFFFFFU;  // everything lies in the root
            if (any_storage && jpeg_or_any && at_root) {
                const std::lock_guard lock(mutex_);
                for (const auto& [handle, bytes] : objects_) handles.push_back(handle);
            }
            return send_data(r.transaction, Dataset().u32_array(handles).get());
        }
        case op::get_object_info: {
            std::vector<std::uint8_t> info = object_info(param(0));
            if (info.empty()) return respond(r.transaction, rc::invalid_object_handle);
            return send_data(r.transaction, info);
        }
        case op::get_object: {
            std::vector<std::uint8_t> bytes;
            {
                const std::lock_guard lock(mutex_);
                const auto it = objects_.find(param(0));
                if (it == objects_.end()) return respond(r.transaction, rc::invalid_object_handle);
                bytes = it->second;
            }
            return send_data(r.transaction, bytes);
        }
        case op::delete_object: {
            const std::lock_guard lock(mutex_);
            if (objects_.erase(param(0)) == 0) return respond(r.transaction, rc::invalid_object_handle);
            ++deleted_;
            return respond(r.transaction, rc::ok);
        }
        case op::initiate_capture: return capture(r);
        case op::get_device_prop_desc:
        case op::get_device_prop_value:
        case op::set_device_prop_value: return handle_property(r, host_data);
        default: return respond(r.transaction, rc::operation_not_supported);
    }
}

std::uint16_t PtpIpCameraEmulator::property(std::uint16_t code) const
{
    const std::lock_guard lock(mutex_);
    return properties_.at(code).current;
}

void PtpIpCameraEmulator::set_property(std::uint16_t code, std::uint16_t value)
{
    const std::lock_guard lock(mutex_);
    properties_.at(code).current = value;
}

// The properties are all UINT16 with an enumeration of allowed values.
void PtpIpCameraEmulator::handle_property(const Request& r, const std::vector<std::uint8_t>& host_data)
{
    constexpr std::uint16_t type_uint16 = 0x0004;
    constexpr std::uint8_t get_set = 1;
    constexpr std::uint8_t form_enumeration = 2;
    const auto code = static_cast<std::uint16_t>(r.params.empty() ? 0 : r.params[0]);
    std::unique_lock lock(mutex_);
    const auto it = properties_.find(code);
    if (it == properties_.end()) {
        lock.unlock();
        return respond(r.transaction, rc::device_prop_not_supported);
    }
    Property& property = it->second;
    if (r.code == op::set_device_prop_value) {
        if (host_data.size() < 2) {
            lock.unlock();
            return respond(r.transaction, rc::invalid_device_prop_value);
        }
        const std::uint16_t value = read_u16(host_data.data());
        const bool allowed =
            std::find(property.choices.begin(), property.choices.end(), value) != property.choices.end();
        if (allowed) property.current = value;
        lock.unlock();
        return respond(r.transaction, allowed ? rc::ok : rc::invalid_device_prop_value);
    }
    Dataset data;
    if (r.code == op::get_device_prop_value) {
        data.u16(property.current);
    } else {
        data.u16(code)
            .u16(type_uint16)
            .u8(get_set)
            .u16(property.choices.front())
            .u16(property.current)
            .u8(form_enumeration);
        data.u16(static_cast<std::uint16_t>(property.choices.size()));
        for (auto choice : property.choices) data.u16(choice);
    }
    lock.unlock();
    send_data(r.transaction, data.get());
}

// Takes a picture: answers at once, as cameras do, then reports the new file and the
// end of the capture on the event channel.
void PtpIpCameraEmulator::capture(const Request& request)
{
    {
        const std::lock_guard lock(mutex_);
        capture_times_.push_back(std::chrono::steady_clock::now());
    }
    if (vanish_) {
        drop_connections();
        close_fd(listen_fd_);
        return;
    }
    PagePhotoSpec spec;
    spec.seed = settings_.seed * 1000 + static_cast<std::uint64_t>(++shots_);
    spec.width = settings_.image_width;
    spec.height = settings_.image_height;
    spec.first_page_number = shots_;
    std::vector<std::uint8_t> jpeg = encode_camera_jpeg(render_page_photo(spec).bgr);
    std::uint32_t handle = 0;
    {
        const std::lock_guard lock(mutex_);
        handle = next_handle_++;
        objects_[handle] = std::move(jpeg);
    }
    respond(request.transaction, rc::ok);
    send_event(event_object_added, handle);
    send_event(event_capture_complete, 0);
}

void PtpIpCameraEmulator::respond(std::uint32_t transaction, std::uint16_t code,
                                  const std::vector<std::uint32_t>& params)
{
    Dataset response;
    response.u16(code).u32(transaction);
    for (auto p : params) response.u32(p);
    if (!write_packet(command_fd_, command_response, response.get())) drop_connections();
}

// A data phase: StartData with the total, the bytes in Data packets, the last of them
// as EndData, then the response.
void PtpIpCameraEmulator::send_data(std::uint32_t transaction, const std::vector<std::uint8_t>& data)
{
    if (!write_packet(command_fd_, start_data, Dataset().u32(transaction).u64(data.size()).get())) {
        drop_connections();
        return;
    }
    std::size_t at = 0;
    do {
        const std::size_t size = std::min(data_chunk, data.size() - at);
        const bool last = at + size == data.size();
        Dataset chunk;
        chunk.u32(transaction);
        std::vector<std::uint8_t> part(data.begin() + static_cast<std::ptrdiff_t>(at),
                                       data.begin() + static_cast<std::ptrdiff_t>(at + size));
        chunk.bytes(part);
        if (!write_packet(command_fd_, last ? end_data : data_packet, chunk.get())) {
            drop_connections();
            return;
        }
        at += size;
    } while (at < data.size());
    respond(transaction, rc::ok);
}

void PtpIpCameraEmulator::send_event(std::uint16_t code, std::uint32_t param)
{
    if (!write_packet(event_fd_, event_packet, Dataset().u16(code).u32(0xFFFFFFFFU).u32(param).get())) {
        close_fd(event_fd_);
    }
}

std::vector<std::uint8_t> PtpIpCameraEmulator::device_info() const
{
    Dataset info;
    info.u16(100)  // PTP 1.00
        .u32(0)    // no vendor extension: the ptp2 driver's generic path
        .u16(0)
        .string("")
        .u16(0)  // standard functional mode
        .u16_array({op::get_device_info, op::open_session, op::close_session, op::get_storage_ids, op::get_storage_info,
                    op::get_object_handles, op::get_object_info, op::get_object, op::delete_object,
                    op::initiate_capture, op::get_device_prop_desc, op::get_device_prop_value,
                    op::set_device_prop_value})
        .u16_array({event_object_added, event_capture_complete})
        .u16_array({iso_property, aperture_property})
        .u16_array({format_exif_jpeg})  // capture formats
        .u16_array({format_exif_jpeg})  // image formats
        .string(settings_.manufacturer)
        .string(settings_.model)
        .string("1.0")
        .string(settings_.serial);
    return info.get();
}

std::vector<std::uint8_t> PtpIpCameraEmulator::storage_info() const
{
    constexpr std::uint64_t capacity = 32ULL * 1024 * 1024 * 1024;
    return Dataset()
        .u16(0x0004)  // removable RAM (a card)
        .u16(0x0002)  // generic hierarchical
        .u16(0x0000)  // read-write
        .u64(capacity)
        .u64(capacity / 2)
        .u32(0xFFFFFFFFU)
        .string("SD card")
        .string("EMULATED")
        .get();
}

std::vector<std::uint8_t> PtpIpCameraEmulator::object_info(std::uint32_t handle) const
{
    std::size_t size = 0;
    {
        const std::lock_guard lock(mutex_);
        const auto it = objects_.find(handle);
        if (it == objects_.end()) return {};
        size = it->second.size();
    }
    return Dataset()
        .u32(storage_id)
        .u16(format_exif_jpeg)
        .u16(0)  // not protected
        .u32(static_cast<std::uint32_t>(size))
        .u16(0)  // no thumbnail
        .u32(0)
        .u32(0)
        .u32(0)
        .u32(static_cast<std::uint32_t>(settings_.image_width))
        .u32(static_cast<std::uint32_t>(settings_.image_height))
        .u32(24)
        .u32(0)  // parent: the root
        .u16(0)
        .u32(0)
        .u32(0)
        .string(file_name(handle))
        .string("20260101T120000")
        .string("20260101T120000")
        .string("")
        .get();
}

}  // namespace digikit::capture::testing
