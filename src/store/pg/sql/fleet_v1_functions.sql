-- honeyvt fleet schema, version 1: the functions workers call (one round trip each).

-- Claiming --------------------------------------------------------------------------------

-- The key's mutex: every decision on the key's quota (claims, quota replies, pauses)
-- holds it until its transaction ends. A transaction-level advisory lock: held in memory,
-- no row write, so the serialised section is short.
CREATE FUNCTION honeyvt.lock_key(p_key integer) RETURNS void
LANGUAGE plpgsql VOLATILE
AS $$
BEGIN
  PERFORM pg_advisory_xact_lock(1752593412, p_key);
END
$$;

-- Whether sensor p_sensor's worker may upload job j: the sensor holds the file and its
-- policy allows uploads.
CREATE FUNCTION honeyvt.may_upload(p_job bigint, p_sensor integer) RETURNS boolean
LANGUAGE plpgsql STABLE
AS $$
BEGIN
  RETURN EXISTS (SELECT 1 FROM honeyvt.sightings s JOIN honeyvt.sensors se USING (sensor_id)
                  WHERE s.job_id = p_job AND s.sensor_id = p_sensor AND s.has_file
                    AND se.upload_policy = 'always');
END
$$;

-- Leases up to p_limit unleased jobs of p_state due by p_due to worker p_worker (each
-- with a new fencing token) and returns their ids in claim order. Uploads only where
-- the worker's sensor may upload. READ COMMITTED, FOR UPDATE SKIP LOCKED inside a
-- MATERIALIZED CTE (a LIMIT in a subquery the planner re-runs could lock more rows).
CREATE FUNCTION honeyvt.take_jobs(p_worker bigint, p_sensor integer, p_state text,
                                  p_due timestamptz, p_limit integer, p_expires timestamptz)
RETURNS bigint[]
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  ids bigint[];
BEGIN
  IF p_state = 'lookup' THEN
    -- New samples: the most recently captured first.
    WITH picked AS MATERIALIZED (
      SELECT id FROM honeyvt.jobs
       WHERE state = 'lookup' AND lease_owner IS NULL AND next_action_at <= p_due
       ORDER BY priority DESC, created_at DESC, id DESC
       LIMIT p_limit FOR UPDATE SKIP LOCKED),
    leased AS (
      UPDATE honeyvt.jobs j
         SET lease_owner = p_worker, lease_expires = p_expires,
             lease_token = nextval('honeyvt.lease_tokens')
        FROM picked WHERE j.id = picked.id
      RETURNING j.id, j.priority, j.created_at)
    SELECT array_agg(id ORDER BY priority DESC, created_at DESC, id DESC) INTO ids FROM leased;
  ELSIF p_state = 'upload' THEN
    WITH picked AS MATERIALIZED (
      SELECT id FROM honeyvt.jobs
       WHERE state = 'upload' AND lease_owner IS NULL AND next_action_at <= p_due
         AND honeyvt.may_upload(id, p_sensor)
       ORDER BY priority DESC, next_action_at, id
       LIMIT p_limit FOR UPDATE SKIP LOCKED),
    leased AS (
      UPDATE honeyvt.jobs j
         SET lease_owner = p_worker, lease_expires = p_expires,
             lease_token = nextval('honeyvt.lease_tokens')
        FROM picked WHERE j.id = picked.id
      RETURNING j.id, j.priority, j.next_action_at)
    SELECT array_agg(id ORDER BY priority DESC, next_action_at, id) INTO ids FROM leased;
  ELSE
    WITH picked AS MATERIALIZED (
      SELECT id FROM honeyvt.jobs
       WHERE state = p_state AND lease_owner IS NULL AND next_action_at <= p_due
       ORDER BY priority DESC, next_action_at, id
       LIMIT p_limit FOR UPDATE SKIP LOCKED),
    leased AS (
      UPDATE honeyvt.jobs j
         SET lease_owner = p_worker, lease_expires = p_expires,
             lease_token = nextval('honeyvt.lease_tokens')
        FROM picked WHERE j.id = picked.id
      RETURNING j.id, j.priority, j.next_action_at)
    SELECT array_agg(id ORDER BY priority DESC, next_action_at, id) INTO ids FROM leased;
  END IF;
  RETURN ids;
END
$$;

-- The jobs `p_ids` as the pipeline sees them from sensor p_sensor, in the order given.
-- path: the sensor's own copy, else the copy of another sensor that may upload (the
-- sample is uploadable somewhere), else ''.
CREATE TYPE honeyvt.job_row AS (
    id bigint, md5 text, sha1 text, sha256 text, path text, source text, priority integer,
    state text, attempts integer, polls integer, requests bigint, next_action_at bigint,
    last_error text, analysis_id text, analysis_permalink text, uploaded_at bigint,
    created_at bigint, updated_at bigint, lease_token bigint, root text,
    seen_in text, size bigint, may_upload boolean, may_comment boolean);  -- seen_in: one a line

