// packlist.h: the files `npm pack` puts in a package's tarball.
//
// `lockcut pack` ships a project's own files, and those of its workspaces and
// `file:` link targets, by the rules npm uses to publish them. This is a port
// of npm-packlist 10 (with ignore-walk 8 and minimatch 10, see ignore.h) as
// npm 11 runs it for `npm pack`:
//
// - `files` in package.json: each entry is a glob or a path; a folder brings
//   everything under it; `!` entries and nested .npmignore files still cut;
//   an entry naming a file forces that file in past the root's rules, and
//   past its folder's .npmignore when that folder is at the top (`lib/a.js`),
//   not deeper (`lib/sub/a.js` stays out if lib/sub/.npmignore says so). The
//   root's .npmignore / .gitignore are not read. A string `files` is read
//   character by character, as npm's `for...of` does.
// - without `files`: .npmignore, else .gitignore, in every folder, applied to
//   that folder (an empty .npmignore still hides the .gitignore).
// - always in: package.json, README*, LICENSE* / LICENCE*, COPYING* (at the
//   top, any case, not `*~`), the `main` and `browser` files and each `bin`
//   target (bin as npm normalizes it, `directories.bin` included). `main`
//   and `browser` are taken verbatim: `./index.js` forces nothing in, and an
//   object `browser` becomes the pattern `[object Object]`.
// - always out: .git, .svn, .hg, CVS, .npmrc, .DS_Store, `._*`, `.*.swp`,
//   `*.orig`, npm-debug.log, the ignore files themselves; at the top
//   node_modules, package-lock.json, yarn.lock, pnpm-lock.yaml, bun.lockb;
//   and `.lock-wscript`, `.wafpickle-*`, `build/config.gypi`,
//   `archived-packages/` directly in any folder (npm re-anchors its default
//   rules in each folder it walks). npm-shrinkwrap.json is shipped.
// - symbolic links, sockets and names containing `*` are never packed.
// - a root with workspaces (at least one found on disk): in each subfolder a
//   package.json is read as an ignore file and hides that folder's
//   .npmignore / .gitignore, as npm-packlist does there.
// - a workspace packed from inside its project: the .npmignore (else
//   .gitignore) of the project root and of each folder between it and the
//   workspace apply too (PackOptions::workspace_root).
//
// One deliberate difference: no folder named node_modules is ever entered,
// at any depth. npm leaves out only the top one and then adds the
// `bundleDependencies` it finds there; lockcut ships dependencies itself from
// the lockfile, so it neither bundles nor packs nested node_modules folders
// (npm would pack `lib/node_modules/x.js`). `isProjectRoot`, which only
// decides what npm bundles, has therefore nothing to do here.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "lockcut/result.h"

namespace lockcut {

/// How to pack a folder.
struct PackOptions {
  /// The project root, when the folder packed is one of its workspaces:
  /// then, as when `npm pack` runs inside a workspace, the .npmignore (else
  /// .gitignore) of this folder and of each folder between it and the
  /// workspace also apply. Empty, equal to the packed folder, or not its
  /// workspace (npm checks the same): the folder is packed on its own.
  std::filesystem::path workspace_root = {};
};

/// The files `npm pack` includes from the package folder `dir`: paths
/// relative to `dir`, '/'-separated, sorted byte-wise. Fails when `dir` has no
/// readable package.json, when package.json is malformed or has a `files`
/// npm cannot read, or when a folder or ignore file cannot be read.
Result<std::vector<std::string>> pack_list(const std::filesystem::path& dir,
                                           const PackOptions& options = {});

}  // namespace lockcut
