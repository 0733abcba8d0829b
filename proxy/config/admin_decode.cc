#include "config/admin_decode.h"

#include "config/decode_util.h"
#include "config/secret_file.h"

namespace warren::config {

void decodeAdminOf(TableReader& root, Admin& admin, const DecodeContext& context) {
  const toml::table* table = root.readTable("admin");
  if (table == nullptr) return;
  TableReader r(*table, "admin", context.errors, context.sources);
  admin.ref = refOf(r);
  assign(admin.enabled, r.readBool("enabled"));
  // address = "" is the other way to turn the endpoint off.
  const toml::node* address = r.node("address");
  if (address != nullptr && address->is_string() && address->as_string()->get().empty()) {
    admin.enabled = false;
    r.record("address", *address);
  } else if (address != nullptr) {
    assign(admin.address, r.readAddress("address", PortZero::Allowed));
  }
  assign(admin.token_file,
         readPath(r, "token_file", Need::Optional, EmptyPath::MeansNone, context, admin.token_file_ref));
  if (!admin.token_file.empty()) {
    // Checked now so that `warren check` reports it; the token itself is read again at start.
    SecretFile token = readSecretFile(admin.token_file);
    if (!token.error.empty()) r.error(*r.node("token_file"), "token_file", token.error);
  }
  assign(admin.protect_metrics, r.readBool("protect_metrics"));
  r.finish();
}

}  // namespace warren::config