-- One query per id, on purpose: `j.id = i` gets a cached generic plan, where
-- `j.id = ANY (p_ids)` was planned again on every call (the generic plan's estimate for
-- an array of unknown length never beats a custom plan), which was most of a claim's time.
CREATE FUNCTION honeyvt.job_rows(p_ids bigint[], p_sensor integer)
RETURNS SETOF honeyvt.job_row
LANGUAGE plpgsql STABLE
AS $$
DECLARE
  i bigint;
BEGIN
  FOREACH i IN ARRAY p_ids LOOP
    -- The path (with its root and size) is this sensor's copy, else an uploading holder's.
    RETURN QUERY
    SELECT j.id, j.md5, j.sha1, j.sha256, coalesce(c.path, ''),
           j.source, j.priority, j.state, j.attempts, j.polls, j.requests,
           honeyvt.us(j.next_action_at), j.last_error, j.analysis_id, j.analysis_permalink,
           honeyvt.us(j.uploaded_at), honeyvt.us(j.created_at), honeyvt.us(j.updated_at),
           j.lease_token, coalesce(c.root, ''), array_to_string(coalesce(c.seen_in, '{}'), E'\n'),
           c.size, j.may_upload, j.may_comment
      FROM honeyvt.jobs j
      LEFT JOIN LATERAL (
        SELECT s.path, s.root, s.seen_in, s.size FROM honeyvt.sightings s
          JOIN honeyvt.sensors se USING (sensor_id)
         WHERE s.job_id = j.id AND s.has_file
           AND (s.sensor_id = p_sensor OR se.upload_policy = 'always')
         ORDER BY (s.sensor_id = p_sensor) DESC, s.sensor_id LIMIT 1) c ON true
     WHERE j.id = i;
  END LOOP;
END
$$;

-- A claim without a quota reservation (jobs riding along in a request already reserved).
CREATE FUNCTION honeyvt.claim_jobs(p_worker bigint, p_sensor integer, p_state text,
                                   p_due bigint, p_limit integer, p_lease_us bigint)
RETURNS SETOF honeyvt.job_row
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  ids bigint[] := honeyvt.take_jobs(p_worker, p_sensor, p_state, honeyvt.ts(p_due), p_limit,
                                    honeyvt.clock() + p_lease_us * interval '1 microsecond');
BEGIN
  IF ids IS NOT NULL THEN
    RETURN QUERY SELECT * FROM honeyvt.job_rows(ids, p_sensor);
  END IF;
END
$$;

-- Whether a job of p_state is due by p_due for this sensor (no lock, nothing spent). One
-- probe of jobs_due_idx; uploads also check the sensor's copies.
CREATE FUNCTION honeyvt.has_due(p_sensor integer, p_state text, p_due timestamptz)
RETURNS boolean
LANGUAGE plpgsql STABLE
AS $$
BEGIN
  -- ORDER BY ... LIMIT 1 rather than EXISTS: the cached generic plan then walks
  -- jobs_due_idx from the earliest due job instead of scanning the table.
  IF p_state = 'upload' THEN
    PERFORM 1 FROM honeyvt.jobs j
      WHERE j.state = 'upload' AND j.lease_owner IS NULL AND j.next_action_at <= p_due
        AND honeyvt.may_upload(j.id, p_sensor)
      ORDER BY j.next_action_at LIMIT 1;
    RETURN FOUND;
  END IF;
  PERFORM 1 FROM honeyvt.jobs j
    WHERE j.state = p_state AND j.lease_owner IS NULL AND j.next_action_at <= p_due
    ORDER BY j.next_action_at LIMIT 1;
  RETURN FOUND;
END
$$;

-- Claim and quota reservation in ONE short transaction, before the request is sent:
--   1. lease the jobs (take_jobs: FOR UPDATE SKIP LOCKED; a HOT update) and read them;
--   2. nothing due: return 'empty' (no lock taken, nothing spent);
--   3. lock the key (every reservation of the key serialises here, so this section is
--      kept short: the jobs were chosen before it);
--   4. read t = honeyvt.clock() AFTER the lock (clock_timestamp(), never now());
--   5. check every window at t (quota_check): denied -> the leases are undone, 'denied'
--      with retry_at;
--   6. record the reservation (quota_charge) -> 'granted', one row per job.
-- The caller commits (autocommit: this one statement) and must send within the key's
-- send_deadline, or give the reservation back (quota_refund). Lock order is always
-- jobs -> key here, and no transaction takes the key before jobs, so claimers never
-- deadlock.
CREATE FUNCTION honeyvt.claim(p_key integer, p_worker bigint, p_sensor integer, p_state text,
                              p_due bigint, p_limit integer, p_lease_us bigint, p_kind text,
                              p_cost integer, p_ceiling_us bigint)
