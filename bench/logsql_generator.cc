#include "logsql_generator.h"

#include <cstdio>
#include <deque>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "store/logsql.h"
#include "store/sqlite.h"

namespace honeyvt::bench {
namespace {

using store::Statement;

constexpr const char* kSmbUuids[][2] = {
    {"4b324fc8-1670-01d3-1278-5a47bf6ee188", "31"},  // SRVSVC NetPathCanonicalize
    {"6bffd098-a112-3610-9833-46c3f87e345a", "27"},  // WKSSVC
    {"afa8bd80-7d8a-11c9-bef4-08002b102989", "0"},   // MGMT
    {"4d9f4ab8-7d1c-11cf-861e-0020af6e7c57", "0"},   // DCOM RemoteActivation
};
constexpr const char* kSyntax = "8a885d04-1ceb-11c9-9fe8-08002b104860";
const std::optional<std::string> kNull;

class Generator {
 public:
  Generator(store::Database& db, const GeneratorOptions& o) : db_(db), o_(o), rng_(o.seed) {}

  Result<GeneratorStats> Run();

 private:
  // A child connection waiting to be inserted a few attacks later.
  struct Pending {
    std::int64_t due;  // insert once this many attacks have been started
    std::int64_t parent, root;
    int stage;  // 1 listen, 2 accept, 3 ftp ctrl, 4 ftp data listen, 5 ftp data accept
    std::string remote;
  };

  Status Prepare();
  Result<std::int64_t> Connection(const char* type, const char* protocol, std::int64_t root,
                                  std::int64_t parent, int lport, const std::string& remote,
                                  const std::string& hostname, int rport);
  Status Attack();
  Status Child(const Pending& p);
  Status Download(std::int64_t conn, const std::string& url);
  Status VirusTotal();
  std::string Ip() {
    return "198.51." + std::to_string(rng_() % 256) + "." + std::to_string(rng_() % 256);
  }
  std::string Md5(int sample) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%08x%08x%08x%08x", sample * 2654435761u, sample + 17u,
                  sample * 40503u, 0xdeadbeefu ^ static_cast<unsigned>(sample));
    return buf;
  }
  int Pick(int n) { return static_cast<int>(rng_() % static_cast<unsigned>(n)); }

  store::Database& db_;
  const GeneratorOptions& o_;
  std::mt19937 rng_;
  GeneratorStats stats_;
  std::int64_t attacks_ = 0;
  double clock_ = 1286470647.0;
  std::deque<Pending> pending_;
  std::vector<Statement> s_;
  enum {
    kConn,
    kP0f,
    kBind,
    kReq,
    kOffer,
    kDown,
    kService,
    kLogin,
    kFp,
    kMssql,
    kMysql,
    kMysqlArg,
    kSip,
    kSipAddr,
    kSipVia,
    kSipOrigin,
    kSipC,
    kSipM,
    kVt,
    kScan,
    kCount
  };
};

