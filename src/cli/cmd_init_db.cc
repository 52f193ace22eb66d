#include <iostream>

#include "cli/common_options.h"
#include "cli/handlers.h"
#include "store/logsql.h"

namespace honeyvt::cli {

int InitDbMain(const Invocation& inv) {
  CLI::App app("Create a new dionaea logsql database whose schema and seed rows are exactly "
               "those of dionaea master (4e459f1). Refuses to overwrite an existing file.",
               inv.program);
  std::string path;
  app.add_option("PATH", path, "database file to create")->required();
  if (int rc = ParseArgs(app, inv); rc >= 0) return rc;
  auto created = store::Logsql::Create(path);
  if (!created) {
    PrintError(created.error().message);
    return kExitFailure;
  }
  std::cout << "created " << path << ": dionaea logsql schema, era "
            << created->era().Describe() << "\n";
  return kExitOk;
}

}  // namespace honeyvt::cli
