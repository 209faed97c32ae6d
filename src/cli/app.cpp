#include "cli/app.hpp"

#include <cstdio>

namespace podhop::cli {

int run(int, char**) {
  std::puts("podhop " PODHOP_VERSION);
  return 0;
}

}  // namespace podhop::cli