Status Generator::Prepare() {
  static constexpr const char* kSql[kCount] = {
      "INSERT INTO connections (connection_type, connection_transport, connection_protocol, "
      "connection_timestamp, connection_root, connection_parent, local_host, local_port, "
      "remote_host, remote_hostname, remote_port) VALUES (?,'tcp',?,?,?,?,'192.0.2.10',?,?,?,?)",
      "INSERT INTO p0fs (connection, p0f_genre, p0f_link, p0f_detail, p0f_uptime, p0f_tos, "
      "p0f_dist, p0f_nat, p0f_fw) VALUES (?,'Windows','ethernet/modem','XP SP1+, 2000 SP3',"
      "-1,'',11,0,0)",
      "INSERT INTO dcerpcbinds (connection, dcerpcbind_uuid, dcerpcbind_transfersyntax) "
      "VALUES (?,?,?)",
      "INSERT INTO dcerpcrequests (connection, dcerpcrequest_uuid, dcerpcrequest_opnum) "
      "VALUES (?,?,?)",
      "INSERT INTO offers (connection, offer_url) VALUES (?,?)",
      "INSERT INTO downloads (connection, download_url, download_md5_hash) VALUES (?,?,?)",
      "INSERT INTO emu_services (connection, emu_service_url) VALUES (?,?)",
      "INSERT INTO logins (connection, login_username, login_password) VALUES (?,?,?)",
      "INSERT INTO mssql_fingerprints (connection, mssql_fingerprint_hostname, "
      "mssql_fingerprint_appname, mssql_fingerprint_cltintname) VALUES (?,'WIN-HOST',"
      "'OSQL-32','ODBC')",
      "INSERT INTO mssql_commands (connection, mssql_command_status, mssql_command_cmd) "
      "VALUES (?,'complete',?)",
      "INSERT INTO mysql_commands (connection, mysql_command_cmd) VALUES (?,?)",
      "INSERT INTO mysql_command_args (mysql_command, mysql_command_arg_index, "
      "mysql_command_arg_data) VALUES (?,?,?)",
      "INSERT INTO sip_commands (connection, sip_command_method, sip_command_call_id, "
      "sip_command_user_agent, sip_command_allow) VALUES (?,'OPTIONS',?,'friendly-scanner',35)",
      "INSERT INTO sip_addrs (sip_command, sip_addr_type, sip_addr_display_name, "
      "sip_addr_uri_scheme, sip_addr_uri_user, sip_addr_uri_password, sip_addr_uri_host, "
      "sip_addr_uri_port) VALUES (?,?,?,'sip','100',NULL,?,?)",
      "INSERT INTO sip_vias (sip_command, sip_via_protocol, sip_via_address, sip_via_port) "
      "VALUES (?,'UDP',?,5070)",
      "INSERT INTO sip_sdp_origins (sip_command, sip_sdp_origin_username, "
      "sip_sdp_origin_sess_id, sip_sdp_origin_sess_version, sip_sdp_origin_nettype, "
      "sip_sdp_origin_addrtype, sip_sdp_origin_unicast_address) VALUES (?,'-','1','2','IN',"
      "'IP4',?)",
      "INSERT INTO sip_sdp_connectiondatas (sip_command, sip_sdp_connectiondata_nettype, "
      "sip_sdp_connectiondata_addrtype, sip_sdp_connectiondata_connection_address, "
      "sip_sdp_connectiondata_ttl, sip_sdp_connectiondata_number_of_addresses) VALUES "
      "(?,'IN','IP4',?,NULL,NULL)",
      "INSERT INTO sip_sdp_medias (sip_command, sip_sdp_media_media, sip_sdp_media_port, "
      "sip_sdp_media_number_of_ports, sip_sdp_media_proto) VALUES (?,'audio','8000',NULL,"
      "'RTP/AVP')",
      "INSERT INTO virustotals (virustotal_md5_hash, virustotal_timestamp, "
      "virustotal_permalink) VALUES (?,?,?)",
      "INSERT INTO virustotalscans (virustotal, virustotalscan_scanner, virustotalscan_result) "
      "VALUES (?,?,?)",
  };
  for (const char* sql : kSql) {
    ASSIGN_OR_RETURN(Statement st, db_.Prepare(sql));
    s_.push_back(std::move(st));
  }
  return OkStatus();
}

Result<std::int64_t> Generator::Connection(const char* type, const char* protocol,
                                           std::int64_t root, std::int64_t parent, int lport,
                                           const std::string& remote, const std::string& hostname,
                                           int rport) {
  Statement& st = s_[kConn];
  clock_ += 0.05 + (rng_() % 1000) / 1000.0;
  st.Bind(1, type).Bind(2, protocol).Bind(3, clock_);
  if (root > 0)
    st.Bind(4, root);
  else
    st.BindNull(4);
  if (parent > 0)
    st.Bind(5, parent);
  else
    st.BindNull(5);
  st.Bind(6, lport).Bind(7, remote).Bind(8, hostname).Bind(9, rport);
  RETURN_IF_ERROR(st.Run());
  st.Reset();
  ++stats_.connections;
  return db_.LastInsertRowid();
}

Status Generator::Download(std::int64_t conn, const std::string& url) {
  s_[kOffer].BindAll(conn, url);
  RETURN_IF_ERROR(s_[kOffer].Run());
  s_[kOffer].Reset();
  s_[kDown].BindAll(conn, url, Md5(Pick(o_.samples)));
  RETURN_IF_ERROR(s_[kDown].Run());
  s_[kDown].Reset();
  ++stats_.downloads;
  return OkStatus();
}

// Runs a statement bound with `args` and resets it.
template <typename... Args>
Status Insert(Statement& st, const Args&... args) {
  st.BindAll(args...);
  Status r = st.Run();
  st.Reset();
  return r;
}

