// Unicode bidirectional controls in every kind of field the tree prints: each is written
// as \u202e (Python repr style) in text and JSON output, --raw keeps them, and nothing
// else in the output changes (the text stays byte-identical to readlogsqltree otherwise).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/bidi.h"
#include "core/testing.h"
#include "store/logsql_testing.h"
#include "tree/tree_test_util.h"

namespace honeyvt::tree {
namespace {

using honeyvt::testing::TempDir;
using testing::Exec;
using testing::RunToString;

constexpr char32_t kControls[] = {0x061C, 0x200E, 0x200F, 0x202A, 0x202B, 0x202C,
                                  0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069};

// A SQL text literal holding `label`, one bidi control (cycling through all twelve) and
// "x": every field gets one, so every control lands in every kind of field somewhere.
class Hostile {
 public:
  std::string Next(const std::string& label) {
    const char32_t cp = kControls[n_++ % std::size(kControls)];
    return "('" + label + "' || char(" + std::to_string(static_cast<std::uint32_t>(cp)) +
           ") || 'x')";
  }
  int count() const { return n_; }

 private:
  int n_ = 0;
};

std::string HostileDatabaseSql(Hostile& h) {
  auto v = [&h](const std::string& label) { return h.Next(label); };
  std::string sql =
      "INSERT INTO connections (connection, connection_type, connection_transport, "
      "connection_protocol, connection_timestamp, connection_root, connection_parent, "
      "local_host, local_port, remote_host, remote_hostname, remote_port) VALUES "
      "(1,'accept'," +
      v("tr") + "," + v("proto") + ",0,1,NULL," + v("lh") + ",445," + v("rh") + "," + v("rhn") +
      ",4711),"
      "(2,'connect'," +
      v("tr") + "," + v("proto") + ",0,1,1," + v("lh") + ",1," + v("rh") + "," + v("rhn") +
      ",2),"
      "(3,'listen'," +
      v("tr") + "," + v("proto") + ",0,1,1," + v("lh") +
      ",3,'',NULL,0);"
      "INSERT INTO p0fs (connection, p0f_genre, p0f_link, p0f_detail, p0f_uptime, p0f_tos, "
      "p0f_dist, p0f_nat, p0f_fw) VALUES (1," +
      v("genre") + "," + v("link") + "," + v("detail") + ",1," + v("tos") +
      ",2,0,0);"
      "INSERT INTO dcerpcservices (dcerpcservice, dcerpcservice_uuid, dcerpcservice_name) VALUES "
      "(900, 'bidi-uuid'," +
      v("svc") +
      ");"
      "INSERT INTO dcerpcserviceops (dcerpcservice, dcerpcserviceop_opnum, dcerpcserviceop_name, "
      "dcerpcserviceop_vuln) VALUES (900, 7," +
      v("op") + "," + v("vuln") +
      ");"
      "INSERT INTO dcerpcbinds (connection, dcerpcbind_uuid, dcerpcbind_transfersyntax) VALUES "
      "(1,'bidi-uuid'," +
      v("syntax") + "),(1," + v("binduuid") +
      ",'s');"
      "INSERT INTO dcerpcrequests (connection, dcerpcrequest_uuid, dcerpcrequest_opnum) VALUES "
      "(1,'bidi-uuid',7),(1," +
      v("requuid") +
      ",1);"
      "INSERT INTO emu_profiles (connection, emu_profile_json) VALUES (1, '[{\"call\": \"' || " +
      v("call") + " || '\"}]'), (1," + v("notjson") +
      ");"
      "INSERT INTO offers (connection, offer_url) VALUES (1," +
      v("offer") +
      ");"
      "INSERT INTO downloads (connection, download_url, download_md5_hash) VALUES "
      "(1," +
      v("url") + ",'3eab379ddac7d80d3e38399fd273ddd4'),(1,'u'," + v("md5") +
      ");"
      "INSERT INTO virustotals (virustotal, virustotal_md5_hash, virustotal_timestamp, "
      "virustotal_permalink) VALUES (1,'3eab379ddac7d80d3e38399fd273ddd4',1286470647," +
      v("permalink") +
      ");"
      "INSERT INTO virustotalscans (virustotal, virustotalscan_scanner, virustotalscan_result) "
      "VALUES (1," +
      v("scanner") + "," + v("name") + "),(1,'AVG'," + v("name") +
      ");"
      "INSERT INTO emu_services (connection, emu_service_url) VALUES (1," +
      v("service") +
      ");"
      "INSERT INTO logins (connection, login_username, login_password) VALUES (1," +
      v("user") + "," + v("pass") +
      ");"
      "INSERT INTO mssql_fingerprints (connection, mssql_fingerprint_hostname, "
      "mssql_fingerprint_appname, mssql_fingerprint_cltintname) VALUES (1," +
      v("host") + "," + v("app") + "," + v("clt") +
      ");"
      "INSERT INTO mssql_commands (connection, mssql_command_status, mssql_command_cmd) VALUES "
      "(1," +
      v("status") + "," + v("cmd") +
      ");"
      "INSERT INTO mysql_commands (mysql_command, connection, mysql_command_cmd) VALUES (1,1,3);"
      "INSERT INTO mysql_command_args (mysql_command, mysql_command_arg_index, "
      "mysql_command_arg_data) VALUES (1,0," +
      v("arg") +
      ");"
      "INSERT INTO sip_commands (sip_command, connection, sip_command_method, sip_command_call_id, "
      "sip_command_user_agent) VALUES (1,1," +
      v("method") + "," + v("callid") + "," + v("ua") +
      ");"
      "INSERT INTO sip_addrs (sip_command, sip_addr_type, sip_addr_display_name, "
      "sip_addr_uri_scheme, sip_addr_uri_user, sip_addr_uri_password, sip_addr_uri_host, "
      "sip_addr_uri_port) VALUES (1," +
      v("type") + "," + v("display") + "," + v("scheme") + "," + v("user") + "," + v("pw") + "," +
      v("host") + "," + v("port") +
      ");"
      "INSERT INTO sip_vias (sip_command, sip_via_protocol, sip_via_address, sip_via_port) VALUES "
      "(1," +
      v("proto") + "," + v("addr") + "," + v("port") +
      ");"
      "INSERT INTO sip_sdp_origins (sip_command, sip_sdp_origin_username, sip_sdp_origin_sess_id, "
      "sip_sdp_origin_sess_version, sip_sdp_origin_nettype, sip_sdp_origin_addrtype, "
      "sip_sdp_origin_unicast_address) VALUES (1," +
      v("u") + "," + v("id") + "," + v("ver") + "," + v("net") + "," + v("addr") + "," + v("uni") +
      ");"
      "INSERT INTO sip_sdp_connectiondatas (sip_command, sip_sdp_connectiondata_nettype, "
      "sip_sdp_connectiondata_addrtype, sip_sdp_connectiondata_connection_address, "
      "sip_sdp_connectiondata_ttl, sip_sdp_connectiondata_number_of_addresses) VALUES (1," +
      v("net") + "," + v("addr") + "," + v("ca") + "," + v("ttl") + "," + v("n") +
      ");"
      "INSERT INTO sip_sdp_medias (sip_command, sip_sdp_media_media, sip_sdp_media_port, "
      "sip_sdp_media_number_of_ports, sip_sdp_media_proto) VALUES (1," +
      v("media") + "," + v("port") + "," + v("ports") + "," + v("proto") + ");";
  return sql;
}

// The raw text with each bidi control replaced by its escape: what the safe output must
// be, byte for byte.
std::string ExpectedSafe(const std::string& raw) { return EscapeBidi(raw); }

bool HasRawBidi(const std::string& text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (BidiControlAt(text, i) > 0) return true;
  }
  return false;
}

class TreeBidiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store::testing::BuildFixtureDatabase(db_, {});
    Exec(db_, HostileDatabaseSql(hostile_));
  }
  TempDir dir_;
  std::filesystem::path db_ = dir_ / "bidi.sqlite";
  Hostile hostile_;
};

