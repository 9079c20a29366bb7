// result.h: how the engine reports failure without exceptions.
//
// Every stage returns a Result<T>: the value, or an Error naming what went
// wrong and what the user can do. Only the command line turns an Error into
// text and an exit code (STYLE.md: user input errors exit 1, system failures
// exit 2), so the library never prints and never exits.
#pragma once

#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace lockcut {

/// Who is at fault, which decides the exit code.
enum class ErrorKind : unsigned char {
  user_input,   ///< the project or the command line is wrong (exit 1)
  system,       ///< I/O or an internal failure (exit 2)
  interrupted,  ///< the user asked us to stop (exit 130)
};

/// A failure: one lowercase line without a trailing period, plus hints that
/// tell the user what to do.
struct Error {
  ErrorKind kind = ErrorKind::user_input;
  std::string message;
  std::vector<std::string> hints;
};

/// Builds a user-input error.
inline Error user_error(std::string message, std::vector<std::string> hints = {}) {
  return Error{ErrorKind::user_input, std::move(message), std::move(hints)};
}

/// Builds a system error.
inline Error system_error(std::string message, std::vector<std::string> hints = {}) {
  return Error{ErrorKind::system, std::move(message), std::move(hints)};
}

/// A value or an Error.
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}    // NOLINT: implicit by design

  /// True when a value is held.
  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  /// The value; only valid when ok().
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }

  /// The error; only valid when !ok().
  const Error& error() const { return std::get<1>(v_); }
  Error&& take_error() { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

/// Result of an operation that produces nothing but may fail.
struct Ok {};
using Status = Result<Ok>;

}  // namespace lockcut
