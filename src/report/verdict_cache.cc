#include "report/verdict_cache.h"

#include <algorithm>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>

namespace honeyvt::report {
namespace {

// Cache tables are dropped and rebuilt whole (they hold nothing that cannot be derived).
constexpr const char* kCreate = R"SQL(
CREATE TABLE IF NOT EXISTS honeyvt_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
DROP TABLE IF EXISTS honeyvt_verdicts;
DROP TABLE IF EXISTS honeyvt_names;
DROP TABLE IF EXISTS honeyvt_vendors;
CREATE TABLE honeyvt_verdicts (
  virustotal INTEGER PRIMARY KEY, md5, ts, positives INTEGER NOT NULL,
  total INTEGER NOT NULL, family TEXT NOT NULL, votes INTEGER NOT NULL, rows BLOB NOT NULL);
CREATE TABLE honeyvt_names (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE honeyvt_vendors (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
)SQL";

struct StringHash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using Dictionary = std::unordered_map<std::string, std::uint32_t, StringHash, std::equal_to<>>;

std::uint32_t Intern(Dictionary& ids, std::vector<std::string>& list, std::string_view text) {
  auto it = ids.find(text);
  if (it != ids.end()) return it->second;
  const auto id = static_cast<std::uint32_t>(list.size());
  list.emplace_back(text);
  ids.emplace(std::string(text), id);
  return id;
}

void AppendVarint(std::string& out, std::uint32_t v) {
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7F) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}

// Decodes (vendor, name) varint pairs; false on a malformed blob or an unknown id.
bool DecodeRows(std::string_view blob, std::size_t vendors, std::size_t names,
                std::vector<CachedRow>& out) {
  std::size_t at = 0;
  auto next = [&](std::uint32_t& v) {
    v = 0;
    for (int shift = 0; shift < 35; shift += 7) {
      if (at >= blob.size()) return false;
      const auto byte = static_cast<unsigned char>(blob[at++]);
      v |= static_cast<std::uint32_t>(byte & 0x7F) << shift;
      if ((byte & 0x80) == 0) return true;
    }
    return false;
  };
  while (at < blob.size()) {
    CachedRow row;
    if (!next(row.vendor) || !next(row.name) || row.vendor >= vendors || row.name >= names) {
      return false;
    }
    out.push_back(row);
  }
  return true;
}

Result<std::int64_t> One(store::Database& db, const char* sql) {
  ASSIGN_OR_RETURN(store::Statement stmt, db.Prepare(sql));
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  return row && !stmt.IsNull(0) ? stmt.Int64(0) : 0;
}

Result<std::optional<std::int64_t>> Meta(store::Database& db, const char* key) {
  ASSIGN_OR_RETURN(store::Statement stmt,
                   db.Prepare("SELECT value FROM honeyvt_meta WHERE key = ?1"));
  stmt.Bind(1, key);
  ASSIGN_OR_RETURN(bool row, stmt.Step());
  if (!row) return std::optional<std::int64_t>();
  return std::optional<std::int64_t>(stmt.Int64(0));
}

Status SetMeta(store::Database& db, const char* key, std::int64_t value) {
  ASSIGN_OR_RETURN(store::Statement stmt,
                   db.Prepare("INSERT OR REPLACE INTO honeyvt_meta (key, value) VALUES (?1, ?2)"));
  stmt.Bind(1, key).Bind(2, std::to_string(value));
  return stmt.Run();
}

}  // namespace

Result<std::int64_t> RebuildVerdictCache(store::Database& db) {
  ASSIGN_OR_RETURN(store::Transaction tx, store::Transaction::Begin(db));
  RETURN_IF_ERROR(db.Exec(kCreate));
  std::vector<std::int64_t> ids;
  {
    ASSIGN_OR_RETURN(store::Statement stmt, db.Prepare("SELECT virustotal FROM virustotals"));
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      ids.push_back(stmt.Int64(0));
    }
  }
  ASSIGN_OR_RETURN(std::vector<ReportTally> tallies,
                   TallyReports(db, ids, static_cast<std::int64_t>(ids.size())));
  // Every report's scan rows as (vendor id, name id) varint pairs; name id 0 = NULL.
  IdIndex index(ids.empty() ? -1 : *std::max_element(ids.begin(), ids.end()),
                static_cast<std::int64_t>(ids.size()));
  for (std::size_t i = 0; i < ids.size(); ++i) index.Set(ids[i], static_cast<std::int64_t>(i));
  std::vector<std::string> blobs(ids.size());
  Dictionary vendor_ids;
  Dictionary name_ids;
  std::vector<std::string> vendors;
  std::vector<std::string> names{std::string()};  // id 0 stands for NULL
  {
    ASSIGN_OR_RETURN(store::Statement stmt,
                     db.Prepare("SELECT virustotal, virustotalscan_scanner, "
                                "virustotalscan_result FROM virustotalscans"));
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      const std::int64_t i = stmt.IsNull(0) ? -1 : index.Find(stmt.Int64(0));
      if (i < 0) continue;  // an orphan row
      std::string& blob = blobs[static_cast<std::size_t>(i)];
      AppendVarint(blob, Intern(vendor_ids, vendors, stmt.TextView(1)));
      AppendVarint(blob, stmt.IsNull(2) ? 0 : Intern(name_ids, names, stmt.TextView(2)));
    }
  }
  {
    ASSIGN_OR_RETURN(store::Statement stmt,
                     db.Prepare("INSERT INTO honeyvt_vendors (id, name) VALUES (?1, ?2)"));
    for (std::size_t id = 0; id < vendors.size(); ++id) {
      stmt.Reset();
      stmt.Bind(1, static_cast<std::int64_t>(id)).Bind(2, vendors[id]);
      RETURN_IF_ERROR(stmt.Run());
    }
    ASSIGN_OR_RETURN(store::Statement name,
                     db.Prepare("INSERT INTO honeyvt_names (id, name) VALUES (?1, ?2)"));
    for (std::size_t id = 1; id < names.size(); ++id) {
      name.Reset();
      name.Bind(1, static_cast<std::int64_t>(id)).Bind(2, names[id]);
      RETURN_IF_ERROR(name.Run());
    }
  }
  ASSIGN_OR_RETURN(store::Statement insert,
                   db.Prepare("INSERT INTO honeyvt_verdicts SELECT virustotal, "
                              "virustotal_md5_hash, virustotal_timestamp, ?2, ?3, ?4, ?5, ?6 "
                              "FROM virustotals WHERE virustotal = ?1"));
  std::int64_t cached_rows = 0;
  for (std::size_t i = 0; i < ids.size(); ++i) {
    const ReportTally& t = tallies[i];
    insert.Reset();
    insert.Bind(1, ids[i]).Bind(2, t.positives).Bind(3, t.total).Bind(4, t.label.family);
    insert.Bind(5, t.label.votes).BindBlob(6, blobs[i]);
    RETURN_IF_ERROR(insert.Run());
    cached_rows += t.total;
  }
  ASSIGN_OR_RETURN(std::int64_t scan_rows, One(db, "SELECT count(*) FROM virustotalscans"));
  ASSIGN_OR_RETURN(std::int64_t scan_max, One(db, "SELECT max(rowid) FROM virustotalscans"));
  RETURN_IF_ERROR(SetMeta(db, "verdict_cache_version", kVerdictCacheVersion));
  RETURN_IF_ERROR(SetMeta(db, "verdict_cache_scan_max", scan_max));
  RETURN_IF_ERROR(SetMeta(db, "verdict_cache_orphans", scan_rows - cached_rows));
  ASSIGN_OR_RETURN(store::Statement top,
                   db.Prepare("SELECT virustotal FROM virustotalscans WHERE rowid = ?1"));
  top.Bind(1, scan_max);
  ASSIGN_OR_RETURN(bool has_top, top.Step());
  RETURN_IF_ERROR(SetMeta(db, "verdict_cache_top_owner", has_top ? top.Int64(0) : -1));
  RETURN_IF_ERROR(tx.Commit());
  return static_cast<std::int64_t>(ids.size());
}

