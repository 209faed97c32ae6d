#pragma once
// Helpers for the manifest tests: load YAML text, read diagnostics as the CLI prints them,
// and make scratch folders.

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "podhop/manifest/loader.hpp"

namespace podhop::manifest::testing {

/// What one load produced.
struct Loaded {
  LoadReport report;
  model::ClusterState state;
};

/// Loads yaml as the file `t.yaml` into a fresh cluster state.
inline Loaded load(std::string_view yaml, std::string_view file = "t.yaml") {
  Loaded l;
  l.report = load_text(yaml, file, l.state);
  return l;
}

/// Every diagnostic, one string each, as the CLI prints them.
inline std::vector<std::string> lines(const core::Diagnostics& d) {
  std::vector<std::string> out;
  for (const auto& item : d.items()) out.push_back(item.str());
  return out;
}

/// A scratch folder removed when the test ends.
class TempDir {
 public:
  TempDir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "podhop-manifest-XXXXXX").string();
    std::vector<char> buf(pattern.begin(), pattern.end());
    buf.push_back('\0');
    path_ = ::mkdtemp(buf.data());
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  /// Writes a file (creating folders) and returns its path.
  std::string write(const std::string& relative, std::string_view text) const {
    auto p = path_ / relative;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p.string();
  }

 private:
  std::filesystem::path path_;
};

}  // namespace podhop::manifest::testing
