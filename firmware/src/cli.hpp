#pragma once

namespace digikit::firmware {

// The `digikit` command line. Exit codes: 0 success, 1 failure, 2 usage error; every
// failure prints one line on stderr.
int run_cli(int argc, char** argv);

}  // namespace digikit::firmware
