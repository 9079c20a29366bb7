// fetch.cc: caches first, then parallel downloads (see fetch.h).
//
// Lookups are cheap and run first, so offline mode can name every missing
// package at once and a warm cache never touches the network. Downloads are
// deduplicated by URL (one package at several locations is one download),
// then driven by one curl multi handle on the calling thread: at most
// `parallel` transfers, each streaming into its own store writer. A failed
// attempt that npm would retry (a dropped connection, a timeout, 408, 429,
// 5xx) waits min(mintimeout * factor^(n-1), maxtimeout) as promise-retry
// does, then starts over with an empty writer. The first failure that will
// not be retried ends the run; the destructors abort the other transfers
// and remove their temporary files.
#include "lockcut/fetch.h"


#include <algorithm>
#include <chrono>
#include <cmath>
#include <map>
#include <memory>
#include <mutex>
#include <optional>

#include "curl_api.h"
#include "lockcut/integrity.h"
#include "lockcut/npm_cache.h"
#include "lockcut/output.h"
#include "lockcut/registry.h"
#include "lockcut/tarball_store.h"

namespace lockcut {

namespace {

using Clock = std::chrono::steady_clock;

// npm's fetch-* settings (@npmcli/config definitions), milliseconds.
struct RetryPolicy {
  int retries = 2;
  long min_ms = 10000, max_ms = 60000, timeout_ms = 300000;
  double factor = 10;

  long backoff_ms(int attempt) const {
    double ms = double(min_ms) * std::pow(factor, attempt - 1);
    return long(std::min(ms, double(max_ms)));
  }
};

long config_number(const NpmConfig& c, const std::string& key, long fallback) {
  std::optional<std::string> v = c.get(key);
  if (!v) return fallback;
  char* end = nullptr;
  long n = std::strtol(v->c_str(), &end, 10);
  return end && *end == '\0' && n >= 0 ? n : fallback;
}

RetryPolicy retry_policy(const FetchOptions& o) {
  RetryPolicy p;
  p.retries = o.retries >= 0 ? o.retries : int(config_number(o.config, "fetch-retries", 2));
  p.min_ms = config_number(o.config, "fetch-retry-mintimeout", p.min_ms);
  p.max_ms = config_number(o.config, "fetch-retry-maxtimeout", p.max_ms);
  p.factor = double(config_number(o.config, "fetch-retry-factor", 10));
  p.timeout_ms = config_number(o.config, "fetch-timeout", p.timeout_ms);
  return p;
}

std::string what(const TarballRequest& r) {
  return r.name + "@" + r.version + (r.location.empty() ? "" : " (" + r.location + ")");
}

// One URL to download, for one or more requests.
struct Job {
  const TarballRequest* request = nullptr;
  std::string url, authorization;
  std::optional<Integrity> expected;
  std::vector<size_t> requests;
  int attempt = 0;
  Clock::time_point not_before{};
  const detail::CurlApi* curl = nullptr;  ///< set when the job starts
  CURL* easy = nullptr;
  curl_slist* headers = nullptr;
  std::optional<TarballWriter> writer;
  std::optional<Error> write_error;
  char error[CURL_ERROR_SIZE] = {};
};

size_t on_data(char* data, size_t size, size_t count, void* user) {
  Job& job = *static_cast<Job*>(user);
  long status = 0;
  job.curl->easy_getinfo(job.easy, CURLINFO_RESPONSE_CODE, &status);
  // an error page's body is not a tarball: let it go by
  if (status != 200) return size * count;
  if (Status s = job.writer->write(data, size * count); !s) {
    job.write_error = s.take_error();
    return 0;
  }
  return size * count;
}

bool retryable_status(long status) { return status == 408 || status == 420 || status == 429 || status >= 500; }

bool retryable_curl(CURLcode code) {
  switch (code) {
    case CURLE_WRITE_ERROR:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
    case CURLE_TOO_MANY_REDIRECTS:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_ABORTED_BY_CALLBACK:
      return false;
    default:
      return true;
  }
}

// Owns the multi handle and every job's easy handle.
class Downloader {
 public:
  Downloader(const detail::CurlApi& curl, std::vector<Job>& jobs, const FetchOptions& options,
             const TarballStore& store)
      : curl_(curl), jobs_(jobs), options_(options), store_(store), policy_(retry_policy(options)) {
    multi_ = curl_.multi_init();
  }
  ~Downloader() {
    for (Job& job : jobs_) stop(job);
    curl_.multi_cleanup(multi_);
  }
  Downloader(const Downloader&) = delete;
  Downloader& operator=(const Downloader&) = delete;

