ALTER TABLE audit_logs
    DROP CONSTRAINT audit_logs_action_check;

ALTER TABLE disputes
    DROP CONSTRAINT disputes_resolution_check,
    DROP CONSTRAINT disputes_status_check,
    DROP CONSTRAINT disputes_target_check,
    DROP CONSTRAINT disputes_step_id_fkey,
    DROP CONSTRAINT disputes_task_id_fkey;

ALTER TABLE steps
    DROP CONSTRAINT steps_task_id_position_key,
    DROP CONSTRAINT steps_position_check,
    DROP CONSTRAINT steps_task_id_fkey;

ALTER TABLE tasks
    DROP CONSTRAINT tasks_priority_check,
    DROP CONSTRAINT tasks_status_check,
    DROP CONSTRAINT tasks_project_id_fkey;

ALTER TABLE projects
    DROP CONSTRAINT projects_status_check;
