#pragma once
// Invariant checks. A failed check is a bug in podhop, never a problem with the user's
// input: it prints where and why, then aborts.

#include <cstdio>
#include <cstdlib>

#define PODHOP_CHECK(cond, msg)                                                         \
  do {                                                                                  \
    if (!(cond)) {                                                                      \
      std::fprintf(stderr, "podhop: internal error at %s:%d: %s (%s)\n", __FILE__,      \
                   __LINE__, msg, #cond);                                               \
      std::abort();                                                                     \
    }                                                                                   \
  } while (0)