Result<std::optional<VerdictCache>> LoadVerdictCache(store::Database& db, std::string* why,
                                                     bool with_rows) {
  const std::optional<VerdictCache> none;
  if (!db.TableExists("honeyvt_verdicts") || !db.TableExists("honeyvt_meta") ||
      !db.TableExists("honeyvt_names") || !db.TableExists("honeyvt_vendors")) {
    *why = "no verdict cache (honeyvt report add-indexes builds it)";
    return none;
  }
  // One snapshot for the cache, virustotals and virustotalscans.
  ASSIGN_OR_RETURN(store::Transaction tx,
                   store::Transaction::Begin(db, store::Transaction::Kind::kDeferred));
  ASSIGN_OR_RETURN(std::optional<std::int64_t> version, Meta(db, "verdict_cache_version"));
  ASSIGN_OR_RETURN(std::optional<std::int64_t> scan_max, Meta(db, "verdict_cache_scan_max"));
  ASSIGN_OR_RETURN(std::optional<std::int64_t> orphans, Meta(db, "verdict_cache_orphans"));
  ASSIGN_OR_RETURN(std::optional<std::int64_t> top_owner, Meta(db, "verdict_cache_top_owner"));
  if (version != kVerdictCacheVersion || !scan_max || !orphans || !top_owner) {
    *why =
        "the verdict cache is from another honeyvt version (honeyvt report add-indexes "
        "rebuilds it)";
    return none;
  }
  VerdictCache cache;
  cache.has_rows = with_rows;
  if (with_rows) {
    cache.names.emplace_back();  // id 0 = NULL
    for (auto [sql, list] :
         {std::pair{"SELECT id, name FROM honeyvt_vendors ORDER BY id", &cache.vendors},
          std::pair{"SELECT id, name FROM honeyvt_names ORDER BY id", &cache.names}}) {
      ASSIGN_OR_RETURN(store::Statement stmt, db.Prepare(sql));
      while (true) {
        ASSIGN_OR_RETURN(bool row, stmt.Step());
        if (!row) break;
        if (stmt.Int64(0) != static_cast<std::int64_t>(list->size())) {
          *why =
              "the verdict cache is damaged (ids not dense; honeyvt report add-indexes "
              "rebuilds it)";
          return none;
        }
        list->push_back(stmt.Text(1));
      }
    }
  }
  std::vector<std::int64_t> ids;
  std::vector<std::int64_t> stale;  // ids to tally from the scan rows
  std::int64_t expected_rows = *orphans;
  {
    ASSIGN_OR_RETURN(store::Statement stmt,
                     db.Prepare(std::string("SELECT v.virustotal, c.virustotal IS NOT NULL AND "
                                            "v.virustotal_md5_hash IS c.md5 AND "
                                            "v.virustotal_timestamp IS c.ts, "
                                            "c.positives, c.total, c.family, c.votes") +
                                (with_rows ? ", c.rows" : "") +
                                " FROM virustotals v LEFT JOIN honeyvt_verdicts c "
                                "ON c.virustotal = v.virustotal"));
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      ids.push_back(stmt.Int64(0));
      ReportTally& t = cache.tallies.emplace_back();
      if (with_rows) cache.rows.emplace_back();
      if (stmt.Int64(1) == 0) {
        stale.push_back(static_cast<std::int64_t>(cache.tallies.size()) - 1);
        continue;
      }
      t.positives = static_cast<int>(stmt.Int64(2));
      t.total = static_cast<int>(stmt.Int64(3));
      t.label.family = stmt.Text(4);
      t.label.votes = static_cast<int>(stmt.Int64(5));
      expected_rows += t.total;
      if (with_rows) {
        std::vector<CachedRow>& rows = cache.rows.back();
        rows.reserve(static_cast<std::size_t>(std::max(t.total, 0)));
        if (!DecodeRows(stmt.Blob(6), cache.vendors.size(), cache.names.size(), rows) ||
            static_cast<std::int64_t>(rows.size()) != t.total) {
          *why =
              "the verdict cache is damaged (a row list does not decode; honeyvt report "
              "add-indexes rebuilds it)";
          return none;
        }
      }
    }
  }
  if (static_cast<std::int64_t>(stale.size()) * 10 > static_cast<std::int64_t>(ids.size())) {
    *why = "the verdict cache is stale (" + std::to_string(stale.size()) + " of " +
           std::to_string(ids.size()) +
           " reports are new or changed; honeyvt report add-indexes rebuilds it)";
    return none;
  }
  std::vector<std::int64_t> stale_ids;
  for (std::int64_t pos : stale) stale_ids.push_back(ids[static_cast<std::size_t>(pos)]);
  ASSIGN_OR_RETURN(std::vector<ReportTally> fresh,
                   TallyReports(db, stale_ids, static_cast<std::int64_t>(ids.size())));
  for (std::size_t i = 0; i < stale.size(); ++i) {
    cache.tallies[static_cast<std::size_t>(stale[i])] = std::move(fresh[i]);
    expected_rows += cache.tallies[static_cast<std::size_t>(stale[i])].total;
  }
  if (with_rows && !stale.empty()) {
    // The rows of new or changed reports, interned into the dictionaries in memory.
    Dictionary vendor_ids;
    Dictionary name_ids;
    for (std::size_t id = 0; id < cache.vendors.size(); ++id) {
      vendor_ids.emplace(cache.vendors[id], static_cast<std::uint32_t>(id));
    }
    for (std::size_t id = 1; id < cache.names.size(); ++id) {
      name_ids.emplace(cache.names[id], static_cast<std::uint32_t>(id));
    }
    ASSIGN_OR_RETURN(store::Statement stmt,
                     db.Prepare("SELECT virustotalscan_scanner, virustotalscan_result "
                                "FROM virustotalscans WHERE virustotal = ?1"));
    for (std::int64_t pos : stale) {
      std::vector<CachedRow>& rows = cache.rows[static_cast<std::size_t>(pos)];
      stmt.Reset();
      stmt.Bind(1, ids[static_cast<std::size_t>(pos)]);
      while (true) {
        ASSIGN_OR_RETURN(bool row, stmt.Step());
        if (!row) break;
        rows.push_back({Intern(vendor_ids, cache.vendors, stmt.TextView(0)),
                        stmt.IsNull(1) ? 0 : Intern(name_ids, cache.names, stmt.TextView(1))});
      }
    }
  }
  // Scan rows written after the cache must all belong to re-tallied reports ...
  const std::unordered_set<std::int64_t> retallied(stale_ids.begin(), stale_ids.end());
  {
    ASSIGN_OR_RETURN(store::Statement stmt,
                     db.Prepare("SELECT virustotal FROM virustotalscans WHERE rowid > ?1"));
    stmt.Bind(1, *scan_max);
    while (true) {
      ASSIGN_OR_RETURN(bool row, stmt.Step());
      if (!row) break;
      if (stmt.IsNull(0) || retallied.count(stmt.Int64(0)) == 0) {
        *why =
            "the verdict cache is stale (scan rows were added to cached reports; "
            "honeyvt report add-indexes rebuilds it)";
        return none;
      }
    }
  }
  // ... the row that was on top still belongs to its report, unless that one was
  // re-tallied (SQLite reuses the greatest rowid after it is deleted) ...
  {
    ASSIGN_OR_RETURN(store::Statement stmt,
                     db.Prepare("SELECT virustotal FROM virustotalscans WHERE rowid = ?1"));
    stmt.Bind(1, *scan_max);
    ASSIGN_OR_RETURN(bool row, stmt.Step());
    const bool owner_kept = row && !stmt.IsNull(0) && stmt.Int64(0) == *top_owner;
    const bool owner_retallied = *top_owner < 0 || retallied.count(*top_owner) > 0;
    const bool now_retallied = row && !stmt.IsNull(0) && retallied.count(stmt.Int64(0)) > 0;
    if (!(owner_kept || (owner_retallied && (!row || now_retallied)))) {
      *why =
          "the verdict cache is stale (the last cached scan row changed; honeyvt report "
          "add-indexes rebuilds it)";
      return none;
    }
  }
  // ... and no scan row of a cached report may have appeared or disappeared.
  ASSIGN_OR_RETURN(std::int64_t scan_rows, One(db, "SELECT count(*) FROM virustotalscans"));
  if (scan_rows != expected_rows) {
    *why = "the verdict cache is stale (virustotalscans holds " + std::to_string(scan_rows) +
           " rows, the cache accounts for " + std::to_string(expected_rows) +
           "; honeyvt report add-indexes rebuilds it)";
    return none;
  }
  RETURN_IF_ERROR(tx.Commit());
  const std::int64_t max_id = ids.empty() ? -1 : *std::max_element(ids.begin(), ids.end());
  cache.index = IdIndex(max_id, static_cast<std::int64_t>(ids.size()));
  for (std::size_t i = 0; i < ids.size(); ++i) {
    cache.index.Set(ids[i], static_cast<std::int64_t>(i));
  }
  cache.retallied = static_cast<std::int64_t>(stale.size());
  cache.retallied_ids = std::move(stale_ids);
  return std::optional<VerdictCache>(std::move(cache));
}

}  // namespace honeyvt::report
