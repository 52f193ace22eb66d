// FleetDb: reports (history + dionaea's current-report tables) and the local mirrors' feed.
#include <algorithm>
#include <map>

#include "core/strings.h"
#include "store/pg/fleet_db.h"

namespace honeyvt::pg {

using domain::EngineResult;
using domain::FileReport;

namespace {

// dionaea's pg_schema declares virustotal_permalink varchar(128) and
// virustotalscan_scanner varchar(32).
constexpr std::size_t kPermalinkMax = 128;
constexpr std::size_t kScannerMax = 32;

// The first `n` characters of UTF-8 `s` (never cutting a character).
std::string Prefix(const std::string& s, std::size_t n) {
  std::size_t chars = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80 && chars++ == n) return s.substr(0, i);
  }
  return s;
}

Status Validate(const FileReport& r) {
  if (!IsHex(r.md5, 32) || ToLower(r.md5) != r.md5) {
    return MakeError(ErrorCode::kCorrupt, "report without a valid lowercase md5");
  }
  if (r.last_analysis_date <= 0) {
    return MakeError(ErrorCode::kCorrupt, "report of " + r.md5 + " has no analysis date");
  }
  if (r.permalink.empty()) {
    return MakeError(ErrorCode::kCorrupt, "report of " + r.md5 + " has no permalink");
  }
  return OkStatus();
}

}  // namespace

namespace {

// The report's parameters of honeyvt.put_report from p_md5 on ($N.. in order).
void AddReport(Params& p, const FileReport& r, int api_version, TimePoint fetched_at) {
  std::string permalink = r.permalink;
  if (permalink.size() > kPermalinkMax) {
    // Hostile or unexpected: dionaea's column cannot hold it; the canonical form can.
    permalink = "https://www.virustotal.com/gui/file/" + (r.sha256.empty() ? r.md5 : r.sha256);
    permalink = Prefix(permalink, kPermalinkMax);
  }
  std::vector<std::string> engine, name, version, update, category, result, scanner, scan_result;
  for (const EngineResult& e : r.engines) {
    engine.push_back(e.engine);
    name.push_back(e.engine_name);
    version.push_back(e.version);
    update.push_back(e.update);
    category.push_back(e.category);
    result.push_back(e.result.value_or(""));
    if (!e.Judged()) continue;
    scanner.push_back(Prefix(e.engine, kScannerMax));
    scan_result.push_back(e.Detected() && e.result ? *e.result : "");
  }
  p.Add(r.md5).Add(r.sha1).Add(r.sha256);
  if (r.size >= 0) {
    p.Add(r.size);
  } else {
    p.AddNull();
  }
  p.Add(r.type_description)
      .Add(r.Positives())
      .Add(r.Total())
      .Add(r.suggested_threat_label)
      .Add(r.last_analysis_date)
      .Add(fetched_at)
      .Add(permalink)
      .Add(api_version)
      .Add(r.raw_json)
      .AddTextArray(engine)
      .AddTextArray(name)
      .AddTextArray(version)
      .AddTextArray(update)
      .AddTextArray(category)
      .AddTextArray(result, true)
      .AddTextArray(scanner)
      .AddTextArray(scan_result, true);
}

ReportWrite WriteOf(std::string_view what) {
  if (what == "written") return ReportWrite::kWritten;
  if (what == "stored") return ReportWrite::kStored;
  if (what == "history") return ReportWrite::kHistory;
  return ReportWrite::kFenced;
}

}  // namespace

Result<ReportWrite> FleetDb::StoreReport(const domain::Job& job, const FileReport& r,
                                         int api_version, TimePoint fetched_at) {
  RETURN_IF_ERROR(Validate(r));
  Params p(job.id, id_.worker_id, job.lease_token);
  AddReport(p, r, api_version, fetched_at);
  ASSIGN_OR_RETURN(PgResult out,
                   Run("store_report",
                       "SELECT honeyvt.store_report($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, "
                       "$11, $12, $13, $14, $15::smallint, $16, $17, $18, $19, $20, $21, $22, "
                       "$23, $24)",
                       p));
  return WriteOf(out.TextView(0, 0));
}

