CREATE INDEX tasks_project_id_idx ON tasks (project_id);
CREATE INDEX tasks_status_idx ON tasks (status);
CREATE INDEX steps_task_id_idx ON steps (task_id);
CREATE INDEX disputes_task_id_idx ON disputes (task_id);
CREATE INDEX disputes_step_id_idx ON disputes (step_id);
CREATE INDEX disputes_open_idx ON disputes (created_at) WHERE status = 'open';
CREATE INDEX audit_logs_entity_idx ON audit_logs (entity, entity_id);
CREATE INDEX audit_logs_created_at_idx ON audit_logs (created_at);
CREATE INDEX audit_logs_changes_idx ON audit_logs USING gin (changes jsonb_path_ops);
