#include "pipeline/process.h"

#include <gtest/gtest.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

namespace honeyvt::pipeline {
namespace {

// The daemon could leave a core file (with the API key in it) when it crashed.
TEST(ProcessTest, MakeUndumpableLeavesNoCoreAndClosesProc) {
  // In a child, so the test binary itself stays debuggable.
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    int code = 0;
    if (::prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 1) code |= 1;  // dumpable before
    if (!MakeUndumpable()) code |= 2;
    if (::prctl(PR_GET_DUMPABLE, 0, 0, 0, 0) != 0) code |= 4;
    rlimit core{};
    if (::getrlimit(RLIMIT_CORE, &core) != 0 || core.rlim_cur != 0 || core.rlim_max != 0) {
      code |= 8;
    }
    ::_exit(code);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "bits: 1 not dumpable before, 2 failed, 4 still "
                                       "dumpable, 8 core limit not 0";
}

}  // namespace
}  // namespace honeyvt::pipeline
