// Reloader: the configuration file re-read and applied (SIGHUP and the admin API call
// reload(); `watch = true` polls the files), with every outcome logged and counted.
#include <gtest/gtest.h>

#include <thread>

#include "config/loader.h"
#include "server/reloader.h"
#include "support/checks.h"
#include "support/running_server.h"
#include "support/temp_config.h"
#include "support/test_backend.h"

namespace warren::test {
namespace {

std::string configText(const Address& node, bool watch, bool side_listener) {
  std::string text = "[global]\nworkers = 2\nwatch = " + std::string(watch ? "true" : "false") +
                     "\n\n[[listener]]\nname = \"front\"\naddress = \"127.0.0.1:0\"\ncluster = \"backend\"\n"
                     "protocol = \"tcp\"\n";
  if (side_listener) {
    text += "\n[[listener]]\nname = \"side\"\naddress = \"127.0.0.1:0\"\ncluster = \"backend\"\nprotocol = \"tcp\"\n";
  }
  text += "\n[[cluster]]\nname = \"backend\"\nnode = [{ address = \"" + node.toString() + "\" }]\n";
  return text;
}

config::ConfigConstSharedPtr load(const std::string& path) {
  auto loaded = config::loadFile(path);
  EXPECT_TRUE(loaded.ok());
  return loaded.config;
}

TEST(Reloader, BadFileIsRefusedWithFileLineColumnAndTrafficContinues) {
  TestBackend backend(TestBackend::echo);
  backend.start();
  TempConfig file;
  file.write(configText(backend.address(), false, false));
  RunningServer warren(load(file.path()));
  stats::ReloadStats stats;
  server::Reloader reloader(warren.server(), file.path(), stats);
  TestSocket open = TestSocket::connect(warren.address());
  expectEcho(open, "before");
  const auto running = warren.server().config();

  // Line 20, column 11 (the value): a key the cluster does not have.
  file.write(configText(backend.address(), false, true) + "balanse = \"round_robin\"\n");
  auto refused = reloader.reload("test");
  EXPECT_FALSE(refused.ok);
  EXPECT_NE(refused.message.find(file.path() + ":20:11: cluster[0].balanse: unknown key"), std::string::npos)
      << refused.message;
  EXPECT_EQ(stats.failures.load(), 1u);
  EXPECT_EQ(stats.successes.load(), 0u);
  EXPECT_EQ(warren.server().config(), running);
  EXPECT_FALSE(warren.server().listenerAddress("side").valid());
  expectEcho(open, "after the refused reload");

  file.write(configText(backend.address(), false, true));
  auto applied = reloader.reload("test");
  ASSERT_TRUE(applied.ok) << applied.message;
  EXPECT_EQ(stats.successes.load(), 1u);
  EXPECT_GT(stats.last_success_unix_s.load(), 0);
  TestSocket side = TestSocket::connect(warren.server().listenerAddress("side"));
  expectEcho(side, "side");
  expectEcho(open, "after the applied reload");
}

TEST(Reloader, WatchAppliesAnEditOnceAndDoesNotRetryABrokenFile) {
  TestBackend backend(TestBackend::echo);
  backend.start();
  TempConfig file;
  file.write(configText(backend.address(), true, false));
  RunningServer warren(load(file.path()));
  stats::ReloadStats stats;
  server::Reloader reloader(warren.server(), file.path(), stats, std::chrono::milliseconds(20));
  reloader.startWatching();

  file.write(configText(backend.address(), true, true));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!warren.server().listenerAddress("side").valid() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_TRUE(warren.server().listenerAddress("side").valid());
  // The listener is bound inside the reload; the success is counted when it returns.
  while (stats.successes.load() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(stats.successes.load(), 1u);

  // Written at once, possibly while the reload above is still finishing: it must still be
  // seen as an edit (the applied state is the one read before loading).
  file.write("this is not toml = = =\n");
  while (stats.failures.load() == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(stats.failures.load(), 1u);
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // ten more polls
  EXPECT_EQ(stats.failures.load(), 1u);
  EXPECT_EQ(stats.successes.load(), 1u);
  EXPECT_TRUE(warren.server().listenerAddress("side").valid());
  reloader.stop();
}

TEST(Reloader, WatchedFilesAreTheConfigTheTlsFilesAndTheAdminTokenItNames) {
  config::Config c;
  config::Listener l;
  l.tls.certificates = {{"/c/a.crt", "/c/a.key", {}, {}}};
  l.tls.client_ca = "/c/ca.pem";
  config::Route r;
  r.certificates = {{"/c/b.crt", "/c/a.key", {}, {}}};
  l.routes = {r};
  c.listeners = {l};
  config::Cluster cl;
  cl.tls.ca = "/c/ca.pem";
  c.clusters = {cl};
  c.admin.token_file = "/c/admin.token";  // a rotated token is applied by the next reload
  EXPECT_EQ(server::watchedFiles("/c/warren.toml", c),
            (std::vector<std::string>{"/c/warren.toml", "/c/a.crt", "/c/a.key", "/c/ca.pem", "/c/b.crt",
                                      "/c/admin.token"}));
}

}  // namespace
}  // namespace warren::test
