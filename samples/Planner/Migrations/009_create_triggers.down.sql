DROP TRIGGER disputes_audit ON disputes;
DROP TRIGGER steps_audit ON steps;
DROP TRIGGER tasks_audit ON tasks;
DROP TRIGGER projects_audit ON projects;
DROP TRIGGER steps_set_updated_at ON steps;
DROP TRIGGER tasks_set_updated_at ON tasks;
DROP TRIGGER projects_set_updated_at ON projects;
