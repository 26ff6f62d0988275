#include "cli.hpp"

int main(int argc, char** argv)
{
    return digikit::firmware::run_cli(argc, argv);
}
