#include "report/vt_data_gen.h"

#include <array>
#include <cstdio>
#include <string>
#include <vector>

#include "store/sqlite.h"

namespace honeyvt::report::testing {
namespace {

// splitmix64: deterministic on every platform (std distributions are not).
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t Next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
  std::uint64_t Below(std::uint64_t n) { return n == 0 ? 0 : Next() % n; }

 private:
  std::uint64_t state_;
};

std::uint64_t Mix(std::uint64_t a, std::uint64_t b) { return Rng(a * 1000003ULL ^ b).Next(); }

struct Family {
  const char* category;              // Kaspersky-style prefix
  std::array<const char*, 3> names;  // aliases: most vendors use the first
  double weight;
};

constexpr std::array<Family, 24> kFamilies = {{
    {"Net-Worm", {"Conficker", "Kido", "Downadup"}, 30},
    {"Worm", {"Rimecud", "Palevo", "Pilleuz"}, 14},
    {"Net-Worm", {"Allaple", "Rahack", "Starman"}, 12},
    {"Virus", {"Virut", "Virtob", "Virut"}, 8},
    {"Virus", {"Sality", "Sality", "Salload"}, 6},
    {"Backdoor", {"Sdbot", "Rbot", "Sdbot"}, 5},
    {"Trojan-Spy", {"Zbot", "Zeus", "Zbot"}, 4},
    {"Email-Worm", {"Mydoom", "Novarg", "Mydoom"}, 3},
    {"Email-Worm", {"Bagle", "Beagle", "Bagle"}, 3},
    {"Virus", {"Neshta", "Neshuta", "Neshta"}, 2},
    {"Virus", {"Ramnit", "Nimnul", "Ramnit"}, 2},
    {"Virus", {"Parite", "Pate", "Pinfi"}, 2},
    {"Worm", {"Vobfus", "Changeup", "Vobfus"}, 2},
    {"Worm", {"Dorkbot", "Ngrbot", "Dorkbot"}, 1.5},
    {"Backdoor", {"Hupigon", "Graybird", "Hupigon"}, 1.5},
    {"Backdoor", {"Padodor", "Berbew", "Padodor"}, 1},
    {"Trojan", {"Swrort", "Swrort", "Meterpreter"}, 1},
    {"Worm", {"Gamarue", "Andromeda", "Gamarue"}, 1},
    {"Trojan", {"Tofsee", "Tofsee", "Mudrop"}, 1},
    {"Worm", {"Koobface", "Koobface", "Boface"}, 1},
    {"Backdoor", {"Poison", "PoisonIvy", "Darkmoon"}, 1},
    {"Virus", {"Expiro", "Expiro", "Xpiro"}, 1},
    {"Worm", {"Autoit", "Autoit", "Autoit"}, 0.5},  // generic only: labels as singleton
    {"Trojan", {"Agent", "Generic", "Agent"}, 3},   // generic only
}};

constexpr std::array<const char*, 72> kVendors = {
    "AVG",
    "Acronis",
    "Ad-Aware",
    "AhnLab-V3",
    "Alibaba",
    "ALYac",
    "Antiy-AVL",
    "Arcabit",
    "Avast",
    "Avira",
    "Baidu",
    "BitDefender",
    "BitDefenderTheta",
    "Bkav",
    "CAT-QuickHeal",
    "ClamAV",
    "CMC",
    "Comodo",
    "CrowdStrike",
    "Cybereason",
    "Cylance",
    "Cynet",
    "Cyren",
    "DrWeb",
    "ESET-NOD32",
    "Elastic",
    "Emsisoft",
    "eScan",
    "F-Prot",
    "F-Secure",
    "FireEye",
    "Fortinet",
    "GData",
    "Gridinsoft",
    "Ikarus",
    "Jiangmin",
    "K7AntiVirus",
    "K7GW",
    "Kaspersky",
    "Kingsoft",
    "Lionic",
    "Malwarebytes",
    "MAX",
    "MaxSecure",
    "McAfee",
    "McAfee-GW-Edition",
    "MicroWorld-eScan",
    "Microsoft",
    "NANO-Antivirus",
    "Paloalto",
    "Panda",
    "Qihoo-360",
    "Rising",
    "SUPERAntiSpyware",
    "Sangfor",
    "SentinelOne",
    "Sophos",
    "Symantec",
    "SymantecMobileInsight",
    "TACHYON",
    "Tencent",
    "TotalDefense",
    "Trapmine",
    "TrendMicro",
    "TrendMicro-HouseCall",
    "VBA32",
    "VIPRE",
    "ViRobot",
    "Webroot",
    "Yandex",
    "Zillya",
    "ZoneAlarm",
};

std::string Variant(std::uint64_t n) {
  std::string v(1, static_cast<char>('A' + n % 26));
  if (n >= 26) v.insert(v.begin(), static_cast<char>('A' + (n / 26) % 26));
  return v;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  return s;
}

// The name vendor `v` gives to a sample of family `f`, variant `n` (per-vendor styles).
std::string VendorName(int v, const Family& f, std::uint64_t n, std::uint64_t sample_hash) {
  const std::uint64_t h = Mix(static_cast<std::uint64_t>(v), 77);
  const char* fam = f.names[h % 5 < 3 ? 0 : h % 5 == 3 ? 1 : 2];
  const std::string var = Variant(n);
  char buf[160];
  switch (h % 11) {
    case 0:
      std::snprintf(buf, sizeof buf, "%s.Win32.%s.%s", f.category, fam, Lower(var).c_str());
      break;
    case 1:
      std::snprintf(buf, sizeof buf, "Worm:Win32/%s.%s", fam, var.c_str());
      break;
    case 2:
      std::snprintf(buf, sizeof buf, "W32.%s.%s", fam, var.c_str());
      break;
    case 3:
      std::snprintf(buf, sizeof buf, "Win32/%s.%s", fam, var.c_str());
      break;
    case 4:
      std::snprintf(buf, sizeof buf, "Worm.%s-%d", fam, static_cast<int>(n % 9 + 1));
      break;
    case 5:
      std::snprintf(buf, sizeof buf, "Gen:Variant.%s.%d", fam,
                    static_cast<int>(sample_hash % 90000 + 100));
      break;
    case 6:
      std::snprintf(buf, sizeof buf, "W32/%s.%s!worm", fam, Lower(var).c_str());
      break;
    case 7:
      std::snprintf(buf, sizeof buf, "Worm/%s.%s", fam, var.c_str());
      break;
    case 8:
      std::snprintf(buf, sizeof buf, "Trojan.Win32.%s.%s", fam, Lower(var).c_str());
      break;
    case 9:
      std::snprintf(buf, sizeof buf, "Mal/%s-%s", fam, var.c_str());
      break;
    default:
      std::snprintf(buf, sizeof buf, "Trojan.Generic.%d", static_cast<int>(sample_hash % 9000000));
      break;
  }
  return buf;
}

struct Op {
  std::string uuid;
  std::int64_t opnum;
  bool vuln;
};

Result<std::vector<Op>> LoadOps(store::Database& db) {
  std::vector<Op> ops;
  ASSIGN_OR_RETURN(store::Statement stmt,
                   db.Prepare("SELECT s.dcerpcservice_uuid, o.dcerpcserviceop_opnum, "
                              "o.dcerpcserviceop_vuln <> '' FROM dcerpcserviceops o JOIN "
                              "dcerpcservices s ON s.dcerpcservice = o.dcerpcservice "
                              "ORDER BY s.dcerpcservice_uuid, o.dcerpcserviceop_opnum"));
  while (true) {
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    if (!row) break;
    ops.push_back({stmt.Text(0), stmt.Int64(1), stmt.Int64(2) != 0});
  }
  return ops;
}

std::string Hex(Rng& rng, int bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (int i = 0; i < bytes; i += 8) {
    std::uint64_t x = rng.Next();
    for (int j = 0; j < 16 && static_cast<int>(out.size()) < bytes * 2; ++j, x >>= 4) {
      out += kDigits[x & 15];
    }
  }
  return out;
}

}  // namespace

