-- Adds what `perfcycle seed --employees N` does not make yet, at the scale of the issue: 4 goals
-- per person (a team goal for managers, 40 % public) with a key result each, 10 weekly
-- check-ins per person and 2 pieces of feedback per report; random values (the report
-- records the row counts). Not a realistic organisation: plans need the sizes, not the story.
\timing off
SELECT setseed(0.42);
INSERT INTO goal (id, cycle_id, owner_id, parent_id, level, visibility, title, description, weight, due_on, status, created_by, created_at, updated_at)
SELECT gen_random_uuid(), c.id, e.id, NULL,
  CASE WHEN i = 1 AND EXISTS (SELECT 1 FROM employee r WHERE r.manager_id = e.id) THEN 'TEAM' ELSE 'INDIVIDUAL' END,
  CASE WHEN random() < 0.4 THEN 'PUBLIC' ELSE 'PRIVATE' END,
  'Goal ' || i || ' of ' || e.name, '', 25, DATE '2027-06-30',
  (ARRAY['DRAFT','PROPOSED','AGREED','AGREED','AGREED','ACHIEVED'])[1 + floor(random() * 6)::int],
  e.id, t, t
FROM employee e, cycle c, generate_series(1, 4) i,
  LATERAL (SELECT TIMESTAMPTZ '2027-01-05 00:00:00+00' + random() * INTERVAL '40 days' + (i * INTERVAL '1 microsecond') AS t) ts;
INSERT INTO key_result (id, goal_id, position, metric, unit, direction, start_value, target_value, current_value, weight, updated_at)
SELECT gen_random_uuid(), g.id, 0, 'Metric', 'pts', 'INCREASE', '0', '100', (floor(random()*100))::text, 100, g.created_at FROM goal g;
INSERT INTO check_in (id, employee_id, cycle_id, cadence, period_start, period_end, closes_at, reminder_at, reminded_at, status, confidence, wins, blockers, next_steps, submitted_at, manager_reply, acknowledged_by, acknowledged_at, created_at, updated_at)
SELECT gen_random_uuid(), e.id, c.id, 'WEEKLY', d::date, d::date + 6, d + INTERVAL '9 days', d + INTERVAL '4 days', NULL,
  (ARRAY['SUBMITTED','SUBMITTED','SUBMITTED','ACKNOWLEDGED','MISSED'])[1 + floor(random() * 5)::int], 3, 'Shipped', '', 'More', d + INTERVAL '4 days', '', NULL, NULL, d, d
FROM employee e, cycle c, generate_series(TIMESTAMPTZ '2027-01-04 00:00:00+00', TIMESTAMPTZ '2027-03-08 00:00:00+00', INTERVAL '7 days') d;
INSERT INTO feedback (id, author_id, recipient_id, goal_id, kind, visibility, body, created_at)
SELECT gen_random_uuid(), e.manager_id, e.id, NULL, 'FEEDBACK', CASE WHEN random() < 0.2 THEN 'PUBLIC' ELSE 'PRIVATE' END, 'Good work', TIMESTAMPTZ '2027-01-05 00:00:00+00' + random() * INTERVAL '50 days'
FROM employee e, generate_series(1, 2) i WHERE e.manager_id IS NOT NULL;
VACUUM ANALYZE;
SELECT relname, n_live_tup FROM pg_stat_user_tables ORDER BY n_live_tup DESC LIMIT 6;