Result<ReportWrite> FleetDb::ImportReport(const FileReport& r, int api_version,
                                          TimePoint fetched_at) {
  RETURN_IF_ERROR(Validate(r));
  Params p;
  p.AddNull();
  if (id_.worker_id > 0) {
    p.Add(id_.worker_id);
  } else {
    p.AddNull();
  }
  AddReport(p, r, api_version, fetched_at);
  ASSIGN_OR_RETURN(PgResult out,
                   Run("import_report",
                       "SELECT honeyvt.put_report($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, "
                       "$12, $13, $14::smallint, $15, $16, $17, $18, $19, $20, $21, $22, $23)",
                       p));
  return WriteOf(out.TextView(0, 0));
}

Result<std::string> FleetDb::ImportJob(const domain::Job& j, bool has_file) {
  Params p(id_.sensor_id);
  auto opt = [&p](const std::string& s) -> Params& { return s.empty() ? p.AddNull() : p.Add(s); };
  opt(j.md5);
  opt(j.sha1);
  opt(j.sha256);
  p.Add(j.path)
      .Add(has_file)
      .Add(j.source)
      .Add(j.priority)
      .Add(domain::JobStateName(j.state))
      .Add(j.attempts)
      .Add(j.polls)
      .Add(j.requests)
      .Add(j.next_action_at)
      .Add(j.last_error)
      .Add(j.analysis_id)
      .Add(j.analysis_permalink)
      .Add(j.uploaded_at)
      .Add(j.created_at)
      .Add(j.updated_at);
  ASSIGN_OR_RETURN(PgResult out,
                   Run("import_job",
                       "SELECT honeyvt.import_job($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, "
                       "$12, $13, $14, $15, $16, $17, $18, $19)",
                       p));
  // The trust fields (issue 15): restrictions only tighten the fleet's job; this sensor's
  // copy keeps the folder it lies below, the folders it was offered from, and its size.
  std::string seen;
  for (const auto& folder : j.seen_in) {
    if (folder.find('\n') != std::string::npos) continue;  // cannot be a root
    seen += (seen.empty() ? "" : "\n") + folder;
  }
  Params t(id_.sensor_id);
  auto opt_t = [&t](const std::string& s) -> Params& { return s.empty() ? t.AddNull() : t.Add(s); };
  opt_t(j.md5);
  opt_t(j.sha1);
  opt_t(j.sha256);
  t.Add(j.may_upload).Add(j.may_comment).Add(j.root).Add(seen).Add(j.size);
  ASSIGN_OR_RETURN(
      PgResult trust,
      Run("import_trust",
          "WITH j AS (UPDATE honeyvt.jobs SET may_upload = may_upload AND $5, "
          "may_comment = may_comment AND $6 WHERE id = (SELECT id FROM honeyvt.jobs WHERE "
          "md5 = $2 OR sha1 = $3 OR sha256 = $4 ORDER BY id LIMIT 1) RETURNING id) "
          "UPDATE honeyvt.sightings s SET root = CASE WHEN s.root = '' THEN $7 ELSE s.root END, "
          "seen_in = ARRAY(SELECT DISTINCT x FROM unnest(s.seen_in || CASE WHEN $8 = '' THEN "
          "'{}'::text[] ELSE string_to_array($8, E'\\n') END) x WHERE x <> '' ORDER BY x), "
          "size = coalesce(s.size, $9::bigint) FROM j WHERE s.job_id = j.id AND s.sensor_id = $1",
          t));
  (void)trust;
  return out.Text(0, 0);
}