TEST_F(TreeBidiTest, EveryControlInEveryTextFieldIsEscapedAndNothingElseChanges) {
  TreeOptions raw_options;
  raw_options.raw = true;
  const std::string raw = RunToString(db_, raw_options);
  const std::string safe = RunToString(db_, {});
  ASSERT_TRUE(HasRawBidi(raw)) << "--raw keeps them";
  EXPECT_FALSE(HasRawBidi(safe)) << safe;
  EXPECT_EQ(safe, ExpectedSafe(raw));
  for (char32_t cp : kControls) {
    std::string escaped;
    AppendUnicodeEscape(escaped, cp);
    EXPECT_NE(safe.find(escaped), std::string::npos) << escaped;
  }
  // Every kind of line carries one: connection, p0f, dcerpc, profile, offer, download,
  // virustotal, names, service, login, mssql, mysql and every SIP part.
  for (const char* line : {"connection 1 proto",
                           "connection 2 proto",
                           "connection 3 proto",
                           "p0f: genre:'genre\\u",
                           "dcerpc bind: uuid 'bidi-uuid' (svc",
                           "dcerpc request: uuid 'bidi-uuid' (svc",
                           "profile: ",
                           "offer: offer\\u",
                           "download: 3eab379ddac7d80d3e38399fd273ddd4 url\\u",
                           "download: md5\\u",
                           "virustotal ",
                           "permalink\\u",
                           "names 'name\\u",
                           "service: service\\u",
                           "login - user:'user\\u",
                           "mssql fingerprint - hostname:'host\\u",
                           "mssql command - status:status",
                           "COM_QUERY('arg\\u",
                           "Method:method\\u",
                           "Call-ID:callid\\u",
                           "User-Agent:ua\\u",
                           "type\\u",
                           "via:'proto\\u",
                           "o:'u\\u",
                           "c:'net\\u",
                           "m:'media\\u"}) {
    EXPECT_NE(safe.find(line), std::string::npos) << line << "\n" << safe;
  }
}

TEST_F(TreeBidiTest, LabelOfTheDatabaseIsEscapedToo) {
  TreeOptions o;
  o.db_label = "evil\xE2\x80\xAEtxt.sqlite";
  const std::string out = RunToString(db_, o);
  EXPECT_EQ(out.rfind("using database located at evil\\u202etxt.sqlite\n", 0), 0u) << out;
}

TEST_F(TreeBidiTest, JsonWritesThemAsJsonEscapesOfTheSameString) {
  TreeOptions o;
  o.format = Format::kJson;
  const std::string out = RunToString(db_, o);
  EXPECT_FALSE(HasRawBidi(out));
  EXPECT_NE(out.find("\\u202e"), std::string::npos);
  // Decoded, the strings hold the controls again: the JSON carries the exact data.
  bool found = false;
  std::size_t start = 0;
  while (start < out.size()) {
    const std::size_t end = out.find('\n', start);
    const auto doc = nlohmann::json::parse(out.substr(start, end - start));
    found = found || doc.dump(-1, ' ', false).find("\xE2\x80\xAE") != std::string::npos;
    if (end == std::string::npos) break;
    start = end + 1;
  }
  EXPECT_TRUE(found);
}

}  // namespace
}  // namespace honeyvt::tree
