#pragma once
// curl as it runs inside a pod: its command line, and the exact text it prints.
//
// podhop emulates curl 8.8 (curlimages/curl:8.8.0, the tutorial's client image): the body
// on stdout, the progress meter on stderr when it is not silenced (kubectl exec without -t
// gives curl a pipe, not a terminal, so the meter shows), -v's "*", ">" and "<" lines,
// -i headers, -w variables, and curl's error messages and exit codes. The requests
// themselves are the pipeline's; this header only parses and prints.
// docs/life-of-a-request.md lists the options and messages.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "podhop/core/time.hpp"
#include "podhop/dataplane/apps.hpp"
#include "podhop/dataplane/request.hpp"
#include "podhop/trace/result.hpp"

namespace podhop::dataplane {

/// The User-Agent and version podhop's curl reports.
inline constexpr std::string_view kCurlVersion = "8.8.0";

/// A curl command line, parsed.
struct CurlOptions {
  std::vector<std::string> urls;
  bool silent = false;              // -s
  bool show_error = false;          // -S
  bool verbose = false;             // -v
  bool include = false;             // -i
  bool head = false;                // -I
  bool insecure = false;            // -k
  bool location = false;            // -L
  bool fail = false;                // -f
  bool no_progress_meter = false;   // --no-progress-meter
  std::string method;               // -X; empty: GET, POST with -d, HEAD with -I
  std::vector<HttpHeader> headers;  // -H, in order
  std::optional<std::string> data;  // -d, several joined with '&'
  std::vector<ResolveOverride> resolve;
  std::optional<core::Duration> connect_timeout;  // --connect-timeout
  std::optional<core::Duration> max_time;         // -m, --max-time
  std::string write_out;                          // -w
  std::optional<std::string> output;              // -o FILE ("-" is stdout)
  int max_redirs = 50;                            // --max-redirs
  /// --cacert FILE: the file's name and its PEM text (read when the options are parsed,
  /// as curl reads it before connecting).
  std::string cacert;
  std::shared_ptr<const std::string> ca_bundle;
  /// podhop's --repeat N: N requests instead of one, summarised (0: off).
  int repeat = 0;
  /// podhop's --keepalive with --repeat: the N requests share one connection.
  bool keepalive = false;
  /// Set by podhop port-forward: the tunnel localhost:LOCAL stands for.
  std::optional<PortForward> port_forward;

  /// Set when the command line is not usable: curl's exit code (2 for a bad option, 3 for
  /// no URL) and its message (without the "curl: " prefix).
  int error_code = 0;
  std::string error;
  bool ok() const { return error_code == 0; }

  /// The method curl uses: -X, else HEAD for -I, POST for -d, GET.
  std::string effective_method() const;
  /// The pipeline request for one URL.
  RequestSpec request_for(const std::string& url) const;
};

/// Parses curl's arguments (without the program name), the way curl's getopt does:
/// combined short flags (-sSL), values glued or separate (-XPOST, -X POST), long options.
CurlOptions parse_curl_args(const std::vector<std::string>& args);

/// One transfer curl made, in order.
struct CurlTransfer {
  trace::RequestRecord record;
  /// A redirect curl followed (-L): its body is not written.
  bool followed = false;
};

/// What curl printed and how it exited.
struct CurlOutput {
  std::string out;
  std::string err;
  int exit_code = 0;
};

/// The text curl prints for its transfers (stdout and stderr) and its exit code.
CurlOutput render_curl(const CurlOptions& options, const std::vector<CurlTransfer>& transfers);

/// The URL a redirect's Location points at, resolved against the URL that answered; empty
/// when there is none.
std::string redirect_target(const trace::RequestRecord& record);
/// True when curl -L follows this response (3xx with a Location).
bool is_followed_redirect(const trace::RequestRecord& record);

/// One line of curl's progress meter (without the leading '\r'), for `bytes` of `total`
/// received after `elapsed`.
std::string progress_line(std::int64_t total, std::int64_t bytes, core::Duration elapsed);

}  // namespace podhop::dataplane