Result<FleetDb::MirrorBatch> FleetDb::PendingMirror(int limit) {
  MirrorBatch batch;
  // Reports after the cursor; the ones of samples this sensor sighted are to be applied.
  ASSIGN_OR_RETURN(
      PgResult scan,
      Run("mirror_scan",
          "SELECT r.seq, EXISTS (SELECT 1 FROM honeyvt.sightings s JOIN honeyvt.jobs j ON "
          "j.id = s.job_id WHERE j.md5 = r.md5 AND s.sensor_id = $1) FROM honeyvt.reports r "
          "WHERE r.seq > coalesce((SELECT last_seq FROM honeyvt.mirror_cursor WHERE "
          "sensor_id = $1), 0) ORDER BY r.seq LIMIT $2",
          Params(id_.sensor_id, limit)));
  std::vector<std::int64_t> seqs;
  for (int i = 0; i < scan.rows(); ++i) {
    batch.cursor = scan.Int64(i, 0);
    if (scan.Bool(i, 1)) seqs.push_back(scan.Int64(i, 0));
  }
  batch.more = scan.rows() == limit;
  if (scan.rows() == 0) {
    ASSIGN_OR_RETURN(PgResult cur, Run("mirror_cursor",
                                       "SELECT coalesce((SELECT last_seq FROM "
                                       "honeyvt.mirror_cursor WHERE sensor_id = $1), 0)",
                                       Params(id_.sensor_id)));
    batch.cursor = cur.Int64(0, 0);
  }
  // Samples sighted after their reports were written: all their reports.
  ASSIGN_OR_RETURN(PgResult back,
                   Run("mirror_backfill",
                       "SELECT s.job_id, r.seq FROM honeyvt.sightings s JOIN honeyvt.jobs j ON "
                       "j.id = s.job_id LEFT JOIN honeyvt.reports r ON r.md5 = j.md5 AND "
                       "r.seq <= $3 WHERE s.sensor_id = $1 AND s.needs_backfill "
                       "ORDER BY s.job_id, r.seq LIMIT $2",
                       Params(id_.sensor_id, limit, batch.cursor)));
  for (int i = 0; i < back.rows(); ++i) {
    if (batch.backfill.empty() || batch.backfill.back() != back.Int64(i, 0)) {
      batch.backfill.push_back(back.Int64(i, 0));
    }
    if (!back.IsNull(i, 1)) seqs.push_back(back.Int64(i, 1));
  }
  // Cut at the limit: the last sample may have more reports; it stays due.
  if (back.rows() == limit && !batch.backfill.empty()) {
    batch.backfill.pop_back();
    batch.more = true;
  }
  std::sort(seqs.begin(), seqs.end());
  seqs.erase(std::unique(seqs.begin(), seqs.end()), seqs.end());
  if (seqs.empty()) return batch;
  ASSIGN_OR_RETURN(batch.items, LoadReports(seqs));
  return batch;
}

Result<std::vector<FleetDb::MirrorItem>> FleetDb::LoadReports(
    const std::vector<std::int64_t>& seqs) {
  std::vector<MirrorItem> items;
  ASSIGN_OR_RETURN(PgResult rep,
                   Run("mirror_reports",
                       "SELECT seq, md5, coalesce(sha1, ''), coalesce(sha256, ''), "
                       "coalesce(size, -1), coalesce(type_description, ''), "
                       "coalesce(suggested_label, ''), extract(epoch FROM analysis_date)::bigint, "
                       "honeyvt.us(fetched_at), permalink, api_version, coalesce(raw_json, '') "
                       "FROM honeyvt.reports WHERE seq = ANY ($1::bigint[]) ORDER BY seq",
                       Params().AddIntArray(seqs)));
  std::map<std::int64_t, std::size_t> index;
  for (int i = 0; i < rep.rows(); ++i) {
    MirrorItem item;
    item.seq = rep.Int64(i, 0);
    FileReport& f = item.report;
    f.md5 = rep.Text(i, 1);
    f.sha1 = rep.Text(i, 2);
    f.sha256 = rep.Text(i, 3);
    f.size = rep.Int64(i, 4);
    f.type_description = rep.Text(i, 5);
    f.suggested_threat_label = rep.Text(i, 6);
    f.last_analysis_date = rep.Int64(i, 7);
    item.fetched_at = rep.Time(i, 8);
    f.permalink = rep.Text(i, 9);
    item.api_version = static_cast<int>(rep.Int64(i, 10));
    f.raw_json = rep.Text(i, 11);
    index[item.seq] = items.size();
    items.push_back(std::move(item));
  }
  ASSIGN_OR_RETURN(PgResult eng,
                   Run("mirror_engines",
                       "SELECT seq, engine, coalesce(engine_name, ''), "
                       "coalesce(engine_version, ''), coalesce(engine_update, ''), category, "
                       "result FROM honeyvt.report_engines WHERE seq = ANY ($1::bigint[]) "
                       "ORDER BY seq, ord",
                       Params().AddIntArray(seqs)));
  for (int i = 0; i < eng.rows(); ++i) {
    auto it = index.find(eng.Int64(i, 0));
    if (it == index.end()) continue;
    EngineResult e;
    e.engine = eng.Text(i, 1);
    e.engine_name = eng.Text(i, 2);
    e.version = eng.Text(i, 3);
    e.update = eng.Text(i, 4);
    e.category = eng.Text(i, 5);
    e.result = eng.OptText(i, 6);
    items[it->second].report.engines.push_back(std::move(e));
  }
  return items;
}