  /// Runs every job; fills `paths[i]` for job i.
  Status run(std::vector<std::string>& paths);

 private:
  Status start(Job& job);
  void stop(Job& job);
  /// nullopt: done or scheduled for a retry; an Error: give up.
  std::optional<Error> finish(Job& job, CURLcode code, std::string& path);
  std::string proxy_for(const std::string& url) const;

  const detail::CurlApi& curl_;
  std::vector<Job>& jobs_;
  const FetchOptions& options_;
  const TarballStore& store_;
  RetryPolicy policy_;
  CURLM* multi_;
};

std::string Downloader::proxy_for(const std::string& url) const {
  const NpmConfig& c = options_.config;
  if (url.starts_with("https:")) {
    if (auto p = c.get("https-proxy")) return *p;
  }
  return c.get("proxy").value_or("");
}

Status Downloader::start(Job& job) {
  Result<TarballWriter> writer = store_.create(job.expected ? job.expected->algo : HashAlgo::sha512);
  if (!writer) return writer.take_error();
  job.writer.emplace(std::move(writer).value());
  job.write_error.reset();
  job.error[0] = '\0';
  ++job.attempt;
  job.curl = &curl_;
  CURL* e = job.easy = curl_.easy_init();
  curl_.easy_setopt(e, CURLOPT_URL, job.url.c_str());
  curl_.easy_setopt(e, CURLOPT_PRIVATE, &job);
  curl_.easy_setopt(e, CURLOPT_WRITEFUNCTION, on_data);
  curl_.easy_setopt(e, CURLOPT_WRITEDATA, &job);
  curl_.easy_setopt(e, CURLOPT_ERRORBUFFER, job.error);
  curl_.easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_.easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_.easy_setopt(e, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  // libcurl drops a custom Authorization header when a redirect leaves the
  // host, which is npm's rule too
  curl_.easy_setopt(e, CURLOPT_FOLLOWLOCATION, 1L);
  curl_.easy_setopt(e, CURLOPT_MAXREDIRS, 10L);
  curl_.easy_setopt(e, CURLOPT_USERAGENT, "lockcut");
  curl_.easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, 10000L);
  // fetch-timeout is an idle limit in npm; a stalled body is the same thing
  curl_.easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_.easy_setopt(e, CURLOPT_LOW_SPEED_TIME, std::max(1L, policy_.timeout_ms / 1000));
  if (std::string proxy = proxy_for(job.url); !proxy.empty()) {
    curl_.easy_setopt(e, CURLOPT_PROXY, proxy.c_str());
  }
  if (auto noproxy = options_.config.get("noproxy")) curl_.easy_setopt(e, CURLOPT_NOPROXY, noproxy->c_str());
  if (auto ca = options_.config.get("cafile")) curl_.easy_setopt(e, CURLOPT_CAINFO, ca->c_str());
  if (options_.config.flag("strict-ssl") == false) curl_.easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
  if (!job.authorization.empty()) {
    job.headers = curl_.slist_append(nullptr, ("Authorization: " + job.authorization).c_str());
    curl_.easy_setopt(e, CURLOPT_HTTPHEADER, job.headers);
  }
  curl_.multi_add_handle(multi_, e);
  return Ok{};
}

void Downloader::stop(Job& job) {
  if (job.easy) {
    curl_.multi_remove_handle(multi_, job.easy);
    curl_.easy_cleanup(job.easy);
    job.easy = nullptr;
  }
  curl_.slist_free_all(job.headers);
  job.headers = nullptr;
  job.writer.reset();
}

std::optional<Error> Downloader::finish(Job& job, CURLcode code, std::string& path) {
  long status = 0;
  curl_.easy_getinfo(job.easy, CURLINFO_RESPONSE_CODE, &status);
  std::string who = what(*job.request);
  if (job.write_error) {
    Error e = *job.write_error;
    stop(job);
    return e;
  }
  if (code == CURLE_OK && status == 200) {
    Integrity actual = job.writer->digest();
    if (job.expected && actual != *job.expected) {
      stop(job);
      return user_error("integrity check failed for " + who + ": " + job.url + " sent " +
                            actual.to_string() + " but the lockfile expects " +
                            job.expected->to_string() + "; nothing was saved",
                        {"if the package really changed on the registry, regenerate the lockfile "
                         "with `npm install`",
                         "if a proxy or mirror serves stale bytes, clear its cache entry for this "
                         "URL and run again"});
    }
    Result<std::string> committed = job.writer->commit(job.expected.value_or(actual));
    stop(job);
    if (!committed) return committed.take_error();
    path = std::move(committed).value();
    return std::nullopt;
  }
  bool retry = code == CURLE_OK ? retryable_status(status) : retryable_curl(code);
  std::string failure = code == CURLE_OK ? "HTTP " + std::to_string(status)
                                         : std::string(job.error[0] ? job.error : curl_.easy_strerror(code));
  stop(job);
  if (retry && job.attempt <= policy_.retries) {
    job.not_before = Clock::now() + std::chrono::milliseconds(policy_.backoff_ms(job.attempt));
    return std::nullopt;
  }
  std::string message = "cannot download " + who + " from " + job.url + ": " + failure;
  if (job.attempt > 1) message += " (" + std::to_string(job.attempt) + " attempts)";
  if (status == 401 || status == 403) {
    return user_error(message, {"the registry wants credentials: add `//<host>/:_authToken=${TOKEN}` "
                                "for this registry to .npmrc (as `npm login` does)"});
  }
  if (status == 404) {
    return user_error(message, {"check `registry` and `@scope:registry` in .npmrc, or regenerate "
                                "the lockfile with `npm install`"});
  }
  return system_error(message, {"check the network and the proxy settings (https-proxy, "
                                "HTTPS_PROXY), or raise fetch-retries / fetch-timeout"});
}

Status Downloader::run(std::vector<std::string>& paths) {
  std::vector<size_t> waiting(jobs_.size());
  for (size_t i = 0; i < jobs_.size(); ++i) waiting[i] = i;
  size_t active = 0, done = 0;
  paths.assign(jobs_.size(), {});
  const size_t parallel = size_t(std::max(1, options_.parallel));
  while (done < jobs_.size()) {
    if (interrupt_flag()) return interrupted_error();
    Clock::time_point now = Clock::now();
    for (auto it = waiting.begin(); it != waiting.end() && active < parallel;) {
      Job& job = jobs_[*it];
      if (job.not_before > now) {
        ++it;
        continue;
      }
      if (Status s = start(job); !s) return s;
      ++active;
      it = waiting.erase(it);
    }
    int running = 0;
    curl_.multi_perform(multi_, &running);
    int left = 0;
    while (CURLMsg* msg = curl_.multi_info_read(multi_, &left)) {
      if (msg->msg != CURLMSG_DONE) continue;
      Job* job = nullptr;
      curl_.easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &job);
      --active;
      size_t index = size_t(job - jobs_.data());
      if (std::optional<Error> e = finish(*job, msg->data.result, paths[index])) return *e;
      if (paths[index].empty()) waiting.push_back(index);
      else ++done;
    }
    if (done == jobs_.size()) break;
    // wake up for the next retry that can start, at the latest in a second
    Clock::time_point next = Clock::now() + std::chrono::seconds(1);
    if (active < parallel) {
      for (size_t i : waiting) next = std::min(next, jobs_[i].not_before);
    }
    auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next - Clock::now());
    curl_.multi_poll(multi_, nullptr, 0, int(std::clamp<long>(long(wait.count()), 0, 1000)), nullptr);
  }
  return Ok{};
}

}  // namespace