RETURNS TABLE (outcome text, retry_at bigint, db_time bigint, ledger_id bigint,
               id bigint, md5 text, sha1 text, sha256 text, path text, source text,
               priority integer, state text, attempts integer, polls integer,
               requests bigint, next_action_at bigint, last_error text, analysis_id text,
               analysis_permalink text, uploaded_at bigint, created_at bigint,
               updated_at bigint, lease_token bigint, root text, seen_in text, size bigint,
               may_upload boolean, may_comment boolean)
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  due timestamptz := honeyvt.ts(p_due);
  t timestamptz;
  retry timestamptz;
  ids bigint[];
  rows honeyvt.job_row[];
  lid bigint;
BEGIN
  ids := honeyvt.take_jobs(p_worker, p_sensor, p_state, due, p_limit,
                           honeyvt.clock() + p_lease_us * interval '1 microsecond');
  IF ids IS NOT NULL THEN
    SELECT array_agg(r) INTO rows FROM honeyvt.job_rows(ids, p_sensor) r;
  END IF;
  IF ids IS NULL THEN
    RETURN QUERY SELECT 'empty'::text, NULL::bigint, honeyvt.us(honeyvt.clock()), NULL::bigint,
      NULL::bigint, NULL, NULL, NULL, NULL, NULL, NULL::integer, NULL, NULL::integer,
      NULL::integer, NULL::bigint, NULL::bigint, NULL, NULL, NULL, NULL::bigint, NULL::bigint,
      NULL::bigint, NULL::bigint, NULL::text, NULL::text, NULL::bigint, NULL::boolean,
      NULL::boolean;
    RETURN;
  END IF;
  PERFORM honeyvt.lock_key(p_key);
  t := honeyvt.clock();
  retry := honeyvt.quota_check(p_key, p_cost, t);
  IF retry IS NOT NULL THEN
    UPDATE honeyvt.jobs j SET lease_owner = NULL, lease_expires = NULL WHERE j.id = ANY (ids);
    RETURN QUERY SELECT 'denied'::text, honeyvt.us(retry), honeyvt.us(t), NULL::bigint,
      NULL::bigint, NULL, NULL, NULL, NULL, NULL, NULL::integer, NULL, NULL::integer,
      NULL::integer, NULL::bigint, NULL::bigint, NULL, NULL, NULL, NULL::bigint, NULL::bigint,
      NULL::bigint, NULL::bigint, NULL::text, NULL::text, NULL::bigint, NULL::boolean,
      NULL::boolean;
    RETURN;
  END IF;
  lid := honeyvt.quota_charge(p_key, p_cost, t, p_kind, p_worker, ids[1],
                              p_ceiling_us * interval '1 microsecond');
  RETURN QUERY
  SELECT 'granted'::text, NULL::bigint, honeyvt.us(t), lid, u.id, u.md5, u.sha1, u.sha256,
         u.path, u.source, u.priority, u.state, u.attempts, u.polls, u.requests,
         u.next_action_at, u.last_error, u.analysis_id, u.analysis_permalink, u.uploaded_at,
         u.created_at, u.updated_at, u.lease_token, u.root, u.seen_in, u.size, u.may_upload,
         u.may_comment
    FROM unnest(rows) WITH ORDINALITY AS u
   ORDER BY u.ordinality;
END
$$;

-- Completing ------------------------------------------------------------------------------

-- Stores a step's outcome and clears the lease, only while (p_owner, p_token) still holds
-- it: false if the worker was fenced (its lease expired and the job was claimed again),
-- and then nothing is written. A sensor whose file is gone loses its copy, not the
-- fleet's job: an upload that failed for a missing file goes back to `upload` while
-- another sensor may upload it.
CREATE FUNCTION honeyvt.finish(p_id bigint, p_owner bigint, p_token bigint, p_sensor integer,
                               p_state text, p_attempts integer, p_polls integer,
                               p_requests bigint, p_next bigint, p_last_error text,
                               p_analysis_id text, p_permalink text, p_uploaded bigint,
                               p_md5 text, p_sha1 text, p_sha256 text)
RETURNS boolean
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  t timestamptz := honeyvt.clock();
  old_state text;
  have_md5 boolean;
  have_sha1 boolean;
  have_sha256 boolean;
  new_state text := p_state;
  v_next timestamptz := honeyvt.ts(p_next);
  v_attempts integer := p_attempts;
