SET LOCAL planner.actor = 'seed';
DELETE FROM projects WHERE name = 'MCP-Planner demo';
DELETE FROM audit_logs WHERE actor = 'seed';