Status Generator::Attack() {
  ++attacks_;
  ++stats_.roots;
  const std::string remote = Ip();
  const int kind = Pick(100);
  const int rport = 1024 + Pick(60000);
  if (kind < 40) {  // SMB exploitation with DCERPC, shellcode, download, bindshell
    ASSIGN_OR_RETURN(std::int64_t id, Connection("accept", "smbd", 0, 0, 445, remote, "", rport));
    RETURN_IF_ERROR(Insert(s_[kP0f], id));
    const int binds = 1 + Pick(3);
    for (int b = 0; b < binds; ++b) {
      RETURN_IF_ERROR(Insert(s_[kBind], id, kSmbUuids[b][0], kSyntax));
    }
    for (int r = 0; r < binds; ++r) {
      RETURN_IF_ERROR(Insert(s_[kReq], id, kSmbUuids[r][0], std::stoi(kSmbUuids[r][1])));
    }
    if (Pick(2) == 0) RETURN_IF_ERROR(Download(id, "http://" + remote + "/x.exe"));
    if (Pick(10) < 3) {
      RETURN_IF_ERROR(Insert(s_[kService], id, "bindshell://1957"));
      pending_.push_back({attacks_ + 1 + Pick(5), id, id, 1, remote});
    }
  } else if (kind < 55) {  // HTTP
    ASSIGN_OR_RETURN(std::int64_t id, Connection("accept", "httpd", 0, 0, 80, remote, "", rport));
    if (Pick(3) == 0) RETURN_IF_ERROR(Download(id, "http://" + remote + "/a.sh"));
  } else if (kind < 70) {  // MSSQL brute force and commands
    ASSIGN_OR_RETURN(std::int64_t id,
                     Connection("accept", "mssqld", 0, 0, 1433, remote, "", rport));
    RETURN_IF_ERROR(Insert(s_[kLogin], id, "sa", Pick(2) ? "" : "123456"));
    RETURN_IF_ERROR(Insert(s_[kFp], id));
    s_[kMssql].Bind(1, id).BindBlob(2, "select @@version");
    RETURN_IF_ERROR(s_[kMssql].Run());
    s_[kMssql].Reset();
  } else if (kind < 80) {  // MySQL
    ASSIGN_OR_RETURN(std::int64_t id,
                     Connection("accept", "mysqld", 0, 0, 3306, remote, "", rport));
    RETURN_IF_ERROR(Insert(s_[kLogin], id, "root", "root"));
    RETURN_IF_ERROR(Insert(s_[kMysql], id, 3));
    RETURN_IF_ERROR(
        Insert(s_[kMysqlArg], db_.LastInsertRowid(), 0, "select @@version_comment limit 1"));
    RETURN_IF_ERROR(Insert(s_[kMysql], id, 1));
  } else if (kind < 90) {  // SIP scan
    ASSIGN_OR_RETURN(std::int64_t id,
                     Connection("accept", "SipSession", 0, 0, 5060, remote, "", 5070));
    RETURN_IF_ERROR(Insert(s_[kSip], id, std::to_string(id) + "@scan"));
    const std::int64_t cmd = db_.LastInsertRowid();
    RETURN_IF_ERROR(Insert(s_[kSipAddr], cmd, "addr", kNull, "192.0.2.10", kNull));
    RETURN_IF_ERROR(Insert(s_[kSipAddr], cmd, "to", "bob", "192.0.2.10", "5060"));
    RETURN_IF_ERROR(Insert(s_[kSipAddr], cmd, "from", "sipvicious", remote, kNull));
    RETURN_IF_ERROR(Insert(s_[kSipVia], cmd, remote));
    RETURN_IF_ERROR(Insert(s_[kSipOrigin], cmd, remote));
    RETURN_IF_ERROR(Insert(s_[kSipC], cmd, remote));
    RETURN_IF_ERROR(Insert(s_[kSipM], cmd));
  } else {  // pcap reject
    ASSIGN_OR_RETURN(std::int64_t id, Connection("reject", "pcap", 0, 0, 1500, remote, "", rport));
    (void)id;
  }
  return OkStatus();
}

Status Generator::Child(const Pending& p) {
  const std::string& r = p.remote;
  std::int64_t id = 0;
  switch (p.stage) {
    case 1: {
      ASSIGN_OR_RETURN(id, Connection("listen", "remoteshell", p.root, p.parent, 1957, "", "", 0));
      break;
    }
    case 2: {
      ASSIGN_OR_RETURN(id, Connection("accept", "remoteshell", p.root, p.parent, 1957, r, "",
                                      2000 + Pick(9000)));
      RETURN_IF_ERROR(Insert(s_[kP0f], id));
      if (Pick(2) == 0) {
        RETURN_IF_ERROR(Download(id, "ftp://1:1@" + r + ":8218/ssms.exe"));
      } else {
        break;  // a shell without FTP: the chain ends here
      }
      pending_.push_back({attacks_ + 1 + Pick(3), id, p.root, 3, r});
      return OkStatus();
    }
    case 3: {
      ASSIGN_OR_RETURN(id, Connection("connect", "FTPCtrl", p.root, p.parent, 37065, r, r, 8218));
      break;
    }
    case 4: {
      ASSIGN_OR_RETURN(id, Connection("listen", "FTPData", p.root, p.parent, 62087, "", "", 0));
      break;
    }
    default: {
      ASSIGN_OR_RETURN(id, Connection("accept", "FTPData", p.root, p.parent, 62087, r, "", 2308));
      return OkStatus();
    }
  }
  if (p.stage != 2) pending_.push_back({attacks_ + 1 + Pick(3), id, p.root, p.stage + 1, r});
  return OkStatus();
}

