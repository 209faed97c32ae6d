#include "podhop/dataplane/external_web.hpp"

namespace podhop::dataplane {

std::string external_web_page() {
  return "<!doctype html>\n"
         "<html>\n"
         "<head>\n"
         "    <title>Example Domain</title>\n"
         "    <meta charset=\"utf-8\" />\n"
         "</head>\n"
         "<body>\n"
         "<div>\n"
         "    <h1>Example Domain</h1>\n"
         "    <p>This domain is for use in illustrative examples in documents. You may use this\n"
         "    domain in literature without prior coordination or asking for permission.</p>\n"
         "    <p><a href=\"https://www.iana.org/domains/example\">More information...</a></p>\n"
         "</div>\n"
         "</body>\n"
         "</html>\n";
}

AppResponse external_web_response(std::string_view /*host*/, std::string_view method,
                                  std::string_view /*path*/) {
  AppResponse r;
  r.status = 200;
  std::string page = external_web_page();
  r.headers = {{"Content-Type", "text/html"},
               {"Content-Length", std::to_string(page.size())},
               {"Cache-Control", "max-age=3000"}};
  if (method != "HEAD") r.body = std::move(page);
  return r;
}

}  // namespace podhop::dataplane
