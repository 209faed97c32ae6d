#pragma once
// The web servers of the simulated internet (Cluster externalHosts).
//
// Every external host answers HTTP as example.com does: its "Example Domain" page (without
// the page's inline style sheet, to keep traces and goldens short) for GET on any path.
// HEAD gets the headers alone.

#include <string>
#include <string_view>

#include "podhop/dataplane/apps.hpp"

namespace podhop::dataplane {

/// The page every host of the simulated internet serves.
std::string external_web_page();

/// What the external host `host` answers to `method path`.
AppResponse external_web_response(std::string_view host, std::string_view method,
                                  std::string_view path);

}  // namespace podhop::dataplane
