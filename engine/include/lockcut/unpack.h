// unpack.h: a verified package tarball -> a package folder, as npm extracts it.
//
// pacote's rules (lib/fetcher.js): the first path component is stripped
// whatever its name (`package/`, or anything else); only regular files and
// folders are kept, links are dropped; owners and mtimes are not restored;
// file modes become `(mode | 0666) & ~022 | 0600` (0644, or 0755 when the
// tarball marks the file executable), folders 0755, and the files named by
// package.json `bin` get their execute bits; a `.gitignore` becomes
// `.npmignore` unless the package has one. lockcut is stricter than npm
// about hostile tarballs: an absolute path, a `..` component, a device or a
// fifo, or a link pointing outside the package fails the whole unpack.
// The folder is built under a temporary name beside its destination and
// renamed at the end, so a failure leaves nothing behind.
#pragma once

#include <string>

#include "lockcut/result.h"

namespace lockcut {

/// Unpacks the .tgz (or plain .tar) at `tarball` into the new folder `dest`,
/// which must not exist yet (its parent must). `what` names the package in
/// errors (`left-pad@1.3.0`).
Status unpack_tarball(const std::string& tarball, const std::string& dest, const std::string& what);

}  // namespace lockcut