BEGIN
  SELECT j.state, j.md5 IS NOT NULL, j.sha1 IS NOT NULL, j.sha256 IS NOT NULL
    INTO old_state, have_md5, have_sha1, have_sha256 FROM honeyvt.jobs j
   WHERE j.id = p_id AND j.lease_owner = p_owner AND j.lease_token = p_token FOR UPDATE;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  IF p_state = 'failed' AND old_state = 'upload' AND p_last_error LIKE 'missing file%' THEN
    UPDATE honeyvt.sightings SET has_file = false WHERE job_id = p_id AND sensor_id = p_sensor;
    IF EXISTS (SELECT 1 FROM honeyvt.sightings s JOIN honeyvt.sensors se USING (sensor_id)
                WHERE s.job_id = p_id AND s.has_file AND se.upload_policy = 'always') THEN
      new_state := 'upload';
      v_next := t;
      v_attempts := 0;
    END IF;
  END IF;
  UPDATE honeyvt.jobs
     SET state = new_state, attempts = v_attempts, polls = p_polls,
         requests = p_requests, next_action_at = v_next, last_error = p_last_error,
         analysis_id = p_analysis_id, analysis_permalink = p_permalink,
         uploaded_at = honeyvt.ts(p_uploaded), updated_at = t,
         lease_owner = NULL, lease_expires = NULL,
         crash_count = CASE WHEN new_state <> old_state THEN 0 ELSE crash_count END
   WHERE id = p_id;
  -- Hashes learnt from a report; another job may hold one already (the same sample
  -- queued under two hashes): this job then keeps it unset. (Only a missing hash is
  -- tried: each try is a subtransaction.)
  IF p_md5 <> '' AND NOT have_md5 THEN
    BEGIN
      UPDATE honeyvt.jobs SET md5 = p_md5 WHERE id = p_id AND md5 IS NULL;
    EXCEPTION WHEN unique_violation THEN NULL;
    END;
  END IF;
  IF p_sha1 <> '' AND NOT have_sha1 THEN
    BEGIN
      UPDATE honeyvt.jobs SET sha1 = p_sha1 WHERE id = p_id AND sha1 IS NULL;
    EXCEPTION WHEN unique_violation THEN NULL;
    END;
  END IF;
  IF p_sha256 <> '' AND NOT have_sha256 THEN
    BEGIN
      UPDATE honeyvt.jobs SET sha256 = p_sha256 WHERE id = p_id AND sha256 IS NULL;
    EXCEPTION WHEN unique_violation THEN NULL;
    END;
  END IF;
  IF new_state = 'upload' AND old_state <> 'upload' THEN
    PERFORM pg_notify('honeyvt_upload', p_id::text);
  END IF;
  RETURN true;
END
$$;

-- Workers and reclaiming ------------------------------------------------------------------