Result<VtDataStats> GenerateVtData(const std::filesystem::path& logsql,
                                   const VtDataOptions& options) {
  ASSIGN_OR_RETURN(store::Database db,
                   store::Database::Open(logsql, {.mode = store::OpenMode::kReadWrite}));
  ASSIGN_OR_RETURN(std::vector<Op> ops, LoadOps(db));
  std::vector<const Op*> vuln_ops, plain_ops;
  for (const Op& op : ops) (op.vuln ? vuln_ops : plain_ops).push_back(&op);
  const Op* ms08_67 = nullptr;  // the op most worms used: SRVSVC NetPathCanonicalize
  for (const Op& op : ops) {
    if (op.uuid == "4b324fc8-1670-01d3-1278-5a47bf6ee188" && op.opnum == 31) ms08_67 = &op;
  }
  ASSIGN_OR_RETURN(store::Transaction tx, store::Transaction::Begin(db));
  ASSIGN_OR_RETURN(store::Statement conn,
                   db.Prepare("INSERT INTO connections (connection_type, connection_transport, "
                              "connection_protocol, connection_timestamp, connection_root, "
                              "connection_parent, local_host, local_port, remote_host, "
                              "remote_hostname, remote_port) VALUES (?1, 'tcp', ?2, ?3, ?4, ?5, "
                              "'192.0.2.10', ?6, ?7, ?8, ?9)"));
  ASSIGN_OR_RETURN(store::Statement bind,
                   db.Prepare("INSERT INTO dcerpcbinds (connection, dcerpcbind_uuid, "
                              "dcerpcbind_transfersyntax) VALUES (?1, ?2, "
                              "'8a885d04-1ceb-11c9-9fe8-08002b104860')"));
  ASSIGN_OR_RETURN(store::Statement request,
                   db.Prepare("INSERT INTO dcerpcrequests (connection, dcerpcrequest_uuid, "
                              "dcerpcrequest_opnum) VALUES (?1, ?2, ?3)"));
  ASSIGN_OR_RETURN(store::Statement download,
                   db.Prepare("INSERT INTO downloads (connection, download_url, "
                              "download_md5_hash) VALUES (?1, ?2, ?3)"));
  ASSIGN_OR_RETURN(store::Statement report,
                   db.Prepare("INSERT INTO virustotals (virustotal_md5_hash, "
                              "virustotal_timestamp, virustotal_permalink) VALUES (?1, ?2, ?3)"));
  ASSIGN_OR_RETURN(store::Statement scan,
                   db.Prepare("INSERT INTO virustotalscans (virustotal, virustotalscan_scanner, "
                              "virustotalscan_result) VALUES (?1, ?2, ?3)"));
  Rng rng(options.seed);
  VtDataStats stats;
  double total_weight = 0;
  for (const Family& f : kFamilies) total_weight += f.weight;
  const int vendors = std::min<int>(options.vendors, static_cast<int>(kVendors.size()));
  const double span = options.days * 86400.0;

  for (std::int64_t s = 0; s < options.samples; ++s) {
    const std::string md5 = Hex(rng, 16);
    const std::uint64_t sample_hash = rng.Next();
    double pick = rng.Uniform() * total_weight;
    std::size_t fi = 0;
    while (fi + 1 < kFamilies.size() && pick >= kFamilies[fi].weight)
      pick -= kFamilies[fi++].weight;
    const Family& family = kFamilies[fi];
    double when = options.start + rng.Uniform() * span;
    const double first_seen = when;
    // Downloads: geometric, mean about 2.
    int n_downloads = 1;
    while (n_downloads < 12 && rng.Uniform() < 0.5) ++n_downloads;
    const bool smb_worm = fi < 3 || rng.Uniform() < 0.6;
    for (int d = 0; d < n_downloads; ++d) {
      const std::string attacker = "198.51.100." + std::to_string(rng.Below(250) + 1);
      conn.Reset();
      conn.BindAll(std::string("accept"), std::string(smb_worm ? "smbd" : "httpd"), when);
      conn.BindNull(4)
          .BindNull(5)
          .Bind(6, smb_worm ? 445 : 80)
          .Bind(7, attacker)
          .Bind(8, std::string())
          .Bind(9, static_cast<std::int64_t>(rng.Below(60000) + 1024));
      RETURN_IF_ERROR(conn.Run());
      const std::int64_t root = db.LastInsertRowid();
      ++stats.connections;
      std::int64_t where = root;
      if (smb_worm) {
        std::vector<const Op*> used;
        const double r = rng.Uniform();
        if (r < 0.55 && ms08_67 != nullptr) {
          used.push_back(ms08_67);
        } else if (r < 0.85 && !vuln_ops.empty()) {
          used.push_back(vuln_ops[rng.Below(vuln_ops.size())]);
        }
        for (std::uint64_t k = rng.Below(3); k > 0 && !plain_ops.empty(); --k) {
          used.push_back(plain_ops[rng.Below(plain_ops.size())]);
        }
        for (const Op* op : used) {
          bind.Reset();
          bind.BindAll(root, op->uuid);
          RETURN_IF_ERROR(bind.Run());
          request.Reset();
          request.BindAll(root, op->uuid, op->opnum);
          RETURN_IF_ERROR(request.Run());
        }
        if (rng.Uniform() < 0.6) {  // shell -> the victim fetches the file on a child
          conn.Reset();
          conn.BindAll(std::string("connect"), std::string("httpd"), when + 2.5, root, root,
                       static_cast<std::int64_t>(rng.Below(30000) + 30000), attacker, attacker,
                       static_cast<std::int64_t>(8080));
          RETURN_IF_ERROR(conn.Run());
          where = db.LastInsertRowid();
          ++stats.connections;
        }
      }
      download.Reset();
      download.BindAll(where, "http://" + attacker + "/" + md5.substr(0, 6) + ".exe", md5);
      RETURN_IF_ERROR(download.Run());
      ++stats.downloads;
      when += rng.Uniform() * span / 10;
    }
    ++stats.samples;
    if (rng.Uniform() < options.without_report) continue;
    ++stats.samples_with_report;
    const int n_reports = rng.Uniform() < options.second_report ? 2 : 1;
    // Detectability: a few samples nobody detects; the rest between 30% and 100%.
    const double detectability = rng.Uniform() < 0.04 ? 0.0 : 0.3 + 0.7 * rng.Uniform();
    for (int rep = 0; rep < n_reports; ++rep) {
      const auto ts = static_cast<std::int64_t>(first_seen) + 3600 + rep * 86400 * 30;
      const std::string sha256 = Hex(rng, 32);
      report.Reset();
      report.BindAll(
          md5, ts,
          "https://www.virustotal.com/file/" + sha256 + "/analysis/" + std::to_string(ts) + "/");
      RETURN_IF_ERROR(report.Run());
      const std::int64_t vt = db.LastInsertRowid();
      ++stats.reports;
      for (int v = 0; v < vendors; ++v) {
        if (rng.Uniform() < options.vendor_absent) continue;
        const double quality = 0.6 + 0.4 * static_cast<double>(Mix(v, 5) % 1000) / 1000.0;
        scan.Reset();
        scan.Bind(1, vt).Bind(2, kVendors[static_cast<std::size_t>(v)]);
        // An older report knows less.
        const double seen = rep + 1 < n_reports ? 0.5 : 1.0;
        if (rng.Uniform() < quality * detectability * seen) {
          const std::uint64_t variants = 1 + Mix(v, fi) % 12;
          scan.Bind(3, VendorName(v, family, (sample_hash >> 8) % variants, sample_hash));
        } else {
          scan.BindNull(3);
        }
        RETURN_IF_ERROR(scan.Run());
        ++stats.scans;
      }
    }
  }
  RETURN_IF_ERROR(tx.Commit());
  return stats;
}

}  // namespace honeyvt::report::testing
