// curl's command line and output, as the pipeline's front end prints them.
#include <catch2/catch.hpp>

#include "podhop/dataplane/curl.hpp"

using podhop::core::Duration;
using podhop::core::Ipv4;
using podhop::trace::Address;
using podhop::trace::Outcome;
using podhop::trace::RequestRecord;
using namespace podhop::dataplane;

namespace {

RequestRecord ok_record() {
  RequestRecord r;
  r.url = "http://app2-svc:9999/";
  r.status = 200;
  r.body = "Hello world";
  r.headers = {{"Content-Type", "text/plain"}, {"Content-Length", "11"}};
  r.remote = Address{*Ipv4::parse("10.96.0.20"), 9999};
  r.connected_to = r.remote;
  r.local = Address{*Ipv4::parse("10.244.0.5"), 40002};
  r.resolved = {*Ipv4::parse("10.96.0.20")};
  r.elapsed = Duration::micros(2300);
  r.time_connect = Duration::micros(200);
  return r;
}

RequestRecord refused_record() {
  RequestRecord r;
  r.url = "http://nobody-svc/";
  r.outcome = Outcome::connection_refused;
  r.exit_code = 7;
  r.error = "Failed to connect to nobody-svc port 80 after 0 ms: Couldn't connect to server";
  r.remote = Address{*Ipv4::parse("10.96.0.30"), 80};
  r.local = Address{*Ipv4::parse("10.244.0.5"), 40001};
  r.resolved = {*Ipv4::parse("10.96.0.30")};
  return r;
}

}  // namespace

TEST_CASE("curl's options parse as curl's getopt reads them", "[dataplane]") {
  auto o = parse_curl_args({"-sSL", "-XPOST", "-H", "X-A: b", "-d", "x=1", "--connect-timeout",
                            "2.5", "-m", "10", "-w", "%{http_code}", "--resolve",
                            "app.test:80:192.168.49.2", "http://app.test/"});
  REQUIRE(o.ok());
  CHECK(o.silent);
  CHECK(o.show_error);
  CHECK(o.location);
  CHECK(o.method == "POST");
  REQUIRE(o.headers.size() == 1);
  CHECK(o.headers[0].name == "X-A");
  CHECK(o.headers[0].value == "b");
  CHECK(o.data == "x=1");
  CHECK(o.connect_timeout == Duration::millis(2500));
  CHECK(o.max_time == Duration::seconds(10));
  CHECK(o.write_out == "%{http_code}");
  REQUIRE(o.resolve.size() == 1);
  CHECK(o.resolve[0].address.str() == "192.168.49.2");
  CHECK(o.urls == std::vector<std::string>{"http://app.test/"});
  auto spec = o.request_for(o.urls[0]);
  CHECK(spec.method == "POST");
  CHECK(spec.body == "x=1");
  CHECK(spec.headers.back().name == "Content-Type");  // -d adds the form type
}

TEST_CASE("a bad curl command line gets curl's words and exit code 2", "[dataplane]") {
  struct Case {
    std::vector<std::string> args;
    std::string error;
  };
  const Case cases[] = {
      {{}, "no URL specified"},
      {{"-s"}, "no URL specified"},
      {{"--bogus", "http://x"}, "option --bogus: is unknown"},
      {{"-X"}, "option -X: requires parameter"},
      {{"-m", "soon", "http://x"}, "option --max-time: expected a proper numerical parameter"},
  };
  for (const auto& c : cases) {
    auto o = parse_curl_args(c.args);
    CHECK(o.error_code == 2);
    CHECK(o.error == c.error);
  }
}

TEST_CASE("URLs parse the way curl reads them", "[dataplane]") {
  struct Case {
    const char* text;
    const char* normalized;
    const char* host_header;
  };
  const Case cases[] = {
      {"http://app1-svc:8888", "http://app1-svc:8888/", "app1-svc:8888"},
      {"app2-svc:9999/x?y=1#frag", "http://app2-svc:9999/x?y=1", "app2-svc:9999"},
      {"http://example-svc", "http://example-svc/", "example-svc"},
      {"https://app.test/app1", "https://app.test/app1", "app.test"},
      {"http://user:pw@10.0.0.1:80/", "http://10.0.0.1:80/", "10.0.0.1"},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    auto p = parse_url(c.text);
    REQUIRE(p.ok());
    CHECK(p.url->str() == c.normalized);
    CHECK(p.url->host_header() == c.host_header);
  }
  CHECK(parse_url("ftp://x/").error.message == "Protocol \"ftp\" not supported");
  CHECK(parse_url("ftp://x/").error.curl_code == 1);
  CHECK(parse_url("http://x:99999/").error.message ==
        "URL rejected: Port number was not a decimal number between 0 and 65535");
  CHECK(parse_url("http:///").error.message == "URL rejected: No host part in the URL");
}