Result<std::vector<FleetDb::MirrorItem>> FleetDb::ReadReports(std::int64_t after_seq, int limit) {
  ASSIGN_OR_RETURN(PgResult r, Run("read_reports",
                                   "SELECT seq FROM honeyvt.reports WHERE seq > $1 ORDER BY seq "
                                   "LIMIT $2",
                                   Params(after_seq, limit)));
  std::vector<std::int64_t> seqs;
  for (int i = 0; i < r.rows(); ++i) seqs.push_back(r.Int64(i, 0));
  if (seqs.empty()) return std::vector<MirrorItem>();
  return LoadReports(seqs);
}

Result<std::vector<FleetDb::SightingRow>> FleetDb::ReadSightings(std::int64_t after_job,
                                                                 int limit) {
  ASSIGN_OR_RETURN(PgResult r,
                   Run("read_sightings",
                       "SELECT s.job_id, se.name, j.md5, s.path, honeyvt.us(s.first_seen) "
                       "FROM honeyvt.sightings s JOIN honeyvt.jobs j ON j.id = s.job_id "
                       "JOIN honeyvt.sensors se USING (sensor_id) WHERE s.job_id > $1 "
                       "AND j.md5 IS NOT NULL ORDER BY s.job_id, se.name LIMIT $2",
                       Params(after_job, limit)));
  std::vector<SightingRow> out;
  for (int i = 0; i < r.rows(); ++i) {
    out.push_back({r.Int64(i, 0), r.Text(i, 1), r.Text(i, 2), r.Text(i, 3), r.Time(i, 4)});
  }
  return out;
}

Status FleetDb::AdvanceMirror(const MirrorBatch& batch) {
  ASSIGN_OR_RETURN(PgResult cur,
                   Run("mirror_advance",
                       "INSERT INTO honeyvt.mirror_cursor AS m (sensor_id, last_seq, updated_at) "
                       "VALUES ($1, $2, honeyvt.clock()) ON CONFLICT (sensor_id) DO UPDATE SET "
                       "last_seq = greatest(m.last_seq, excluded.last_seq), "
                       "updated_at = excluded.updated_at",
                       Params(id_.sensor_id, batch.cursor)));
  (void)cur;
  if (!batch.backfill.empty()) {
    ASSIGN_OR_RETURN(PgResult done, Run("mirror_backfilled",
                                        "UPDATE honeyvt.sightings SET needs_backfill = false WHERE "
                                        "sensor_id = $1 AND job_id = ANY ($2::bigint[])",
                                        Params(id_.sensor_id).AddIntArray(batch.backfill)));
    (void)done;
  }
  return OkStatus();
}

}  // namespace honeyvt::pg
