-- A demo project with tasks and steps. Audit rows written while seeding carry the actor 'seed',
-- so the down script can remove exactly them.
SET LOCAL planner.actor = 'seed';

WITH project AS (
    INSERT INTO projects (name, description)
    VALUES ('MCP-Planner demo', 'A sample project: plan, track and audit work with the MCP-Planner.')
    RETURNING id
), task_rows AS (
    INSERT INTO tasks (project_id, title, description, status, priority)
    SELECT project.id, t.title, t.description, t.status, t.priority
    FROM project, (VALUES
        ('Design the schema', 'Projects, tasks, steps, disputes and audit logs.', 'done', 2),
        ('Write the migrations', 'One golang-migrate style file per change, each with its down script.', 'in_progress', 3),
        ('Ship the service', 'Migrate at start-up, then serve the API.', 'todo', 1)
    ) AS t(title, description, status, priority)
    RETURNING id, title
)
INSERT INTO steps (task_id, position, title, done)
SELECT task_rows.id, s.position, s.title, s.done
FROM task_rows
JOIN (VALUES
    ('Design the schema', 1, 'List the entities', true),
    ('Design the schema', 2, 'Draw the relations', true),
    ('Write the migrations', 1, 'Create the tables', true),
    ('Write the migrations', 2, 'Add indexes and constraints', false),
    ('Write the migrations', 3, 'Add the audit triggers', false),
    ('Ship the service', 1, 'Run the migrations on start-up', false)
) AS s(task_title, position, title, done) ON s.task_title = task_rows.title;