TEST_CASE("the progress meter prints curl's columns", "[dataplane]") {
  // Seen in the wild: 175 bytes in about 311 ms.
  CHECK(progress_line(175, 175, Duration::millis(311)) ==
        "100   175  100   175    0     0    562      0 --:--:-- --:--:-- --:--:--   562");
  CHECK(progress_line(0, 0, {}) ==
        "  0     0    0     0    0     0      0      0 --:--:-- --:--:-- --:--:--     0");
  CHECK(progress_line(0, 0, Duration::seconds(5)) ==
        "  0     0    0     0    0     0      0      0 --:--:--  0:00:05 --:--:--     0");
}

TEST_CASE("a response goes to stdout and the meter to stderr unless -s", "[dataplane]") {
  auto quiet = render_curl(parse_curl_args({"-s", "http://app2-svc:9999"}), {{ok_record()}});
  CHECK(quiet.out == "Hello world");
  CHECK(quiet.err.empty());
  CHECK(quiet.exit_code == 0);
  auto meter = render_curl(parse_curl_args({"http://app2-svc:9999"}), {{ok_record()}});
  CHECK(meter.out == "Hello world");
  CHECK(meter.err.rfind("  % Total    % Received % Xferd", 0) == 0);
  CHECK(meter.err.find("\r100    11  100    11") != std::string::npos);
  CHECK(meter.err.back() == '\n');
}

TEST_CASE("errors print as curl words them, and -s hides them unless -S", "[dataplane]") {
  const std::string msg =
      "curl: (7) Failed to connect to nobody-svc port 80 after 0 ms: Couldn't connect to "
      "server\n";
  CHECK(render_curl(parse_curl_args({"-s", "http://nobody-svc"}), {{refused_record()}}).err == "");
  auto shown = render_curl(parse_curl_args({"-sS", "http://nobody-svc"}), {{refused_record()}});
  CHECK(shown.err == msg);
  CHECK(shown.exit_code == 7);
  auto verbose = render_curl(parse_curl_args({"-sv", "http://nobody-svc"}), {{refused_record()}});
  CHECK(verbose.err.find("*   Trying 10.96.0.30:80...\n") != std::string::npos);
  CHECK(verbose.err.find("* connect to 10.96.0.30 port 80 from 10.244.0.5 port 40001 failed: "
                         "Connection refused\n") != std::string::npos);
  CHECK(verbose.err.find("* Closing connection\n") != std::string::npos);
}

TEST_CASE("curl -f turns a 4xx into exit 22 without the body", "[dataplane]") {
  RequestRecord r = ok_record();
  r.status = 404;
  r.body = "not here";
  auto out = render_curl(parse_curl_args({"-sSf", "http://app2-svc:9999"}), {{r}});
  CHECK(out.exit_code == 22);
  CHECK(out.out.empty());
  CHECK(out.err == "curl: (22) The requested URL returned error: 404\n");
  auto plain = render_curl(parse_curl_args({"-s", "http://app2-svc:9999"}), {{r}});
  CHECK(plain.exit_code == 0);
  CHECK(plain.out == "not here");
}

TEST_CASE("curl -w expands curl's variables and escapes", "[dataplane]") {
  auto out =
      render_curl(parse_curl_args({"-s", "-o", "/dev/null", "-w",
                                   "%{http_code} %{remote_ip}:%{remote_port} %{size_download} "
                                   "%{time_total}\\n",
                                   "http://app2-svc:9999"}),
                  {{ok_record()}});
  CHECK(out.out == "200 10.96.0.20:9999 11 0.002300\n");
  auto none = render_curl(parse_curl_args({"-s", "-w", "%{http_code}", "http://nobody-svc"}),
                          {{refused_record()}});
  CHECK(none.out == "000");
}

TEST_CASE("curl -i writes the status line and headers before the body", "[dataplane]") {
  auto out = render_curl(parse_curl_args({"-si", "http://app2-svc:9999"}), {{ok_record()}});
  CHECK(out.out ==
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 11\r\n\r\nHello world");
}
