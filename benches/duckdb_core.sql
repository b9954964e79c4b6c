-- The core audit of simaudit written as a data engineer would in DuckDB: set-based SQL only.
-- duckdb_core.py has already loaded
--   raw       one VARCHAR row per accepted record: canonical column names, `file_id`, `file` and `row`
--             (1-based record number, rejected records counted), plus the dates read in each file's own
--             forms: `dob` with `dob_year_only`, `issued`, `activated` with `timed`;
--   rejects   file_id, file, row, reason: records with a wrong number of fields (DQ001);
--   prefixes, legacy, registry   reference tables and the authorised points (empty without a registry);
-- and set the rule set's thresholds and lists as variables.

-- Value maps of src/schema.rs, keyed by the folded label (no accents, a-z0-9 only).
CREATE MACRO fold(s) AS regexp_replace(translate(strip_accents(lower(s)), 'đð', 'dd'), '[^a-z0-9]', '', 'g');
CREATE TABLE codes(field VARCHAR, label VARCHAR, value VARCHAR);
INSERT INTO codes VALUES
  ('subscriber_type','individual','individual'), ('subscriber_type','canhan','individual'),
  ('subscriber_type','cn','individual'), ('subscriber_type','personal','individual'),
  ('subscriber_type','person','individual'), ('subscriber_type','organisation','organisation'),
  ('subscriber_type','organization','organisation'), ('subscriber_type','tochuc','organisation'),
  ('subscriber_type','tc','organisation'), ('subscriber_type','doanhnghiep','organisation'),
  ('subscriber_type','dn','organisation'), ('subscriber_type','enterprise','organisation'),
  ('subscriber_type','company','organisation'), ('subscriber_type','device','device'),
  ('subscriber_type','iot','device'), ('subscriber_type','m2m','device'), ('subscriber_type','thietbi','device'),
  ('gender','male','male'), ('gender','m','male'), ('gender','nam','male'), ('gender','1','male'),
  ('gender','female','female'), ('gender','f','female'), ('gender','nu','female'), ('gender','0','female'),
  ('id_type','cccd','CCCD'), ('id_type','cancuoc','CCCD'), ('id_type','cancuoccongdan','CCCD'),
  ('id_type','thecancuoc','CCCD'), ('id_type','thecancuoccongdan','CCCD'), ('id_type','cc','CCCD'),
  ('id_type','dinhdanhcanhan','CCCD'), ('id_type','cmnd','CMND'), ('id_type','chungminh','CMND'),
  ('id_type','chungminhnhandan','CMND'), ('id_type','giaychungminhnhandan','CMND'), ('id_type','cm','CMND'),
  ('id_type','passport','PASSPORT'), ('id_type','hochieu','PASSPORT'), ('id_type','hc','PASSPORT'),
  ('id_type','pp','PASSPORT'), ('id_type','mst','MST'), ('id_type','masothue','MST'),
  ('id_type','masodoanhnghiep','MST'), ('id_type','gpkd','MST'), ('id_type','dkkd','MST'), ('id_type','taxcode','MST'),
  ('status','active','active'), ('status','hoatdong','active'), ('status','danghoatdong','active'),
  ('status','onewaylocked','one_way_locked'), ('status','khoa1chieu','one_way_locked'),
  ('status','chan1chieu','one_way_locked'), ('status','twowaylocked','two_way_locked'),
  ('status','khoa2chieu','two_way_locked'), ('status','chan2chieu','two_way_locked'),
  ('status','cancelled','cancelled'), ('status','canceled','cancelled'), ('status','huy','cancelled'),
  ('status','dahuy','cancelled'), ('status','thuhoi','cancelled'),
  ('point_type','carrierstore','carrier_store'), ('point_type','store','carrier_store'),
  ('point_type','cuahang','carrier_store'), ('point_type','diemgiaodich','carrier_store'),
  ('point_type','diemgiaodichcuadoanhnghiep','carrier_store'), ('point_type','gd','carrier_store'),
  ('point_type','agent','agent'), ('point_type','daily','agent'), ('point_type','diemuyquyen','agent'),
  ('point_type','dl','agent'), ('point_type','online','online'), ('point_type','app','online'),
  ('point_type','ekyc','online'), ('point_type','website','online'), ('point_type','tructuyen','online'),
  ('point_type','unknown','unknown'),
  ('nationality','vn','VN'), ('nationality','vnm','VN'), ('nationality','vietnam','VN'),
  ('nationality','vietnamese','VN'), ('nationality','chxhcnvietnam','VN'),
  ('nationality','conghoaxahoichunghiavietnam','VN');