Status Generator::VirusTotal() {
  static constexpr const char* kEngines[] = {
      "AVG",       "Avast",  "BitDefender", "ClamAV", "DrWeb",    "ESET-NOD32", "F-Secure",
      "Kaspersky", "McAfee", "Microsoft",   "Sophos", "Symantec", "TrendMicro"};
  for (int sample = 0; sample < o_.samples; ++sample) {
    const int reports = 1 + (sample % 7 == 0 ? 1 : 0);
    for (int r = 0; r < reports; ++r) {
      const std::int64_t when = 1286420347 + sample * 600 + r * 86400 * 30;
      RETURN_IF_ERROR(Insert(s_[kVt], Md5(sample), when,
                             "https://www.virustotal.com/file/" + Md5(sample) + Md5(sample) +
                                 "/analysis/" + std::to_string(when) + "/"));
      const std::int64_t vt = db_.LastInsertRowid();
      for (int e = 0; e < 4; ++e) {
        for (const char* engine : kEngines) {
          const bool detected = Pick(10) < 7;
          const std::string name = std::string("Worm.Win32.Gen") + std::to_string(sample % 50);
          Statement& st = s_[kScan];
          st.Bind(1, vt).Bind(2, std::string(engine) + std::to_string(e));
          if (detected)
            st.Bind(3, name);
          else
            st.BindNull(3);
          RETURN_IF_ERROR(st.Run());
          st.Reset();
          ++stats_.scans;
        }
      }
    }
  }
  return OkStatus();
}

Result<GeneratorStats> Generator::Run() {
  // A throw-away benchmark file: no journal, a large cache, and dionaea's indexes dropped
  // during the bulk insert and re-created afterwards with their exact DDL (building an
  // index from finished data is far faster than updating it row by row).
  RETURN_IF_ERROR(
      db_.Exec("PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; "
               "PRAGMA cache_size = -262144"));
  std::vector<std::pair<std::string, std::string>> indexes;  // name, CREATE INDEX ...
  {
    ASSIGN_OR_RETURN(Statement list,
                     db_.Prepare("SELECT name, sql FROM sqlite_master WHERE type = 'index' "
                                 "AND sql IS NOT NULL ORDER BY rowid"));
    while (true) {
      ASSIGN_OR_RETURN(bool row, list.Step());
      if (!row) break;
      indexes.emplace_back(list.Text(0), list.Text(1));
    }
  }
  for (const auto& [name, sql] : indexes) RETURN_IF_ERROR(db_.Exec("DROP INDEX \"" + name + "\""));
  RETURN_IF_ERROR(Prepare());
  ASSIGN_OR_RETURN(store::Transaction tx, store::Transaction::Begin(db_));
  while (stats_.connections < o_.connections) {
    while (!pending_.empty() && pending_.front().due <= attacks_ &&
           stats_.connections < o_.connections) {
      Pending p = pending_.front();
      pending_.pop_front();
      RETURN_IF_ERROR(Child(p));
    }
    if (stats_.connections < o_.connections) RETURN_IF_ERROR(Attack());
  }
  RETURN_IF_ERROR(VirusTotal());
  for (const auto& [name, sql] : indexes) RETURN_IF_ERROR(db_.Exec(sql));
  RETURN_IF_ERROR(tx.Commit());
  return stats_;
}

}  // namespace

Result<GeneratorStats> GenerateLogsql(const std::filesystem::path& path,
                                      const GeneratorOptions& options) {
  { ASSIGN_OR_RETURN(store::Logsql created, store::Logsql::Create(path)); }
  ASSIGN_OR_RETURN(store::Database db,
                   store::Database::Open(path, {.mode = store::OpenMode::kReadWrite}));
  Generator gen(db, options);
  return gen.Run();
}

}  // namespace honeyvt::bench
