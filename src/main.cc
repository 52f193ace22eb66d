#include "cli/command.h"

int main(int argc, char** argv) { return honeyvt::cli::Run(argc, argv); }
