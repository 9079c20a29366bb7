// output.h: outputs that appear whole or not at all.
//
// Every output lockcut writes (a folder, a zip, a tar) is first written under
// a temporary name in the destination's own folder, so the final rename is
// atomic on the same filesystem. An existing output is replaced only when
// the caller allows it, and then only after the new one is complete. When
// anything fails, or the run is interrupted, the temporary output is removed
// and the destination is left as it was: lockcut never leaves a half-written
// output behind and never touches anything but the output it was given.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "lockcut/result.h"

namespace lockcut {

/// A temporary output beside its destination, removed unless committed.
class TempOutput {
 public:
  /// Reserves a temporary name beside `dest` (which is made absolute). Fails
  /// when `dest` exists and `replace` is false, or its folder does not exist.
  static Result<TempOutput> create(const std::string& dest, bool replace);
  TempOutput(TempOutput&& other) noexcept;
  TempOutput& operator=(TempOutput&&) = delete;
  ~TempOutput();

  /// The absolute destination.
  const std::string& dest() const { return dest_; }
  /// The temporary path to write to (not created yet).
  const std::string& path() const { return path_; }
  /// Renames the temporary output into place (replacing the old output when
  /// allowed, which is then removed).
  Status commit();

 private:
  TempOutput() = default;
  std::string dest_, path_;
  bool replace_ = false;
  bool committed_ = false;
};

/// Checks that an output can be written at `dest`: its folder exists, and
/// it does not exist yet unless `replace`. Used before any work is done.
Status check_output(const std::string& dest, bool replace);

/// Hints for a failed write with this errno (a full disk, a size limit).
std::vector<std::string> write_error_hints(int err);

/// Removes a file or a folder tree that lockcut itself created.
void remove_tree(const std::string& path);

/// Set by the command line's SIGINT handler; long loops check it.
std::atomic<bool>& interrupt_flag();
/// The error every stage returns once interrupt_flag() is set.
Error interrupted_error();

}  // namespace lockcut