-- Reclaims the jobs of dead workers (heartbeat older than p_stale AND their session lock
-- free: the process is gone) and every job whose lease expired (stalled or partitioned
-- workers; their late results are refused by the fencing token). A reclaimed upload goes
-- back to `lookup` (VirusTotal may have the file now), a reclaimed comment is dropped
-- (at most once), anything else is repeated; a job reclaimed p_crash_limit times since
-- it last moved fails with that reason. Every worker calls it on its heartbeat; it runs
-- at most once per p_every_us for the whole fleet (a full look at the leased jobs), by
-- one worker at a time. Returns the number of jobs reclaimed (-1: not this worker's turn).
CREATE FUNCTION honeyvt.sweep(p_me bigint, p_stale_us bigint, p_crash_limit integer,
                              p_every_us bigint)
RETURNS integer
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  t timestamptz := honeyvt.clock();
  dead bigint[] := '{}';
  w bigint;
  n integer;
BEGIN
  IF NOT pg_try_advisory_xact_lock(1752593411, 0) THEN
    RETURN -1;
  END IF;
  UPDATE honeyvt.housekeeping SET last_run = t
   WHERE task = 'sweep' AND last_run <= t - p_every_us * interval '1 microsecond';
  IF NOT FOUND THEN
    RETURN -1;
  END IF;
  FOR w IN SELECT worker_id FROM honeyvt.workers
            WHERE stopped_at IS NULL AND worker_id <> p_me
              AND heartbeat_at < t - p_stale_us * interval '1 microsecond'
            ORDER BY worker_id LOOP
    IF pg_try_advisory_xact_lock(1752593408, (w % 2147483647)::integer) THEN
      dead := dead || w;
    END IF;
  END LOOP;
  IF array_length(dead, 1) > 0 THEN
    UPDATE honeyvt.workers SET stopped_at = t, stop_reason = 'presumed dead (no heartbeat, session gone)'
     WHERE worker_id = ANY (dead);
    -- Their requests are no longer in flight: they count from now, not for the ceiling.
    UPDATE honeyvt.quota_ledger SET counted_until = least(counted_until, t)
     WHERE worker_id = ANY (dead) AND settled_at IS NULL;
  END IF;
  WITH victims AS MATERIALIZED (
    SELECT j.id FROM honeyvt.jobs j
     WHERE j.lease_owner IS NOT NULL AND (j.lease_owner = ANY (dead) OR j.lease_expires < t)
     FOR UPDATE SKIP LOCKED)
  UPDATE honeyvt.jobs j
     SET lease_owner = NULL, lease_expires = NULL, crash_count = j.crash_count + 1,
         state = CASE WHEN j.crash_count + 1 >= p_crash_limit THEN 'failed'
                      WHEN j.state = 'upload' THEN 'lookup'
                      WHEN j.state = 'comment' THEN 'done'
                      ELSE j.state END,
         last_error = CASE WHEN j.crash_count + 1 >= p_crash_limit
                           THEN 'crashed ' || p_crash_limit || ' times: workers died or stalled during its '
                                || j.state || ' step'
                           WHEN j.state = 'comment' THEN 'comment dropped: its worker died'
                           ELSE j.last_error END,
         attempts = CASE WHEN j.state IN ('upload', 'comment') THEN 0 ELSE j.attempts END,
         next_action_at = CASE WHEN j.state = 'comment' THEN t + interval '1 day'
                               ELSE least(j.next_action_at, t) END,
         updated_at = t
    FROM victims WHERE j.id = victims.id;
  GET DIAGNOSTICS n = ROW_COUNT;
  IF n > 0 THEN
    PERFORM pg_notify('honeyvt_work', '');
  END IF;
  RETURN n;
END
$$;

-- Results ---------------------------------------------------------------------------------

-- Stores a report (no fencing; store_report and imports call it): 'stored' (this analysis
-- is stored already), 'written' (history row, and the md5's current dionaea.virustotals
-- row with its virustotalscans replaced) or 'history' (an older analysis than the current
-- one: history only). Takes the report lock so that report seq order is commit order.
CREATE FUNCTION honeyvt.put_report(
    p_job bigint, p_worker bigint, p_md5 text, p_sha1 text, p_sha256 text,
    p_size bigint, p_type text, p_positives integer, p_total integer, p_label text,
    p_analysis_date bigint, p_fetched_at bigint, p_permalink text, p_api smallint,
    p_raw_json text, p_engine text[], p_engine_name text[], p_engine_version text[],
    p_engine_update text[], p_category text[], p_result text[], p_scan_scanner text[],
    p_scan_result text[])
RETURNS text
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  analysed timestamptz := to_timestamp(p_analysis_date);
  s bigint;
  v integer;
  newest timestamptz;
BEGIN
  PERFORM pg_advisory_xact_lock(1752593409, 0);
  IF EXISTS (SELECT 1 FROM honeyvt.reports r WHERE r.md5 = p_md5 AND r.analysis_date = analysed) THEN
    RETURN 'stored';
  END IF;
  SELECT max(r.analysis_date) INTO newest FROM honeyvt.reports r WHERE r.md5 = p_md5 AND r.shown;
  INSERT INTO honeyvt.reports (md5, sha1, sha256, size, type_description, positives, total,
                               suggested_label, analysis_date, fetched_at, permalink,
                               api_version, raw_json, job_id, worker_id, shown)
  VALUES (p_md5, nullif(p_sha1, ''), nullif(p_sha256, ''), p_size, nullif(p_type, ''),
          p_positives, p_total, nullif(p_label, ''), analysed, honeyvt.ts(p_fetched_at),
          p_permalink, p_api, nullif(p_raw_json, ''), p_job, p_worker,
          newest IS NULL OR newest <= analysed)
  RETURNING seq INTO s;
  INSERT INTO honeyvt.report_engines (seq, ord, engine, engine_name, engine_version,
                                      engine_update, category, result)
  SELECT s, e.ord, e.engine, nullif(e.name, ''), nullif(e.version, ''), nullif(e.upd, ''),
         e.category, e.result
    FROM unnest(p_engine, p_engine_name, p_engine_version, p_engine_update, p_category,
                p_result) WITH ORDINALITY AS e(engine, name, version, upd, category, result, ord);
  IF newest IS NOT NULL AND newest > analysed THEN
    RETURN 'history';
  END IF;
  DELETE FROM dionaea.virustotals WHERE virustotal_md5_hash = p_md5;
  INSERT INTO dionaea.virustotals (virustotal_md5_hash, virustotal_timestamp, virustotal_permalink)
  VALUES (p_md5, analysed, p_permalink)
  RETURNING virustotal INTO v;
  INSERT INTO dionaea.virustotalscans (virustotal, virustotalscan_scanner, virustotalscan_result)
  SELECT v, x.scanner, x.result
    FROM unnest(p_scan_scanner, p_scan_result) WITH ORDINALITY AS x(scanner, result, ord)
   ORDER BY x.ord;
  PERFORM pg_notify('honeyvt_verdict', s::text);
  RETURN 'written';
END
$$;

-- put_report for the job leased by (p_owner, p_token), in one transaction: 'fenced' (the
-- lease is gone: nothing written) or what put_report says.
CREATE FUNCTION honeyvt.store_report(
    p_job bigint, p_owner bigint, p_token bigint, p_md5 text, p_sha1 text, p_sha256 text,
    p_size bigint, p_type text, p_positives integer, p_total integer, p_label text,
    p_analysis_date bigint, p_fetched_at bigint, p_permalink text, p_api smallint,
    p_raw_json text, p_engine text[], p_engine_name text[], p_engine_version text[],
    p_engine_update text[], p_category text[], p_result text[], p_scan_scanner text[],
    p_scan_result text[])
RETURNS text
LANGUAGE plpgsql VOLATILE
AS $$
BEGIN
  PERFORM 1 FROM honeyvt.jobs j
   WHERE j.id = p_job AND j.lease_owner = p_owner AND j.lease_token = p_token FOR UPDATE;
  IF NOT FOUND THEN
    RETURN 'fenced';
  END IF;
  RETURN honeyvt.put_report(p_job, p_owner, p_md5, p_sha1, p_sha256, p_size, p_type,
                            p_positives, p_total, p_label, p_analysis_date, p_fetched_at,
                            p_permalink, p_api, p_raw_json, p_engine, p_engine_name,
                            p_engine_version, p_engine_update, p_category, p_result,
                            p_scan_scanner, p_scan_result);
END
$$;

-- Moves one job of a single-host state database into the fleet (`honeyvt fleet
-- migrate-state`): a sample the fleet does not know is added as it was (its lease
-- dropped); a known one keeps the fleet's progress unless only the local job has a
-- verdict (done), and gets the higher priority. The sensor's sighting is recorded either
-- way. Returns 'added', 'merged' or 'kept'.
CREATE FUNCTION honeyvt.import_job(
    p_sensor integer, p_md5 text, p_sha1 text, p_sha256 text, p_path text, p_has_file boolean,
    p_source text, p_priority integer, p_state text, p_attempts integer, p_polls integer,
    p_requests bigint, p_next bigint, p_last_error text, p_analysis_id text, p_permalink text,
    p_uploaded bigint, p_created bigint, p_updated bigint)
RETURNS text
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  j honeyvt.jobs%ROWTYPE;
  jid bigint;
  outcome text := 'kept';
BEGIN
  PERFORM pg_advisory_xact_lock_shared(1752593409, 0);
  SELECT * INTO j FROM honeyvt.jobs
   WHERE md5 = p_md5 OR sha1 = p_sha1 OR sha256 = p_sha256 ORDER BY id LIMIT 1 FOR UPDATE;
  IF NOT FOUND THEN
    INSERT INTO honeyvt.jobs (md5, sha1, sha256, source, priority, state, attempts, polls,
                              requests, next_action_at, last_error, analysis_id,
                              analysis_permalink, uploaded_at, created_at, updated_at)
    VALUES (p_md5, p_sha1, p_sha256, p_source, p_priority, p_state, p_attempts, p_polls,
            p_requests, honeyvt.ts(p_next), p_last_error, p_analysis_id, p_permalink,
            honeyvt.ts(p_uploaded), honeyvt.ts(p_created), honeyvt.ts(p_updated))
    RETURNING id INTO jid;
    outcome := 'added';
  ELSE
    jid := j.id;
    IF p_state = 'done' AND j.state <> 'done' AND j.lease_owner IS NULL THEN
      UPDATE honeyvt.jobs
         SET state = 'done', attempts = 0, next_action_at = honeyvt.ts(p_next),
             last_error = p_last_error, analysis_id = p_analysis_id,
             analysis_permalink = p_permalink, uploaded_at = honeyvt.ts(p_uploaded),
             updated_at = honeyvt.clock()
       WHERE id = jid;
      outcome := 'merged';
    END IF;
    IF p_priority > j.priority THEN
      UPDATE honeyvt.jobs SET priority = p_priority WHERE id = jid;
      outcome := 'merged';
    END IF;
  END IF;
  INSERT INTO honeyvt.sightings AS s (job_id, sensor_id, path, has_file, first_seen,
                                      last_seen, needs_backfill)
  VALUES (jid, p_sensor, coalesce(p_path, ''), p_has_file, honeyvt.ts(p_created),
          honeyvt.ts(p_updated),
          EXISTS (SELECT 1 FROM honeyvt.reports r WHERE r.md5 = p_md5))
  ON CONFLICT (job_id, sensor_id) DO UPDATE
     SET path = CASE WHEN excluded.has_file THEN excluded.path ELSE s.path END,
         has_file = s.has_file OR excluded.has_file,
         first_seen = least(s.first_seen, excluded.first_seen),
         last_seen = greatest(s.last_seen, excluded.last_seen);
  RETURN outcome;
END
$$;

-- Quota replies ---------------------------------------------------------------------------

-- VirusTotal answered "quota exceeded" to the request of ledger row p_ledger although the
-- ledger had room (someone outside the fleet uses the key). Blocks the whole key:
--   level 1: until the shortest sliding window has passed (60 s without one);
--   level 2 (another surprise for a request sent right after a block ended): the day is
--            spent: until the next day + boundary guard, and today's estimate is lowered
--            to what was used;
--   level 3: the same for the month.
-- A reply to a request sent before the current block was set is the same surprise
-- (requests in flight): it extends nothing but Retry-After. Never shorter than
-- p_retry_after_s. Returns blocked_until (microseconds).
CREATE FUNCTION honeyvt.quota_reply(p_key integer, p_ledger bigint, p_retry_after_s integer)
RETURNS bigint
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  k honeyvt.api_keys%ROWTYPE;
  t timestamptz;
  sent timestamptz;
  shortest interval;
  level smallint;
  until timestamptz;
  w honeyvt.quota_windows%ROWTYPE;
  ps timestamptz;
  used integer;
  reason text;
BEGIN
  PERFORM honeyvt.ledger_raised(p_key);  -- the key's lock; the request may have been late
  SELECT * INTO k FROM honeyvt.api_keys WHERE key_id = p_key;
  t := honeyvt.clock();
  SELECT reserved_at INTO sent FROM honeyvt.quota_ledger WHERE id = p_ledger;
  sent := coalesce(sent, t);
  UPDATE honeyvt.quota_ledger
     SET settled_at = coalesce(settled_at, t),
         counted_until = CASE WHEN settled_at IS NULL THEN t ELSE counted_until END,
         outcome = 'quota'
   WHERE id = p_ledger;
  SELECT min(length) INTO shortest FROM honeyvt.quota_windows
   WHERE key_id = p_key AND kind = 'sliding';
  shortest := coalesce(shortest, interval '60 seconds') + k.sliding_margin;
  IF k.block_set_at IS NOT NULL AND sent <= k.block_set_at THEN
    level := k.block_level;
    until := k.blocked_until;
    reason := k.block_reason;
  ELSIF k.block_level >= 1 AND k.blocked_until IS NOT NULL
        AND sent < k.blocked_until + 2 * shortest THEN
    level := least(k.block_level + 1, 3);
  ELSE
    level := 1;
  END IF;
  IF until IS NULL THEN
    until := t + shortest;
    reason := 'VirusTotal answered "quota exceeded" although the ledger had room';
    IF level >= 2 THEN
      FOR w IN SELECT * FROM honeyvt.quota_windows
                WHERE key_id = p_key AND kind = CASE WHEN level = 2 THEN 'days' ELSE 'months' END
                ORDER BY idx LIMIT 1 LOOP
        ps := honeyvt.period_start(w.kind, w.periods, t);
        SELECT coalesce(sum(u.used), 0) INTO used FROM honeyvt.quota_usage u
         WHERE u.key_id = p_key AND u.idx = w.idx AND u.period_start = ps;
        UPDATE honeyvt.quota_windows SET cap_override = used, override_period = ps
         WHERE key_id = p_key AND idx = w.idx;
        until := honeyvt.period_end(w.kind, w.periods, ps) + k.boundary_guard;
        reason := CASE WHEN level = 2 THEN 'the day is spent (repeated quota replies); estimate lowered to '
                       ELSE 'the month is spent (repeated quota replies); estimate lowered to ' END
                  || used || ' for ' || w.spec;
      END LOOP;
    END IF;
  END IF;
  until := greatest(until, t + coalesce(p_retry_after_s, 0) * interval '1 second');
  UPDATE honeyvt.api_keys
     SET blocked_until = greatest(blocked_until, until),
         block_set_at = CASE WHEN sent <= coalesce(block_set_at, '-infinity') THEN block_set_at
                             ELSE t END,
         block_level = level, block_reason = reason
   WHERE key_id = p_key
  RETURNING blocked_until INTO until;
  PERFORM pg_notify('honeyvt_quota', p_key::text);
  RETURN honeyvt.us(until);
END
$$;

-- A pause asked for by VirusTotal (rate limiting, Retry-After) holds for the whole key.
CREATE FUNCTION honeyvt.quota_pause(p_key integer, p_until bigint, p_reason text)
RETURNS bigint
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  until timestamptz;
BEGIN
  PERFORM honeyvt.lock_key(p_key);
  UPDATE honeyvt.api_keys
     SET blocked_until = greatest(coalesce(blocked_until, '-infinity'), honeyvt.ts(p_until)),
         block_reason = CASE WHEN coalesce(blocked_until, '-infinity') < honeyvt.ts(p_until)
                             THEN p_reason ELSE block_reason END
   WHERE key_id = p_key
  RETURNING blocked_until INTO until;
  PERFORM pg_notify('honeyvt_quota', p_key::text);
  RETURN honeyvt.us(until);
END
$$;

-- Per window of the key at t: what is used, the effective limit, when one more request
-- fits (opens_at <= t: now) and when the oldest request leaves (sliding) or the period
-- ends (calendar). For `status --fleet` and the workers' view between claims.
CREATE FUNCTION honeyvt.quota_state(p_key integer)
RETURNS TABLE (idx smallint, spec text, kind text, used bigint, max_requests integer,
               opens_at bigint, resets_at bigint, period_start bigint, period_end bigint,
               blocked_until bigint, block_reason text, db_time bigint)
LANGUAGE plpgsql VOLATILE
AS $$
DECLARE
  k honeyvt.api_keys%ROWTYPE;
  w honeyvt.quota_windows%ROWTYPE;
  t timestamptz := honeyvt.clock();
  u bigint;
  lim integer;
  ps timestamptz;
  pe timestamptz;
  oldest timestamptz;
  opens timestamptz;
  need bigint;
BEGIN
  SELECT * INTO k FROM honeyvt.api_keys WHERE key_id = p_key;
  FOR w IN SELECT * FROM honeyvt.quota_windows qw WHERE qw.key_id = p_key ORDER BY qw.idx LOOP
    IF w.kind = 'sliding' THEN
      SELECT coalesce(sum(l.cost), 0), min(least(l.counted_until, t)) INTO u, oldest
        FROM honeyvt.quota_ledger l
       WHERE l.key_id = p_key AND l.counted_until > t - (w.length + k.sliding_margin) AND l.cost > 0;
      lim := w.max_requests;
      opens := t;
      IF u >= lim THEN
        need := u - lim + 1;
        SELECT min(x.c) INTO opens FROM (
          SELECT least(l.counted_until, t) AS c,
                 sum(l.cost) OVER (ORDER BY least(l.counted_until, t), l.id) AS run
            FROM honeyvt.quota_ledger l
           WHERE l.key_id = p_key AND l.counted_until > t - (w.length + k.sliding_margin)) x
         WHERE x.run >= need;
        opens := coalesce(opens, t) + w.length + k.sliding_margin;
      END IF;
      ps := NULL;
      pe := NULL;
      oldest := coalesce(oldest, t) + w.length + k.sliding_margin;
    ELSE
      ps := honeyvt.period_start(w.kind, w.periods, t);
      pe := honeyvt.period_end(w.kind, w.periods, ps);
      SELECT coalesce(sum(q.used), 0) INTO u FROM honeyvt.quota_usage q
       WHERE q.key_id = p_key AND q.idx = w.idx AND q.period_start = ps;
      lim := CASE WHEN w.override_period = ps THEN least(w.max_requests, w.cap_override)
                  ELSE w.max_requests END;
      opens := CASE WHEN u >= lim THEN pe + k.boundary_guard ELSE t END;
      oldest := pe;
    END IF;
    idx := w.idx;
    spec := w.spec;
    kind := w.kind;
    used := u;
    max_requests := lim;
    opens_at := honeyvt.us(opens);
    resets_at := honeyvt.us(oldest);
    period_start := honeyvt.us(ps);
    period_end := honeyvt.us(pe);
    blocked_until := honeyvt.us(k.blocked_until);
    block_reason := k.block_reason;
    db_time := honeyvt.us(t);
    RETURN NEXT;
  END LOOP;
  IF NOT FOUND THEN
    idx := NULL; spec := NULL; kind := NULL; used := NULL; max_requests := NULL;
    opens_at := NULL; resets_at := NULL; period_start := NULL; period_end := NULL;
    blocked_until := honeyvt.us(k.blocked_until);
    block_reason := k.block_reason;
    db_time := honeyvt.us(t);
    RETURN NEXT;
  END IF;
END
$$;

-- Roles ------------------------------------------------------------------------------------

-- What a sensor's role needs, and no more: data (not schema) rights on honeyvt's tables
-- and on dionaea's two VirusTotal tables. Run by `honeyvt fleet init --grant ROLE`.
CREATE FUNCTION honeyvt.grant_sensor(p_role text) RETURNS void
LANGUAGE plpgsql VOLATILE
AS $$
BEGIN
  EXECUTE format('GRANT USAGE ON SCHEMA honeyvt, dionaea TO %I', p_role);
  EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA honeyvt TO %I',
                 p_role);
  EXECUTE format('REVOKE INSERT, UPDATE, DELETE ON honeyvt.schema_version FROM %I', p_role);
  EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON dionaea.virustotals, '
                 'dionaea.virustotalscans TO %I', p_role);
  EXECUTE format('GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA honeyvt TO %I', p_role);
  EXECUTE format('GRANT USAGE, SELECT ON SEQUENCE dionaea.virustotals_virustotal_seq, '
                 'dionaea.virustotalscans_virustotalscan_seq TO %I', p_role);
  EXECUTE format('GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA honeyvt TO %I', p_role);
END
$$;