-- Fold each distinct raw label once (a few dozen), not once per row.
CREATE TABLE labels AS
WITH seen AS (
  UNPIVOT (SELECT DISTINCT subscriber_type, gender, id_type, status, point_type, nationality FROM raw)
  ON subscriber_type, gender, id_type, status, point_type, nationality INTO NAME field VALUE raw
)
SELECT DISTINCT s.field, s.raw, c.value FROM seen s LEFT JOIN codes c ON c.field = s.field AND c.label = fold(s.raw);

CREATE TABLE severities(rule VARCHAR, severity VARCHAR);
INSERT INTO severities VALUES
  ('ID001','violation'), ('ID002','violation'), ('ID003','violation'), ('ID004','violation'), ('ID005','violation'),
  ('ID006','violation'), ('ID007','violation'), ('ID008','warning'), ('ID009','violation'), ('ID010','warning'),
  ('PS001','violation'), ('PS002','violation'), ('PS003','violation'), ('PS004','violation'), ('PS005','warning'),
  ('PS006','violation'), ('PS007','info'), ('SB001','violation'), ('SB002','violation'), ('SB003','info'),
  ('SB004','info'), ('XR001','warning'), ('XR002','violation'), ('XR003','warning'), ('XR004','violation'),
  ('PT001','warning'), ('PT002','warning'), ('PT003','warning'), ('PT004','violation'), ('PT005','violation'),
  ('DQ001','violation'), ('DQ002','violation'), ('DQ004','violation');

-- Whole years reached on `day` by a birthday `born` (a 29 February birthday falls on 28 February).
CREATE MACRO age_at(born, day) AS date_diff('year', born, day)
  - CASE WHEN day < (born + to_years(date_diff('year', born, day)))::DATE THEN 1 ELSE 0 END;

-- Names repeat (a few hundred thousand distinct in ten million rows): key and check each distinct one once.
CREATE TABLE names AS
WITH keyed AS (
  SELECT full_name, lower(full_name) AS lower_name,
    -- name key: lower, accents and combining marks off, đ→d, non-alphanumerics to one space
    translate(strip_accents(lower_name), 'đð', 'dd') AS plain_name,
    trim(regexp_replace(plain_name, '[^\p{L}\p{N}]+', ' ', 'g')) AS name_key
  FROM (SELECT DISTINCT full_name FROM raw WHERE full_name IS NOT NULL)
)
SELECT full_name, name_key,
  list_contains(getvariable('placeholder_names'), name_key) AS placeholder,
  -- junk for an individual: a symbol or digit, one word, or a letter three times in a row
  regexp_matches(full_name, '[^\p{L}\p{M} ''\-.]') OR NOT contains(trim(full_name), ' ')
    OR regexp_matches(name_key, getvariable('letter_runs')) AS junk_for_individual,
  plain_name = lower_name
    AND list_contains(getvariable('diacritic_surnames'), split_part(name_key, ' ', 1)) AS lacks_diacritics
FROM keyed;

