// [admin] in a reload (issue 12, item 2): a token added, rotated or removed is applied to the
// running endpoint; an address change refuses the whole reload with a message saying why,
// and an unreadable token file too. Never the old "reported success, changed nothing".
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "admin/reconfigure.h"
#include "config/loader.h"
#include "server/reloader.h"
#include "support/http_client.h"
#include "support/running_admin.h"
#include "support/running_server.h"
#include "support/temp_config.h"
#include "support/test_backend.h"

namespace warren::test {
namespace {

using ::testing::HasSubstr;

std::string configText(const Address& node, const std::string& admin) {
  return "[admin]\n" + admin +
         "\n[[listener]]\nname = \"front\"\naddress = \"127.0.0.1:0\"\ncluster = \"backend\"\nprotocol = \"tcp\"\n"
         "\n[[cluster]]\nname = \"backend\"\nnode = [{ address = \"" + node.toString() + "\" }]\n";
}

class AdminReload : public ::testing::Test {
 protected:
  AdminReload() {
    backend_.start();
    file_.write(configText(backend_.address(), "address = \"127.0.0.1:0\"\n"));
    auto loaded = config::loadFile(file_.path());
    EXPECT_TRUE(loaded.ok());
    warren_ = std::make_unique<RunningServer>(loaded.config);
    admin_ = std::make_unique<RunningAdmin>(*warren_);
    reconfigurer_ = std::make_unique<admin::AdminReconfigurer>(loaded.config->admin, admin_->api());
    reloader_ = std::make_unique<server::Reloader>(warren_->server(), file_.path(), stats_);
    reloader_->setCheck([this](const config::Config& next) { return reconfigurer_->check(next); });
  }

  std::string tokenFile(const std::string& token) {
    const std::string path = file_.dir() + "/admin.token";
    std::ofstream(path) << token << "\n";
    return path;
  }
  int clustersStatus(const std::string& authorization = "") {
    return httpGet(admin_->address(), "/api/clusters", authorization).status;
  }

  TestBackend backend_{TestBackend::echo};
  TempConfig file_;
  stats::ReloadStats stats_;
  std::unique_ptr<RunningServer> warren_;
  std::unique_ptr<RunningAdmin> admin_;
  std::unique_ptr<admin::AdminReconfigurer> reconfigurer_;
  std::unique_ptr<server::Reloader> reloader_;
};

TEST_F(AdminReload, TokenAddedRotatedAndRemovedIsApplied) {
  ASSERT_EQ(clustersStatus(), 200);
  const std::string token = tokenFile("first");
  file_.write(configText(backend_.address(), "address = \"127.0.0.1:0\"\ntoken_file = \"" + token + "\"\n"));
  auto result = reloader_->reload("test");
  ASSERT_TRUE(result.ok) << result.message;
  EXPECT_EQ(clustersStatus(), 401);
  EXPECT_EQ(clustersStatus("Bearer first"), 200);

  tokenFile("second");  // rotated in place: the next reload reads it
  ASSERT_TRUE(reloader_->reload("test").ok);
  EXPECT_EQ(clustersStatus("Bearer first"), 401);
  EXPECT_EQ(clustersStatus("Bearer second"), 200);

  file_.write(configText(backend_.address(),
                         "address = \"127.0.0.1:0\"\ntoken_file = \"" + token + "\"\nprotect_metrics = true\n"));
  ASSERT_TRUE(reloader_->reload("test").ok);
  EXPECT_EQ(httpGet(admin_->address(), "/metrics").status, 401);

  file_.write(configText(backend_.address(), "address = \"127.0.0.1:0\"\n"));
  ASSERT_TRUE(reloader_->reload("test").ok);
  EXPECT_EQ(clustersStatus(), 200);
  EXPECT_EQ(httpGet(admin_->address(), "/metrics").status, 200);
  EXPECT_EQ(stats_.successes.load(), 4u);
}

TEST_F(AdminReload, AddressChangeRefusesTheReloadWithAMessage) {
  const std::string token = tokenFile("t");
  // The token would apply, the address cannot: nothing is applied.
  file_.write(configText(backend_.address(), "address = \"127.0.0.1:9\"\ntoken_file = \"" + token + "\"\n"));
  auto result = reloader_->reload("test");
  EXPECT_FALSE(result.ok);
  EXPECT_THAT(result.message, HasSubstr("admin.address cannot change by a reload (running: 127.0.0.1:0, the file "
                                        "says 127.0.0.1:9): restart Warren to apply it"));
  EXPECT_EQ(stats_.failures.load(), 1u);
  EXPECT_EQ(clustersStatus(), 200);

  file_.write(configText(backend_.address(), "enabled = false\n"));
  result = reloader_->reload("test");
  EXPECT_FALSE(result.ok);
  EXPECT_THAT(result.message, HasSubstr("the file says off"));
}

TEST_F(AdminReload, UnreadableTokenFileRefusesTheReload) {
  file_.write(configText(backend_.address(),
                         "address = \"127.0.0.1:0\"\ntoken_file = \"" + file_.dir() + "/missing.token\"\n"));
  auto result = reloader_->reload("test");
  EXPECT_FALSE(result.ok);
  EXPECT_THAT(result.message, HasSubstr("admin.token_file: "));
  EXPECT_EQ(clustersStatus(), 200);
}

// The check passes but the Server's part fails (a new listener on a port in use): the token
// is not applied either, the reload is one.
TEST_F(AdminReload, TokenIsNotAppliedWhenTheRestOfTheReloadFails) {
  const std::string token = tokenFile("t");
  file_.write(configText(backend_.address(), "address = \"127.0.0.1:0\"\ntoken_file = \"" + token + "\"\n") +
              "\n[[listener]]\nname = \"side\"\naddress = \"" + admin_->address().toString() +
              "\"\ncluster = \"backend\"\nprotocol = \"tcp\"\n");
  auto result = reloader_->reload("test");
  EXPECT_FALSE(result.ok);
  EXPECT_THAT(result.message, HasSubstr("side"));
  EXPECT_EQ(clustersStatus(), 200);
}

}  // namespace
}  // namespace warren::test
