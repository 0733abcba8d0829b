#!/usr/bin/env python3
"""Unit tests of check_layers.py: fake source trees in a temporary directory, each breaking
one rule, must fail with that rule's message; the clean one must pass."""

import contextlib
import io
import pathlib
import sys
import tempfile
import unittest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import check_layers  # noqa: E402

# A small tree in the shape of proxy/: two pure modules, a TLS module, an I/O module with
# libuv, a module above them, and the executable.
CMAKE = """
function(warren_module name)
  cmake_parse_arguments(M "" "" "PUBLIC;PRIVATE" ${ARGN})  # the definition is not a use
endfunction()
warren_module(common PRIVATE spdlog::spdlog)
warren_module(config PUBLIC warren_common)
warren_module(tls PUBLIC warren_config boringssl::ssl PRIVATE warren_common)
warren_module(net PUBLIC warren_common PkgConfig::LIBUV)
warren_module(session PUBLIC warren_net PRIVATE warren_tls warren_config)
add_executable(app main.cc)
target_link_libraries(app PRIVATE warren_session CLI11::CLI11)
"""

FILES = {
    "common/address.h": "#pragma once\n#include <string>\n",
    "common/address.cc": '#include "common/address.h"\n#include <spdlog/spdlog.h>\n',
    "config/config.h": '#pragma once\n#include "common/address.h"\n',
    "config/config.cc": '#include "config/config.h"\n',
    "tls/context.h": '#pragma once\n#include <openssl/ssl.h>\n#include "config/config.h"\n',
    "tls/context.cc": '#include "tls/context.h"\n#include "common/address.h"\n',
    "net/loop.h": '#pragma once\n#include <uv.h>\n#include "common/address.h"\n',
    "net/loop.cc": '#include "net/loop.h"\n',
    "session/session.h": '#pragma once\n#include "net/loop.h"\n',
    "session/session.cc": '#include "session/session.h"\n#include "tls/context.h"\n#include "config/config.h"\n',
    "main.cc": '#include "session/session.h"\n#include <CLI/CLI.hpp>\n',
}

PURE = {"common", "config"}
TLS = {"tls"}


class CheckLayersTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.root = pathlib.Path(self.tmp.name)
        self.proxy = self.root / "proxy"
        self.write("CMakeLists.txt", CMAKE)
        for path, text in FILES.items():
            self.write(path, text)

    def tearDown(self):
        self.tmp.cleanup()

    def write(self, path, text):
        full = self.proxy / path
        full.parent.mkdir(parents=True, exist_ok=True)
        full.write_text(text)

    def append(self, path, text):
        self.write(path, (self.proxy / path).read_text() + text)

    def edit_cmake(self, old, new):
        text = (self.proxy / "CMakeLists.txt").read_text()
        self.assertIn(old, text)
        self.write("CMakeLists.txt", text.replace(old, new))

    def errors(self, tls=TLS):
        return check_layers.check(self.root, tls_modules=tls, pure_modules=PURE)

    def assertOneError(self, *parts, tls=TLS):
        errors = self.errors(tls)
        self.assertEqual(len(errors), 1, "\n".join(errors))
        for part in parts:
            self.assertIn(part, errors[0])

    def test_the_clean_tree_passes(self):
        self.assertEqual(self.errors(), [])

    def test_including_a_module_not_depended_on_fails(self):
        self.append("net/loop.cc", '#include "config/config.h"\n')
        self.assertOneError("proxy/net/loop.cc:2:", '"config/config.h"', "warren_net does not depend on warren_config",
                            "PRIVATE")

    def test_a_header_that_needs_a_missing_dependency_asks_for_public(self):
        self.append("net/loop.h", '#include "config/config.h"\n')
        self.assertOneError("proxy/net/loop.h:4:", "warren_net does not depend on warren_config", "PUBLIC")

    def test_a_module_reached_only_through_public_dependencies_is_not_enough(self):
        # session -> net (PUBLIC) -> common (PUBLIC): CMake would compile it; the lists are exact.
        self.append("session/session.cc", '#include "common/address.h"\n')
        self.assertOneError("proxy/session/session.cc", "warren_session does not depend on warren_common")

    def test_an_unused_dependency_fails(self):
        self.edit_cmake("warren_module(net PUBLIC warren_common", "warren_module(net PUBLIC warren_common warren_config")
        self.assertOneError("warren_net depends on warren_config but none of its files include \"config/...\"")

    def test_public_for_a_dependency_only_cc_files_include_fails(self):
        self.edit_cmake("PUBLIC warren_net PRIVATE warren_tls warren_config",
                        "PUBLIC warren_net warren_config PRIVATE warren_tls")
        self.assertOneError("warren_session's dependency on warren_config is PUBLIC, should be PRIVATE")

    def test_private_for_a_dependency_a_header_includes_fails(self):
        self.edit_cmake("warren_module(config PUBLIC warren_common)", "warren_module(config PRIVATE warren_common)")
        self.assertOneError("warren_config's dependency on warren_common is PRIVATE, should be PUBLIC")

    def test_an_executable_is_checked_like_a_module(self):
        self.append("main.cc", '#include "config/config.h"\n')
        self.assertOneError("proxy/main.cc:3:", "app does not depend on warren_config")

    def test_a_cycle_fails(self):
        self.append("common/address.cc", '#include "config/config.h"\n')
        self.edit_cmake("warren_module(common PRIVATE", "warren_module(common PRIVATE warren_config")
        errors = self.errors()
        self.assertTrue(any("cycle" in e and "common" in e and "config" in e for e in errors), errors)

    def test_openssl_outside_the_tls_modules_fails(self):
        self.append("net/loop.cc", "#include <openssl/ssl.h>\n")
        self.assertOneError("proxy/net/loop.cc:2:", "<openssl/ssl.h>", "outside the modules that own TLS (tls)")

    def test_openssl_outside_the_tls_modules_fails_even_with_the_library_listed(self):
        self.append("session/session.cc", "#include <openssl/err.h>\n")
        self.edit_cmake("PRIVATE warren_tls warren_config", "PRIVATE warren_tls warren_config boringssl::ssl")
        self.assertOneError("proxy/session/session.cc:4:", "<openssl/err.h>", "warren_session is not one of them")

    def test_openssl_in_a_second_tls_module_is_allowed(self):
        self.write("transport/tls_stream.h", '#pragma once\n#include <openssl/ssl.h>\n')
        self.write("transport/tls_stream.cc", '#include "transport/tls_stream.h"\n')
        self.append("CMakeLists.txt", "warren_module(transport PUBLIC boringssl::ssl)\n")
        self.assertOneError("proxy/transport/tls_stream.h:2:", "outside the modules that own TLS")
        self.assertEqual(self.errors(tls={"tls", "transport"}), [])

    def test_a_tls_module_that_does_not_exist_fails(self):
        self.assertOneError("the TLS module transport is no warren_module()", tls={"tls", "transport"})

    def test_uv_in_a_pure_module_fails(self):
        self.append("config/config.cc", "#include <uv.h>\n")
        self.assertOneError("proxy/config/config.cc:2:", "<uv.h>", "pure module config")

    def test_uv_in_a_pure_modules_header_fails(self):
        self.append("common/address.h", "#include <uv.h>\n")
        self.edit_cmake("warren_module(common PRIVATE", "warren_module(common PUBLIC PkgConfig::LIBUV PRIVATE")
        errors = self.errors()
        self.assertTrue(any("proxy/common/address.h:3: includes <uv.h> in the pure module common" in e
                            for e in errors), errors)

    def test_a_library_header_without_the_library_fails(self):
        self.append("net/loop.cc", "#include <spdlog/spdlog.h>\n")
        self.assertOneError("proxy/net/loop.cc:2:", "<spdlog/spdlog.h>",
                            "warren_net does not depend on spdlog::spdlog", "PRIVATE")

    def test_a_library_reached_only_through_a_dependency_is_not_enough(self):
        # session -> net (PUBLIC) -> PkgConfig::LIBUV (PUBLIC): CMake would compile it.
        self.append("session/session.h", "#include <uv.h>\n")
        self.assertOneError("proxy/session/session.h:3:", "warren_session does not depend on PkgConfig::LIBUV",
                            "PUBLIC")

    def test_an_unused_library_fails(self):
        self.edit_cmake("warren_module(config PUBLIC warren_common)",
                        "warren_module(config PUBLIC warren_common PRIVATE fmt::fmt)")
        self.assertOneError("warren_config depends on fmt::fmt but none of its files include <fmt/...>")

    def test_a_library_only_cc_files_include_must_be_private(self):
        self.edit_cmake("warren_module(common PRIVATE spdlog::spdlog)", "warren_module(common PUBLIC spdlog::spdlog)")
        self.assertOneError("warren_common's dependency on spdlog::spdlog is PUBLIC, should be PRIVATE",
                            "proxy/common/address.cc:2")

    def test_a_library_a_header_includes_must_be_public(self):
        self.edit_cmake("warren_module(net PUBLIC warren_common PkgConfig::LIBUV)",
                        "warren_module(net PUBLIC warren_common PRIVATE PkgConfig::LIBUV)")
        self.assertOneError("warren_net's dependency on PkgConfig::LIBUV is PRIVATE, should be PUBLIC",
                            "the header proxy/net/loop.h:2 includes it")

    def test_an_unknown_library_fails(self):
        self.edit_cmake("warren_module(config PUBLIC warren_common)",
                        "warren_module(config PUBLIC warren_common PRIVATE Boost::asio)")
        self.assertOneError("warren_config links Boost::asio", "LIBRARY_HEADERS")

    def test_system_headers_need_no_dependency(self):
        self.append("net/loop.cc", "#include <sys/socket.h>\n#include <vector>\n")
        self.assertEqual(self.errors(), [])

    def test_a_pure_module_depending_on_an_impure_one_fails(self):
        self.append("config/config.cc", '#include "net/loop.h"\n')
        self.edit_cmake("warren_module(config PUBLIC warren_common)",
                        "warren_module(config PUBLIC warren_common PRIVATE warren_net)")
        self.assertOneError("the pure module config depends on warren_net, which is not pure")

    def test_a_pure_module_linking_libuv_fails(self):
        self.edit_cmake("warren_module(common PRIVATE", "warren_module(common PRIVATE PkgConfig::LIBUV")
        errors = self.errors()
        self.assertIn("proxy/CMakeLists.txt: the pure module common links PkgConfig::LIBUV", errors)

    def test_a_folder_that_is_no_module_fails(self):
        self.write("transport/tcp_socket.h", "#pragma once\n")
        self.assertOneError("proxy/transport/tcp_socket.h", "folder proxy/transport/ is no warren_module()")

    def test_a_dependency_on_a_module_that_does_not_exist_fails(self):
        self.edit_cmake("warren_module(config PUBLIC warren_common)", "warren_module(config PUBLIC warren_common warren_gone)")
        self.assertOneError("warren_config depends on warren_gone, which is no warren_module()")

    def test_a_stray_file_at_the_top_fails(self):
        self.write("helper.cc", "\n")
        self.assertOneError("proxy/helper.cc", "no add_executable() lists it")

    def test_an_include_of_a_missing_header_fails(self):
        self.append("net/loop.cc", '#include "net/gone.h"\n')
        self.assertOneError('"net/gone.h", which does not exist')

    def test_an_include_outside_every_module_fails(self):
        self.append("net/loop.cc", '#include "support/fake.h"\n')
        self.assertOneError('"support/fake.h", which is in no module folder')

    def test_dependencies_without_visibility_fail(self):
        self.edit_cmake("warren_module(config PUBLIC warren_common)", "warren_module(config warren_common)")
        self.assertOneError("warren_module(config ...): say PUBLIC or PRIVATE")

    def test_header_only_modules_and_comments_are_understood(self):
        self.write("stats/counter.h", '#pragma once\n#include "common/address.h"\n')
        self.append("CMakeLists.txt", "warren_module(stats PUBLIC warren_common)  # header-only\n"
                                      "# warren_module(old PUBLIC warren_gone)\n")
        self.assertEqual(self.errors(), [])

    def write_tests(self, cmake, files):
        full = self.root / "tests" / "CMakeLists.txt"
        full.parent.mkdir(parents=True, exist_ok=True)
        full.write_text(cmake)
        for path, text in files.items():
            f = self.root / "tests" / path
            f.parent.mkdir(parents=True, exist_ok=True)
            f.write_text(text)

    UNIT_TEST = '#include "net/loop.h"\n#include "config/config.h"\n#include <gtest/gtest.h>\n#include "unit/net/util.h"\n'

    def test_a_unit_test_links_what_it_includes(self):
        self.write_tests("set(unit_links_net warren_config)\n", {"unit/net/loop_test.cc": self.UNIT_TEST})
        self.assertEqual(self.errors(), [])

    def test_a_unit_test_including_a_module_it_does_not_link_fails(self):
        # warren_net reaches warren_common only, and PUBLIC reach would not count anyway.
        self.write_tests("# set(unit_links_net warren_config)\n", {"unit/net/loop_test.cc": self.UNIT_TEST})
        self.assertOneError("tests/unit/net/loop_test.cc:2:", "unit_net does not link warren_config",
                            "set(unit_links_net ...)")

    def test_a_unit_test_link_nothing_includes_fails(self):
        self.write_tests("set(unit_links_net warren_config spdlog::spdlog)\n", {"unit/net/loop_test.cc": self.UNIT_TEST})
        self.assertOneError("unit_links_net names spdlog::spdlog but no file of unit_net includes it")

    def test_a_unit_link_list_naming_the_module_itself_fails(self):
        self.write_tests("set(unit_links_net warren_config warren_net)\n", {"unit/net/loop_test.cc": self.UNIT_TEST})
        self.assertOneError("unit_links_net names warren_net, which unit_net links anyway")

    def test_a_unit_link_list_for_no_module_fails(self):
        self.write_tests("set(unit_links_net warren_config)\nset(unit_links_gone warren_config)\n",
                         {"unit/net/loop_test.cc": self.UNIT_TEST})
        self.assertOneError("set(unit_links_gone ...) names no module with unit tests")

    def test_component_support_files_are_checked_too(self):
        files = {"component/relay_test.cc": '#include "support/server.h"\n',
                 "support/server.h": '#pragma once\n#include "session/session.h"\n#include <openssl/ssl.h>\n'}
        self.write_tests("set(component_links warren_session)\n", files)
        self.assertOneError("tests/support/server.h:3:", "component_tests does not link boringssl::ssl")
        self.write_tests("set(component_links warren_session boringssl::ssl)\n", files)
        self.assertEqual(self.errors(), [])

    def test_main_exit_status(self):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            self.assertEqual(check_layers.main(["check_layers.py", str(self.root / "missing")]), 1)
        self.assertIn("proxy/CMakeLists.txt: not found", out.getvalue())
        real_check = check_layers.check
        try:
            check_layers.check = lambda source_dir: real_check(source_dir, tls_modules=TLS, pure_modules=PURE)
            with contextlib.redirect_stdout(io.StringIO()):
                self.assertEqual(check_layers.main(["check_layers.py", str(self.root)]), 0)
                self.append("net/loop.cc", '#include "config/config.h"\n')
                self.assertEqual(check_layers.main(["check_layers.py", str(self.root)]), 1)
        finally:
            check_layers.check = real_check


if __name__ == "__main__":
    unittest.main(verbosity=2)
