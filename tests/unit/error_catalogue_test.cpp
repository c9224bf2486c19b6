// Proves the error catalogue is complete and that docs/errors.md and api/openapi.yaml list every code.
#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "core/error.h"

namespace paygate {
namespace {

std::string read(const std::string& relative) {
  std::ifstream file(std::string(PAYGATE_SOURCE_DIR) + "/" + relative);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

TEST(ErrorCatalogue, CodesAreUniqueAndStatusesFitTheirClass) {
  std::set<std::string_view> codes;
  for (const ErrorInfo* info = error_catalogue_begin(); info != error_catalogue_end(); ++info) {
    EXPECT_TRUE(codes.insert(info->code).second) << info->code;
    EXPECT_GE(info->http_status, 400);
    EXPECT_LT(info->http_status, 600);
    if (info->error_class == ErrorClass::kUnauthenticated) {
      EXPECT_EQ(info->http_status, 401) << info->code;
    }
    EXPECT_FALSE(info->cause.empty());
  }
}

TEST(ErrorCatalogue, DocumentationListsEveryCode) {
  const std::string errors_md = read("docs/errors.md");
  const std::string openapi = read("api/openapi.yaml");
  ASSERT_FALSE(errors_md.empty());
  ASSERT_FALSE(openapi.empty());
  for (const ErrorInfo* info = error_catalogue_begin(); info != error_catalogue_end(); ++info) {
    const std::string code(info->code);
    EXPECT_NE(errors_md.find("`" + code + "` | " + std::to_string(info->http_status)), std::string::npos)
        << code;
    EXPECT_NE(openapi.find("- " + code + " "), std::string::npos) << code;
  }
}

}  // namespace
}  // namespace paygate
