// Routes "METHOD /path/{param}" to handlers; tells "no such path" (404) from "not for this method" (405).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace paygate::http {

using PathParams = std::vector<std::pair<std::string, std::string>>;

template <class Target>
class Router {
 public:
  void add(std::string method, std::string_view pattern, Target target) {
    std::vector<std::string> segments;
    for (std::string_view segment : split(pattern)) segments.emplace_back(segment);
    routes_.push_back(Route{std::move(method), std::string(pattern), std::move(segments), std::move(target)});
  }

  enum class Outcome { kMatched, kNotFound, kMethodNotAllowed };
  struct Match {
    Outcome outcome = Outcome::kNotFound;
    const Target* target = nullptr;
    std::string_view pattern;  // the route as registered, a low-cardinality label for metrics
    PathParams params;
  };

  Match match(std::string_view method, std::string_view path) const {
    const auto segments = split(path);
    Match result;
    for (const Route& route : routes_) {
      PathParams params;
      if (!matches(route.segments, segments, params)) continue;
      if (route.method != method) {
        result.outcome = Outcome::kMethodNotAllowed;
        continue;
      }
      return Match{Outcome::kMatched, &route.target, route.pattern, std::move(params)};
    }
    return result;
  }

 private:
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<std::string> segments;
    Target target;
  };

  static std::vector<std::string_view> split(std::string_view path) {
    std::vector<std::string_view> segments;
    std::size_t start = 0;
    while (start <= path.size()) {
      const auto slash = path.find('/', start);
      const auto end = slash == std::string_view::npos ? path.size() : slash;
      if (end > start) segments.push_back(path.substr(start, end - start));
      if (slash == std::string_view::npos) break;
      start = slash + 1;
    }
    return segments;
  }

  static bool matches(const std::vector<std::string>& pattern, const std::vector<std::string_view>& path,
                      PathParams& params) {
    if (pattern.size() != path.size()) return false;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
      const std::string_view expected = pattern[i];
      if (expected.size() > 2 && expected.front() == '{' && expected.back() == '}') {
        params.emplace_back(std::string(expected.substr(1, expected.size() - 2)), std::string(path[i]));
      } else if (expected != path[i]) {
        return false;
      }
    }
    return true;
  }

  std::vector<Route> routes_;
};

}  // namespace paygate::http
