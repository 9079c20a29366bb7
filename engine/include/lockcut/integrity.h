// integrity.h: Subresource Integrity strings and the digests behind them.
//
// A lockfile's `integrity` is an SRI value (ssri): `sha512-<base64>`, older
// entries `sha1-<base64>`, sometimes several hashes separated by spaces.
// npm checks the strongest algorithm it knows, so lockcut does too. Digests
// are computed while bytes stream by (a download, a file being copied), so
// a tarball is read once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "lockcut/result.h"

namespace lockcut {

/// The algorithms npm may record, weakest first (the order of strength).
enum class HashAlgo : uint8_t { sha1, sha256, sha384, sha512 };

/// "sha1", "sha256", "sha384" or "sha512".
std::string_view algo_name(HashAlgo algo);

/// One digest: the algorithm and the raw digest bytes.
struct Integrity {
  HashAlgo algo = HashAlgo::sha512;
  std::string digest;  ///< raw bytes, not base64

  /// The SRI form, `sha512-<base64>`.
  std::string to_string() const;
  /// Lowercase hex of the digest (cacache's content path).
  std::string hex() const;
  bool operator==(const Integrity&) const = default;
};

/// The strongest hash in an SRI string. Unknown algorithms and malformed
/// parts are skipped as ssri does; nullopt when nothing usable is left
/// (an empty string included).
std::optional<Integrity> parse_integrity(std::string_view sri);

/// Lowercase hex of raw bytes.
std::string to_hex(std::string_view bytes);

/// Standard base64 with padding (SRI digests, HTTP Basic credentials).
std::string base64_encode(std::string_view bytes);
/// Decodes standard base64 (padding optional); nullopt on a foreign character.
std::optional<std::string> base64_decode(std::string_view text);

/// A digest computed over chunks fed in order.
class IntegrityChecker {
 public:
  explicit IntegrityChecker(HashAlgo algo);
  IntegrityChecker(IntegrityChecker&&) noexcept;
  IntegrityChecker& operator=(IntegrityChecker&&) noexcept;
  ~IntegrityChecker();

  /// Adds the next chunk.
  void update(const void* data, size_t size);
  /// The digest of everything fed so far; the checker is then spent.
  Integrity finish();
  /// The algorithm being computed.
  HashAlgo algo() const { return algo_; }

 private:
  struct Ctx;
  HashAlgo algo_;
  std::unique_ptr<Ctx> ctx_;
};

/// The digest of a whole file; a system error when it cannot be read.
Result<Integrity> hash_file(const std::string& path, HashAlgo algo);

}  // namespace lockcut