std::string_view source_name(TarballSource source) {
  switch (source) {
    case TarballSource::lockcut_cache: return "lockcut-cache";
    case TarballSource::npm_cache: return "npm-cache";
    case TarballSource::registry: return "registry";
  }
  return "registry";
}

Result<std::vector<FetchedTarball>> fetch_tarballs(const std::vector<TarballRequest>& requests,
                                                   const FetchOptions& options) {
  RegistryConfig registry{options.config, options.default_registry.empty()
                                              ? npm_default_registry()
                                              : options.default_registry};
  TarballStore store(options.store_dir.empty() ? TarballStore::default_dir() : options.store_dir);
  std::string cacache =
      options.npm_cache_dir.empty() ? npm_cacache_dir(options.config) : options.npm_cache_dir;
  bool offline = options.offline || options.config.flag("offline") == true;

  std::vector<FetchedTarball> out(requests.size());
  std::vector<Job> jobs;
  std::map<std::string, size_t> job_of_url;
  std::vector<std::string> missing;
  for (size_t i = 0; i < requests.size(); ++i) {
    const TarballRequest& r = requests[i];
    std::optional<Integrity> expected = parse_integrity(r.integrity);
    if (!r.integrity.empty() && !expected) {
      return user_error("the lockfile's integrity for " + what(r) + " is not a valid sha512, "
                        "sha384, sha256 or sha1 value: '" + r.integrity + "'",
                        {"regenerate the lockfile with `npm install`"});
    }
    Result<std::string> url = tarball_url(r.name, r.version, r.resolved, registry);
    out[i].url = url ? *url : r.resolved;
    if (expected) {
      if (auto path = store.find(*expected)) {
        out[i] = {*path, TarballSource::lockcut_cache, out[i].url};
        continue;
      }
    }
    if (auto hit = find_in_npm_cache(cacache, expected, url ? *url : "")) {
      const Integrity& want = expected ? *expected : hit->integrity;
      // npm's cache is not ours to repair: a damaged entry is just a miss
      if (Result<Integrity> got = hash_file(hit->path, want.algo); got && *got == want) {
        out[i] = {hit->path, TarballSource::npm_cache, out[i].url};
        continue;
      }
    }
    if (!url) return url.take_error();
    if (offline) {
      missing.push_back(what(r));
      continue;
    }
    auto [it, fresh] = job_of_url.try_emplace(*url, jobs.size());
    if (fresh) {
      Job& job = jobs.emplace_back();
      job.request = &r;
      job.url = *url;
      job.authorization = authorization_for(*url, r.name, registry);
      job.expected = expected;
    }
    jobs[it->second].requests.push_back(i);
  }
  if (!missing.empty()) {
    std::string list;
    for (size_t i = 0; i < missing.size() && i < 20; ++i) list += (i ? ", " : "") + missing[i];
    if (missing.size() > 20) list += ", and " + std::to_string(missing.size() - 20) + " more";
    return user_error(std::to_string(missing.size()) + " package" + (missing.size() == 1 ? " is" : "s are") +
                          " in no cache and the network is off: " + list,
                      {"run `lockcut fetch` once while online to fill the cache, or `npm ci` "
                       "to fill npm's cache"});
  }
  if (jobs.empty()) return out;
  if (store.dir().empty()) {
    return system_error("no folder for lockcut's tarball cache: neither XDG_CACHE_HOME nor HOME is set",
                        {"set HOME or XDG_CACHE_HOME"});
  }
  std::vector<std::string> paths;
  auto curl = detail::curl_api();
  if (!curl) return curl.take_error();
  Downloader downloader(*curl.value(), jobs, options, store);
  if (Status s = downloader.run(paths); !s) return s.take_error();
  for (size_t j = 0; j < jobs.size(); ++j) {
    for (size_t i : jobs[j].requests) out[i] = {paths[j], TarballSource::registry, jobs[j].url};
  }
  return out;
}

}  // namespace lockcut
