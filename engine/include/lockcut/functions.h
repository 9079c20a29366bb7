// functions.h: several functions of a monorepo packed in one run, and the
// Lambda layer they can share.
//
// The functions come from `lockcut.json` (or the `"lockcut"` field of the
// root package.json), so CI runs one command:
//
//   {
//     "functions": {
//       "@acme/thumbnail-fn": {"zip": "dist/thumbnail-fn.zip"},
//       "@acme/admin-cli": {"zip": "dist/admin-cli.zip"}
//     },
//     "layer": {"zip": "dist/shared-layer.zip"}
//   }
//
// Each key is a workspace (name or folder) and each value its output
// (`zip`, `out` or `tar`, relative to the project). With `layer`, the
// packages every function ships (same place, name and version) go into one
// layer zip under `nodejs/` (Lambda puts /opt/nodejs/node_modules on
// NODE_PATH), and each function holds only what the layer lacks. What all
// functions need is closed under dependencies (each closure is), so nothing
// in the layer needs a package that only a function has.
#pragma once

#include <string>
#include <vector>

#include "lockcut/plan.h"
#include "lockcut/result.h"

namespace lockcut {

/// One function: a workspace and where it goes.
struct FunctionSpec {
  std::string workspace;  ///< name or folder, as --workspace takes it
  std::string output;     ///< relative to the project unless absolute
  std::string kind;       ///< "zip", "folder" or "tar"
};

/// The functions of a project and their shared layer.
struct FunctionsConfig {
  std::vector<FunctionSpec> functions;  ///< in the file's order
  std::string layer;                    ///< the layer zip; "" for none
  std::string origin;                   ///< the file it was read from, for messages
};

/// Reads `file` when given, else `<dir>/lockcut.json`, else the `"lockcut"`
/// field of `<dir>/package.json`. Errors name the file, the key and what
/// to write instead.
Result<FunctionsConfig> load_functions_config(const std::string& dir, const std::string& file);

/// Moves the packages every plan ships (the same dest, name and version;
/// not own files, hidden folders or `.bin`) out of the function plans into
/// a new plan under `nodejs/`, and returns it.
PackPlan split_shared_layer(const std::vector<PackPlan*>& functions);

}  // namespace lockcut
