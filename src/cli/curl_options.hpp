#pragma once
// `podhop curl`'s own options, told apart from curl's: --from, -n, -o json and the global
// options (which podhop accepts after the command too). Everything else is curl's.
//
// Because every podhop command takes -f for manifests, curl's -f must be written --fail
// here; `-o json` prints the result document, any other -o is curl's output file.

#include <string>
#include <vector>

#include "cli/context.hpp"
#include "podhop/dataplane/request.hpp"

namespace podhop::cli {

/// `podhop curl`'s arguments, sorted out.
struct PodhopCurlArgs {
  dataplane::ClientRef from = dataplane::ClientRef::external();
  std::string from_text = "external";
  bool json = false;
  std::vector<std::string> curl_args;  // for dataplane::parse_curl_args
  std::string error;                   // set when podhop's own options are unusable
};

/// Splits the arguments after `curl`; global options found there are applied to `global`.
PodhopCurlArgs split_podhop_curl_args(const std::vector<std::string>& args, GlobalOptions& global);

/// Parses --from: "external", "node/NAME", "pod/NAME" (namespace `ns`) or
/// "pod/NAMESPACE/NAME". Returns false with `error` set when the text is none of these.
bool parse_from(const std::string& text, const std::string& ns, dataplane::ClientRef& out,
                std::string& error);

}  // namespace podhop::cli
