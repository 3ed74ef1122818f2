-- The hot list queries of `dianti bench pages`, as the pages send them (from `-o sql=1`), for
-- `psql -d DATABASE -f scripts/hot-queries.sql` on the province-scale demo (`dianti demo --counties 100`).
-- Ids are those of that demo: 通元镇 (organization 12, path 0001000100010009), its campaign 12 and meeting 7.
\pset pager off
\echo '== 1. a subtree of people, list order (province people list): range scan on org path'
EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) SELECT id, name, org_path FROM orgs_person
 WHERE org_path >= '0001' AND org_path < '0002' ORDER BY org_path, id LIMIT 50;
\echo '== 1b. its count (the pager), capped at 10,000 rows (core/pagination.py capped_count)'
EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) SELECT COUNT(*) FROM (SELECT id FROM orgs_person
 WHERE org_path >= '0001' AND org_path < '0002' LIMIT 10001) capped;
\echo '== 1c. the same count uncapped (what the pager asked before the cap)'
EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) SELECT COUNT(*) FROM orgs_person WHERE org_path >= '0001' AND org_path < '0002';
\echo '== 2. a town''s children, one page (the children partial)'
EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) SELECT id, code, name, path FROM orgs_organization
 WHERE parent_id = 12 ORDER BY path LIMIT 50 OFFSET 50;
\echo '== 2b. their grassroots badges: one range scan over the page''s branches'
EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) SELECT SUBSTRING(path, 1, 20) AS branch, COUNT(*) FROM orgs_organization
 WHERE path >= '0001000100010009' AND path < '000100010001000A' AND path > '0001000100010009'
   AND path >= '00010001000100090001' AND path < '0001000100010009001F' AND level = 'grassroots' AND is_active
 GROUP BY 1;
\echo '== 3. a campaign''s subjects, in list order (campaign page, public list)'
EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) SELECT * FROM campaigns_subject WHERE campaign_id = 12
 ORDER BY "order", id LIMIT 50;
\echo '== 4. opinions of a subtree, newest first (the moderation queue)'
EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) SELECT id, org_path, created_at FROM voices_opinion
 WHERE org_path >= '0001000100010009' AND org_path < '000100010001000A' ORDER BY created_at DESC, id DESC LIMIT 50;
\echo '== 4b. opinions of a campaign by organization (topic mining, the workbench)'
EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) SELECT id FROM voices_opinion WHERE campaign_id = 12 AND organization_id = 13
 ORDER BY created_at DESC;
\echo '== 5. ballots of a meeting (results, progress)'
EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) SELECT id, item_id, group_id FROM meetings_ballot WHERE meeting_id = 7;
\echo '== 6. the audit log of a subtree, newest first'
EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) SELECT id, at FROM core_auditevent
 WHERE org_path >= '000100010001' AND org_path < '000100010002' ORDER BY at DESC, id DESC LIMIT 50;
\echo '== 6b. the whole audit log, newest first (superuser)'
EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) SELECT id, at FROM core_auditevent ORDER BY at DESC, id DESC LIMIT 50;
\echo '== 7. organization search by name over the province (superuser): the gram index, then LIKE confirms'
EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) SELECT id, path FROM orgs_organization
 WHERE (id IN (SELECT id FROM orgs_organization WHERE dianti_name_grams(name, short_name) @> dianti_name_grams('通元', ''))
        OR code::text LIKE '通元%')
   AND (UPPER(name::text) LIKE UPPER('%通元%') OR UPPER(short_name::text) LIKE UPPER('%通元%') OR code::text LIKE '通元%')
 ORDER BY depth, path LIMIT 50;
\echo '== 7b. the same for one common character (most village names hold it): walks org_depth_path_idx'
EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) SELECT id, path FROM orgs_organization
 WHERE (id IN (SELECT id FROM orgs_organization WHERE dianti_name_grams(name, short_name) @> dianti_name_grams('村', ''))
        OR code::text LIKE '村%')
   AND (UPPER(name::text) LIKE UPPER('%村%') OR UPPER(short_name::text) LIKE UPPER('%村%') OR code::text LIKE '村%')
 ORDER BY depth, path LIMIT 50;
\echo '== 7c. the search as it was: LIKE over every name'
EXPLAIN (ANALYZE, COSTS OFF, SUMMARY ON) SELECT id, path FROM orgs_organization
 WHERE UPPER(name::text) LIKE UPPER('%通元%') OR UPPER(short_name::text) LIKE UPPER('%通元%') OR code::text LIKE '通元%'
 ORDER BY depth, path LIMIT 50;
