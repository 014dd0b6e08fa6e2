ALTER TABLE projects
    ADD CONSTRAINT projects_status_check CHECK (status IN ('active', 'archived'));

ALTER TABLE tasks
    ADD CONSTRAINT tasks_project_id_fkey FOREIGN KEY (project_id) REFERENCES projects (id) ON DELETE CASCADE,
    ADD CONSTRAINT tasks_status_check CHECK (status IN ('todo', 'in_progress', 'blocked', 'done')),
    ADD CONSTRAINT tasks_priority_check CHECK (priority BETWEEN 0 AND 3);

ALTER TABLE steps
    ADD CONSTRAINT steps_task_id_fkey FOREIGN KEY (task_id) REFERENCES tasks (id) ON DELETE CASCADE,
    ADD CONSTRAINT steps_position_check CHECK (position >= 1),
    ADD CONSTRAINT steps_task_id_position_key UNIQUE (task_id, position);

ALTER TABLE disputes
    ADD CONSTRAINT disputes_task_id_fkey FOREIGN KEY (task_id) REFERENCES tasks (id) ON DELETE CASCADE,
    ADD CONSTRAINT disputes_step_id_fkey FOREIGN KEY (step_id) REFERENCES steps (id) ON DELETE CASCADE,
    ADD CONSTRAINT disputes_target_check CHECK (task_id IS NOT NULL OR step_id IS NOT NULL),
    ADD CONSTRAINT disputes_status_check CHECK (status IN ('open', 'under_review', 'resolved', 'rejected')),
    ADD CONSTRAINT disputes_resolution_check CHECK (status NOT IN ('resolved', 'rejected') OR resolution IS NOT NULL);

ALTER TABLE audit_logs
    ADD CONSTRAINT audit_logs_action_check CHECK (action IN ('insert', 'update', 'delete'));
