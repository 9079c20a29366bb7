// integrity.cc: SRI parsing (ssri's loose mode) and OpenSSL EVP digests.
//
// ssri splits on whitespace, reads `algo-base64[?opts]`, ignores algorithms
// it does not know and picks the strongest of the rest; lockcut does the
// same for the four algorithms npm has ever written into a lockfile.
#include "lockcut/integrity.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace lockcut {

namespace {

const EVP_MD* evp_md(HashAlgo algo) {
  switch (algo) {
    case HashAlgo::sha1: return EVP_sha1();
    case HashAlgo::sha256: return EVP_sha256();
    case HashAlgo::sha384: return EVP_sha384();
    case HashAlgo::sha512: return EVP_sha512();
  }
  return EVP_sha512();
}

size_t digest_size(HashAlgo algo) {
  switch (algo) {
    case HashAlgo::sha1: return 20;
    case HashAlgo::sha256: return 32;
    case HashAlgo::sha384: return 48;
    case HashAlgo::sha512: return 64;
  }
  return 0;
}

std::optional<HashAlgo> algo_from_name(std::string_view name) {
  if (name == "sha1") return HashAlgo::sha1;
  if (name == "sha256") return HashAlgo::sha256;
  if (name == "sha384") return HashAlgo::sha384;
  if (name == "sha512") return HashAlgo::sha512;
  return std::nullopt;
}

constexpr std::string_view kBase64 =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

}  // namespace

std::optional<std::string> base64_decode(std::string_view in) {
  while (!in.empty() && in.back() == '=') in.remove_suffix(1);
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    size_t v = kBase64.find(c);
    if (v == std::string_view::npos) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

std::string base64_encode(std::string_view in) {
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    for (int s : {18, 12, 6, 0}) out += kBase64[(v >> s) & 63];
  }
  if (size_t rest = in.size() - i) {
    uint32_t v = uint8_t(in[i]) << 16;
    if (rest == 2) v |= uint8_t(in[i + 1]) << 8;
    out += kBase64[(v >> 18) & 63];
    out += kBase64[(v >> 12) & 63];
    out += rest == 2 ? kBase64[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::string_view algo_name(HashAlgo algo) {
  switch (algo) {
    case HashAlgo::sha1: return "sha1";
    case HashAlgo::sha256: return "sha256";
    case HashAlgo::sha384: return "sha384";
    case HashAlgo::sha512: return "sha512";
  }
  return "sha512";
}

std::string Integrity::to_string() const {
  return std::string(algo_name(algo)) + "-" + base64_encode(digest);
}

std::string Integrity::hex() const { return to_hex(digest); }

std::string to_hex(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

std::optional<Integrity> parse_integrity(std::string_view sri) {
  std::optional<Integrity> best;
  size_t i = 0;
  while (i < sri.size()) {
    while (i < sri.size() && std::strchr(" \t\r\n", sri[i])) ++i;
    size_t end = i;
    while (end < sri.size() && !std::strchr(" \t\r\n", sri[end])) ++end;
    std::string_view part = sri.substr(i, end - i);
    i = end;
    size_t dash = part.find('-');
    if (dash == std::string_view::npos) continue;
    std::optional<HashAlgo> algo = algo_from_name(part.substr(0, dash));
    std::string_view b64 = part.substr(dash + 1);
    b64 = b64.substr(0, b64.find('?'));  // SRI options are ignored by npm
    std::optional<std::string> digest = base64_decode(b64);
    if (!algo || !digest || digest->size() != digest_size(*algo)) continue;
    if (!best || *algo > best->algo) best = Integrity{*algo, std::move(*digest)};
  }
  return best;
}

struct IntegrityChecker::Ctx {
  EVP_MD_CTX* md = EVP_MD_CTX_new();
  ~Ctx() { EVP_MD_CTX_free(md); }
};

IntegrityChecker::IntegrityChecker(HashAlgo algo) : algo_(algo), ctx_(std::make_unique<Ctx>()) {
  EVP_DigestInit_ex(ctx_->md, evp_md(algo), nullptr);
}
IntegrityChecker::IntegrityChecker(IntegrityChecker&&) noexcept = default;
IntegrityChecker& IntegrityChecker::operator=(IntegrityChecker&&) noexcept = default;
IntegrityChecker::~IntegrityChecker() = default;

void IntegrityChecker::update(const void* data, size_t size) {
  EVP_DigestUpdate(ctx_->md, data, size);
}

Integrity IntegrityChecker::finish() {
  std::array<unsigned char, EVP_MAX_MD_SIZE> out;
  unsigned int size = 0;
  EVP_DigestFinal_ex(ctx_->md, out.data(), &size);
  return Integrity{algo_, std::string(reinterpret_cast<const char*>(out.data()), size)};
}

Result<Integrity> hash_file(const std::string& path, HashAlgo algo) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return system_error("cannot read '" + path + "': " + std::strerror(errno));
  IntegrityChecker checker(algo);
  std::array<char, 1 << 16> buf;
  ssize_t n;
  while ((n = ::read(fd, buf.data(), buf.size())) > 0) checker.update(buf.data(), size_t(n));
  int err = errno;
  ::close(fd);
  if (n < 0) return system_error("cannot read '" + path + "': " + std::strerror(err));
  return checker.finish();
}

}  // namespace lockcut