-- Canonical, normalised subscriptions and their per-row rules: one pass of column expressions, layered so
-- each value is computed once.
CREATE TABLE subs AS
WITH coded AS (
  SELECT r.* REPLACE (upper(trim(r.carrier)) AS carrier),
    coalesce(st.value, 'individual') AS subscriber, ge.value AS sex, it.value AS declared_kind,
    coalesce(ss.value, 'active') AS state, coalesce(pt.value, 'unknown') AS channel,
    coalesce(na.value, nullif(upper(trim(r.nationality)), ''), 'VN') AS nation,
    -- a coded value the maps do not know (DQ002)
    (st.raw IS NOT NULL AND st.value IS NULL) OR (ge.raw IS NOT NULL AND ge.value IS NULL)
      OR (it.raw IS NOT NULL AND it.value IS NULL) OR (ss.raw IS NOT NULL AND ss.value IS NULL)
      OR (pt.raw IS NOT NULL AND pt.value IS NULL) AS bad_code,
    -- msisdn: digits only, international prefix off, trunk 0 on
    regexp_replace(coalesce(r.msisdn, ''), '[^0-9]', '', 'g') AS digits,
    CASE WHEN digits LIKE '0084%' THEN digits[5:]
         WHEN digits LIKE '84%' AND length(digits) >= 11 THEN digits[3:] ELSE digits END AS national,
    CASE WHEN national = '' OR national LIKE '0%' THEN national ELSE '0' || national END AS trunk,
    upper(regexp_replace(coalesce(r.id_number, ''), '[\s.\-/]', '', 'g')) AS id_key,
    coalesce(nm.name_key, '') AS name_key, nm.placeholder, nm.junk_for_individual, nm.lacks_diacritics
  FROM raw r
  LEFT JOIN names nm ON nm.full_name = r.full_name
  LEFT JOIN labels st ON st.field = 'subscriber_type' AND st.raw = r.subscriber_type
  LEFT JOIN labels ge ON ge.field = 'gender' AND ge.raw = r.gender
  LEFT JOIN labels it ON it.field = 'id_type' AND it.raw = r.id_type
  LEFT JOIN labels ss ON ss.field = 'status' AND ss.raw = r.status
  LEFT JOIN labels pt ON pt.field = 'point_type' AND pt.raw = r.point_type
  LEFT JOIN labels na ON na.field = 'nationality' AND na.raw = r.nationality
), numbered AS (
  SELECT c.*,
    l.new_prefix IS NOT NULL AS legacy_form,
    CASE WHEN l.new_prefix IS NOT NULL THEN l.new_prefix || c.trunk[5:] ELSE c.trunk END AS converted,
    CASE WHEN length(converted) = 10 AND regexp_full_match(converted[2:], getvariable('mobile_pattern'))
         THEN converted END AS msisdn_key,
    regexp_full_match(c.id_key, '\d+') AS id_digits,
    CASE WHEN regexp_full_match(c.id_key, '\d{12}') THEN 'CCCD' WHEN regexp_full_match(c.id_key, '\d{9}') THEN 'CMND'
         WHEN regexp_full_match(c.id_key, '\d{10}|\d{13}') THEN 'MST'
         WHEN regexp_full_match(c.id_key, '[A-Z]\d{7}') THEN 'PASSPORT' END AS shape_kind,
    coalesce(c.declared_kind, shape_kind) AS kind,
    c.activated::DATE AS act_day
  FROM coded c LEFT JOIN legacy l ON length(c.trunk) = 11 AND l.old_prefix = c.trunk[1:4]
), checked AS (
  SELECT n.*,
    coalesce(p4.carrier, p3.carrier, p2.carrier) AS allocated_to,
    n.state <> 'cancelled' AS live,
    g.point_id IS NOT NULL AS registered,
    -- 12-digit personal number PPP G YY RRRRRR
    n.kind IN ('CCCD', 'CMND') AND length(n.id_key) = 12 AND n.id_digits AS personal12,
    CASE WHEN personal12 THEN 1900 + 100 * (n.id_key[4]::INT // 2) + n.id_key[5:6]::INT END AS id_birth_year,
    CASE WHEN personal12 THEN CASE WHEN n.id_key[4]::INT % 2 = 0 THEN 'male' ELSE 'female' END END AS id_sex,
    -- for a year-only birth date: the latest possible birthday in that year
    CASE WHEN n.dob_year_only THEN make_date(year(n.dob), 12, 31) ELSE n.dob END AS dob_latest
  FROM numbered n
  LEFT JOIN prefixes p4 ON p4.prefix = n.msisdn_key[1:4]
  LEFT JOIN prefixes p3 ON p3.prefix = n.msisdn_key[1:3]
  LEFT JOIN prefixes p2 ON p2.prefix = n.msisdn_key[1:2]
  LEFT JOIN registry g ON g.carrier = n.carrier AND g.point_id = n.point_id
)
-- Kept: what the cross-record rules and the reports need, and the per-row rules (every accepted row,
-- cancelled ones too) as one list of fired codes per row.
SELECT s.file_id, s.file, s.row, s.carrier, s.point_id, s.point_name, s.district, s.channel, s.subscriber,
  s.live, s.id_key, s.name_key, s.dob, s.dob_year_only, s.activated, s.timed, s.msisdn_key, list_filter([
    CASE WHEN s.id_key = '' THEN 'ID001' END,
    CASE WHEN s.id_key <> '' AND NOT CASE s.kind
        WHEN 'CCCD' THEN regexp_full_match(s.id_key, '\d{12}')
        WHEN 'CMND' THEN regexp_full_match(s.id_key, '\d{9}|\d{12}')
        WHEN 'MST' THEN regexp_full_match(s.id_key, '\d{10}|\d{13}')
        WHEN 'PASSPORT' THEN regexp_full_match(s.id_key, '[A-Z]\d{7}|[A-Z0-9]*[A-Z][A-Z0-9]*')
          AND length(s.id_key) BETWEEN 8 AND 9
        ELSE false END THEN 'ID002' END,
    CASE WHEN s.personal12 AND NOT list_contains(getvariable('province_codes'), s.id_key[1:3])
         AND NOT s.id_key[1:3]::INT BETWEEN 101 AND 295 THEN 'ID003' END,
    CASE WHEN s.id_birth_year <> year(s.dob) THEN 'ID004' END,
    CASE WHEN s.id_sex <> s.sex THEN 'ID005' END,
    CASE WHEN s.id_digits AND (s.id_key = repeat(s.id_key[1], length(s.id_key))
         OR contains('01234567890123456789012', s.id_key) OR contains('98765432109876543210987', s.id_key))
      THEN 'ID006' END,
    CASE WHEN s.kind = 'CMND' AND length(s.id_key) = 9 AND s.act_day > getvariable('cmnd_last_valid') THEN 'ID007' END,
    CASE WHEN s.act_day >= CASE
        WHEN s.kind = 'CMND' AND length(s.id_key) = 9
          THEN (s.issued + to_years(getvariable('cmnd_validity_years')))::DATE
        WHEN s.personal12 AND NOT s.dob_year_only THEN
          -- first milestone birthday after issue that was not within the grace years of it
          list_min(list_filter([(s.dob + to_years(m))::DATE FOR m IN getvariable('id_milestones')],
                   lambda b: (b - to_years(getvariable('id_milestone_grace_years')))::DATE >= s.issued))
        END THEN 'ID008' END,
    CASE WHEN s.kind = 'MST' AND regexp_full_match(s.id_key, '\d{10}|\d{13}') AND (
        s.id_key[3:9] = '0000000' OR s.id_key[11:13] = '000'
        -- check digit: 10 - (weighted sum of digits 1-9 mod 11); a sum divisible by 11 is never valid
        OR list_sum([w * s.id_key[i]::INT FOR w, i IN [31, 29, 23, 19, 17, 13, 7, 5, 3]]) % 11 = 0
        OR 10 - list_sum([w * s.id_key[i]::INT FOR w, i IN [31, 29, 23, 19, 17, 13, 7, 5, 3]]) % 11
           <> s.id_key[10]::INT)
      THEN 'ID009' END,
    CASE WHEN s.kind = 'PASSPORT' AND length(s.id_key) BETWEEN 8 AND 9 AND NOT regexp_full_match(s.id_key, '[A-Z]\d{7}')
         AND regexp_full_match(s.id_key, '[A-Z0-9]*[A-Z][A-Z0-9]*') THEN 'ID010' END,
    CASE WHEN s.name_key = '' THEN 'PS001' END,
    CASE WHEN s.placeholder OR (s.subscriber = 'individual' AND s.name_key <> '' AND s.junk_for_individual)
      THEN 'PS002' END,
    CASE WHEN s.subscriber = 'individual' AND nullif(trim(s.date_of_birth), '') IS NULL THEN 'PS003' END,
    CASE WHEN s.subscriber = 'individual' AND (s.dob > s.act_day OR year(s.dob) < getvariable('min_birth_year')
         OR age_at(s.dob_latest, s.act_day) > getvariable('max_age')) THEN 'PS004' END,
    CASE WHEN s.subscriber = 'individual' AND s.dob_latest <= s.act_day
         AND age_at(s.dob, s.act_day) < getvariable('min_age') THEN 'PS005' END,
    CASE WHEN s.issued > s.act_day
         OR CASE WHEN s.dob_year_only THEN year(s.issued) < year(s.dob) ELSE s.issued < s.dob END THEN 'PS006' END,
    CASE WHEN s.subscriber = 'individual' AND s.nation = 'VN' AND s.lacks_diacritics THEN 'PS007' END,
    CASE WHEN s.subscriber <> 'device' AND s.msisdn_key IS NULL THEN 'SB001' END,
    CASE WHEN s.legacy_form AND s.msisdn_key IS NOT NULL THEN 'SB003' END,
    CASE WHEN s.allocated_to <> s.carrier THEN 'SB004' END,
    CASE WHEN s.timed AND s.channel <> 'online' AND (hour(s.activated) * 60 + minute(s.activated)
         NOT BETWEEN getvariable('open_minute') AND getvariable('close_minute') - 1) THEN 'PT002' END,
    CASE WHEN nullif(s.point_id, '') IS NOT NULL AND getvariable('have_registry') AND NOT s.registered THEN 'PT004' END,
    CASE WHEN nullif(trim(s.point_id), '') IS NULL THEN 'PT005' END,
    CASE WHEN s.bad_code OR (s.dob IS NULL AND nullif(trim(s.date_of_birth), '') IS NOT NULL)
         OR (s.issued IS NULL AND nullif(trim(s.id_issue_date), '') IS NOT NULL)
         OR (s.activated IS NULL AND nullif(trim(s.activation_time), '') IS NOT NULL) THEN 'DQ002' END,
    CASE WHEN nullif(trim(s.activation_time), '') IS NULL THEN 'DQ004' END
  ], lambda r: r IS NOT NULL) AS fired
FROM checked s;

-- Cross-record rules count live rows only. Holder order: activation (missing last), number, file, row.
-- Most ID keys hold one or two subscriptions: hash aggregates first pick the groups over a limit, so
-- that only their rows are ranked (a window sorts its whole input).
CREATE TABLE holder_findings AS
WITH holders AS (
  SELECT file_id, row, id_key, carrier, channel, name_key, dob, dob_year_only, activated, msisdn_key
  FROM subs WHERE live AND subscriber = 'individual' AND id_key <> ''
), over_carrier AS (
  SELECT id_key, carrier FROM holders GROUP BY ALL HAVING count(*) > getvariable('max_per_carrier')
), ranked AS (
  SELECT file_id, row, channel,
    row_number() OVER (PARTITION BY id_key, carrier ORDER BY activated NULLS LAST, msisdn_key, file_id, row) AS nth
  FROM holders SEMI JOIN over_carrier USING (id_key, carrier)
), high AS (
  SELECT id_key FROM holders GROUP BY ALL HAVING count(*) >= getvariable('high_total')
), identities AS (
  SELECT id_key, name_key, dob, dob_year_only, count(*) AS n FROM holders
  WHERE name_key <> '' AND dob IS NOT NULL GROUP BY ALL
), contested AS (
  SELECT * FROM identities SEMI JOIN (SELECT id_key FROM identities GROUP BY ALL HAVING count(*) > 1) USING (id_key)
), conflicts AS (
  -- identities that are not the single most frequent one of their ID key (all of them on a tie)
  SELECT id_key, name_key, dob, dob_year_only FROM (SELECT *, max(n) OVER (PARTITION BY id_key) AS top FROM contested)
  QUALIFY n < top OR count(*) FILTER (WHERE n = top) OVER (PARTITION BY id_key) > 1
)
SELECT file_id, row, 'XR001' AS rule FROM ranked WHERE nth > getvariable('max_per_carrier')
UNION ALL
SELECT file_id, row, 'XR002' FROM ranked WHERE nth > getvariable('max_per_carrier') AND channel = 'online'
UNION ALL
SELECT file_id, row, 'XR003' FROM holders SEMI JOIN high USING (id_key)
UNION ALL
SELECT file_id, row, 'XR004' FROM holders SEMI JOIN conflicts USING (id_key, name_key, dob, dob_year_only);

CREATE TABLE cross_findings AS
WITH at_point AS (
  SELECT file_id, row, carrier, point_id, id_key, subscriber, msisdn_key, activated, timed,
    epoch_us(activated) AS t_us
  FROM subs WHERE live AND nullif(point_id, '') IS NOT NULL
), window_counts AS (
  -- live timed activations in [t, t + window) for every activation t at the point
  SELECT *, count(*) OVER (PARTITION BY carrier, point_id ORDER BY t_us
                           RANGE BETWEEN CURRENT ROW AND getvariable('burst_window_us') - 1 FOLLOWING) AS ahead
  FROM at_point WHERE timed AND activated IS NOT NULL
), bursts AS (
  -- a row is in a burst when some window starting at most (window - 1 µs) before it holds too many
  SELECT file_id, row, bool_or(ahead > getvariable('burst_max')) OVER (PARTITION BY carrier, point_id ORDER BY t_us
                           RANGE BETWEEN getvariable('burst_window_us') - 1 PRECEDING AND CURRENT ROW) AS in_burst
  FROM window_counts
), same_id AS (
  SELECT * FROM at_point WHERE subscriber = 'individual' AND id_key <> ''
), over_point AS (
  SELECT carrier, point_id, id_key FROM same_id GROUP BY ALL HAVING count(*) > getvariable('max_per_point')
), numbers AS (
  SELECT file_id, row, msisdn_key FROM subs WHERE live AND msisdn_key IS NOT NULL
)
SELECT file_id, row, 'SB002' AS rule FROM numbers
  SEMI JOIN (SELECT msisdn_key FROM numbers GROUP BY ALL HAVING count(*) > 1) USING (msisdn_key)
UNION ALL
SELECT file_id, row, 'PT001' FROM bursts WHERE in_burst
UNION ALL
SELECT file_id, row, 'PT003' FROM same_id SEMI JOIN over_point USING (carrier, point_id, id_key)
  QUALIFY row_number() OVER (PARTITION BY carrier, point_id, id_key
                             ORDER BY activated NULLS LAST, msisdn_key, file_id, row) > getvariable('max_per_point');

CREATE TABLE findings AS
WITH fired AS (
  SELECT file_id, row, unnest(fired) AS rule FROM subs UNION ALL FROM holder_findings UNION ALL FROM cross_findings
)
SELECT s.file, row, s.carrier, s.msisdn_key AS msisdn, s.id_key AS id_number, s.point_id, f.rule, v.severity, file_id
FROM fired f JOIN subs s USING (file_id, row) JOIN severities v USING (rule)
UNION ALL
SELECT file, row, NULL, NULL, NULL, NULL, 'DQ001', 'violation', file_id FROM rejects;

-- Per point: subscriptions, flagged (a violation or warning), and rows per rule; rank 1 = worst.
CREATE TABLE by_point AS
WITH per_row AS (
  SELECT file_id, row, bool_or(severity = 'violation') AS violation, bool_or(severity = 'warning') AS warning
  FROM findings WHERE rule <> 'DQ001' GROUP BY ALL
), points AS (
  SELECT s.carrier, s.point_id, mode(s.point_name) AS point_name,
    mode(s.channel) AS point_type, mode(s.district) AS district,
    count(*) AS subscriptions, count(*) FILTER (WHERE r.violation OR r.warning) AS flagged,
    round(100.0 * flagged / subscriptions, 2) AS flagged_pct,
    count(*) FILTER (WHERE r.violation) AS with_violation, count(*) FILTER (WHERE r.warning) AS with_warning
  FROM subs s LEFT JOIN per_row r USING (file_id, row) GROUP BY ALL
), rule_counts AS (
  PIVOT (SELECT carrier, point_id, rule FROM findings WHERE rule <> 'DQ001') ON rule USING count(*)
)
SELECT row_number() OVER (ORDER BY with_violation DESC, flagged DESC, carrier, point_id) AS rank, *
FROM points LEFT JOIN rule_counts USING (carrier, point_id)
ORDER BY rank;
