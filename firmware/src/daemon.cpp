#include "daemon.hpp"
#include "digikit/base/text.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include <spdlog/sinks/systemd_sink.h>
#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include "console/console_server.hpp"
#include "control_request.hpp"
#include "digikit/base/atomic_file.hpp"
#include "digikit/base/exception_barrier.hpp"
#include "digikit/hardware/control_socket.hpp"
#include "digikit/imaging/page_pipeline.hpp"
#include "kit.hpp"
#include "kit_cameras.hpp"
#include "operator_panel.hpp"
#include "press_queue.hpp"

namespace digikit::firmware {
namespace {

int open_lock_file(const std::filesystem::path& data_dir)
{
    std::filesystem::create_directories(data_dir);
    const auto path = data_dir / "digikit.lock";
    const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) throw std::runtime_error("cannot open " + path.string() + ": " + base::error_text(errno));
    return fd;
}

// SIGTERM and SIGINT are blocked in every thread and taken with sigtimedwait, so the
// shutdown runs on the main thread and not in a signal handler.
sigset_t shutdown_signals()
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    return set;
}

void wait_for_shutdown()
{
    const sigset_t signals = shutdown_signals();
    for (;;) {
        const int signal = sigwaitinfo(&signals, nullptr);
        if (signal == SIGTERM || signal == SIGINT) {
            spdlog::info("{} received: stopping", signal == SIGTERM ? "SIGTERM" : "SIGINT");
            return;
        }
    }
}

// Fed by the event loop at each turn (docs/threads.md), so that a wedged loop stops the
// pings and systemd restarts the daemon; off when the unit sets no WatchdogSec.
std::function<void()> watchdog_feeder()
{
    std::uint64_t watchdog_usec = 0;
    if (sd_watchdog_enabled(0, &watchdog_usec) <= 0) return {};
    return [] { sd_notify(0, "WATCHDOG=1"); };
}

// Under systemd (it sets JOURNAL_STREAM) logs go to the journal with their priority;
// on a terminal they stay on stderr.
void log_to_journal_under_systemd()
{
    // Read once, before the daemon starts any thread: nothing sets the environment.
    if (std::getenv("JOURNAL_STREAM") == nullptr) return;  // NOLINT(concurrency-mt-unsafe)
    auto journal = std::make_shared<spdlog::sinks::systemd_sink_mt>("digikit");
    spdlog::set_default_logger(std::make_shared<spdlog::logger>("digikit", journal));
}

// The web console, when configured; a console that cannot bind (the port is taken) is
// logged and left out: the kit captures without it.
std::unique_ptr<ConsoleServer> start_console(const Config& config, std::optional<std::string> password,
                                             ControlRequest control)
{
    if (config.console.listen.empty()) return nullptr;
    try {
        auto console = std::make_unique<ConsoleServer>(config, std::move(password), std::move(control));
        spdlog::info("console: {}", console->url());
        return console;
    } catch (const std::exception& error) {
        spdlog::error("console: {}; the kit works without it", error.what());
        return nullptr;
    }
}

}  // namespace

DaemonLock::DaemonLock(const std::filesystem::path& data_dir) : fd_(open_lock_file(data_dir))
{
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
        ::close(fd_);
        fd_ = -1;
        throw std::runtime_error("another digikit daemon is already running on " + data_dir.string() + " (" +
                                 daemon_lock_holder(data_dir) + ")");
    }
    const std::string pid = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd_, 0) != 0 || ::pwrite(fd_, pid.data(), pid.size(), 0) < 0) {
        spdlog::warn("cannot record the daemon's pid in the lock file");
    }
}

std::optional<DaemonLock> DaemonLock::try_take(const std::filesystem::path& data_dir)
{
    DaemonLock lock;
    lock.fd_ = open_lock_file(data_dir);
    if (::flock(lock.fd_, LOCK_EX | LOCK_NB) != 0) return std::nullopt;
    return lock;
}

DaemonLock::DaemonLock(DaemonLock&& other) noexcept : fd_(other.fd_)
{
    other.fd_ = -1;
}

DaemonLock::~DaemonLock()
{
    if (fd_ >= 0) ::close(fd_);
}

std::string daemon_lock_holder(const std::filesystem::path& data_dir)
{
    std::ifstream in(data_dir / "digikit.lock");
    std::string pid;
    in >> pid;
    return pid.empty() ? "unknown pid" : "pid " + pid;
}

std::filesystem::path control_socket_path(const std::filesystem::path& data_dir)
{
    return data_dir / "digikit.sock";
}

std::size_t remove_interrupted_writes(const std::filesystem::path& data_dir)
{
    std::size_t removed = base::remove_atomic_temporaries(data_dir);
    std::error_code ec;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(data_dir / "books", ec)) {
        if (entry.is_directory()) removed += base::remove_atomic_temporaries(entry.path());
    }
    return removed;
}

int run_daemon(const Config& config)
{
    const sigset_t signals = shutdown_signals();
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);  // before any thread starts
    log_to_journal_under_systemd();
    // Before anything starts: a console that would be open to a network stops the start.
    auto password = console_password(config);
    check_console_listen(config, password.has_value());

    const DaemonLock lock(config.data_dir);
    if (const auto removed = remove_interrupted_writes(config.data_dir); removed > 0) {
        spdlog::info("removed {} half-written file(s) left by an interruption", removed);
    }
    OperatorPanel panel(config);
    imaging::prepare_tables();  // before the camera threads start encoding
    auto cameras = open_kit_cameras(config);
    if (!cameras->complete()) spdlog::warn("waiting for cameras: {}", cameras->missing());
    Kit kit(config, std::move(cameras), [&panel](Feedback signal) { panel.show(signal); });
    base::run_behind_barrier([&kit] { kit.publish_status(); }, {});  // the event loop publishes it from now on
    PressQueue presses(kit, std::chrono::seconds(1), watchdog_feeder());
    // Cameras are looked for by the press thread, between presses.
    const capture::DeviceWatch devices([&presses](bool usb_changed) { presses.post_device_check(usb_changed); },
                                       log_camera_report);
    panel.start([&presses](hardware::Button button) { (void)presses.post(button); });
    for (const auto& source : panel.describe()) spdlog::info("buttons: {}", source);
    const auto control = [&kit, &presses](const std::string& request) {
        return handle_control_request(kit, presses, request);
    };
    hardware::ControlSocketOptions socket;
    socket.refusal = [](const std::string& reason) { return control_answer(false, reason); };
    socket.on_problem = [](const std::string& problem) { spdlog::error("control socket: {}", problem); };
    const hardware::ControlSocketServer server(control_socket_path(config.data_dir), control, socket);
    const auto console = start_console(config, std::move(password), control);
    spdlog::info("digikit ready on {} ({} camera(s))", config.data_dir.string(),
                 kit.status().value("cameras", nlohmann::json::array()).size());
    sd_notify(0, "READY=1");
    wait_for_shutdown();
    sd_notify(0, "STOPPING=1");
    panel.stop();
    return 0;
}

}  // namespace digikit::firmware
