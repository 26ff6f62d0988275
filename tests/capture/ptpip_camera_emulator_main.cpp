// Runs the PTP/IP camera emulator by hand, e.g. to try it with the gphoto2 CLI:
//   ptpip_camera_emulator [SERIAL [PORT]] &
//   gphoto2 --port ptpip:127.0.0.1:PORT:PORT --camera "PTP/IP Camera" --capture-image-and-download
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "ptpip_camera_emulator.hpp"

int main(int argc, char** argv)
{
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGINT);
    sigaddset(&stop_signals, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);  // before the server thread starts

    digikit::capture::testing::PtpIpEmulatorSettings settings;
    if (argc > 1) settings.serial = argv[1];
    if (argc > 2) settings.port = std::atoi(argv[2]);
    digikit::capture::testing::PtpIpCameraEmulator emulator(settings);
    std::printf("%s\n", emulator.gphoto2_port().c_str());
    std::fflush(stdout);
    int signal = 0;
    sigwait(&stop_signals, &signal);
    return 0;
}
