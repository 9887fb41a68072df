import { sql, type Kysely } from 'kysely';

/**
 * The whole product's schema, designed up front so later features add behaviour, not tables.
 * Timestamps are ISO-8601 UTC text (sortable, readable in dumps); booleans are 0/1 integers;
 * enumerations are text with CHECK constraints so bad values are refused by the database too.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function up(db: Kysely<any>): Promise<void> {
	const oneOf = (column: string, values: string[]) =>
		sql.raw(`${column} in (${values.map((v) => `'${v}'`).join(', ')})`);

	// ── schools, people, sessions ───────────────────────────────────────────────
	await db.schema
		.createTable('schools')
		.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
		.addColumn('name', 'text', (c) => c.notNull())
		.addColumn('slug', 'text', (c) => c.notNull().unique())
		.addColumn('created_at', 'text', (c) => c.notNull())
		.execute();

	await db.schema
		.createTable('users')
		.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
		.addColumn('username', 'text', (c) => c.notNull().unique())
		.addColumn('given_name', 'text', (c) => c.notNull())
		.addColumn('family_name', 'text', (c) => c.notNull())
		.addColumn('email', 'text')
		.addColumn('password_hash', 'text', (c) => c.notNull())
		.addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
		// OneRoster sourcedId: re-imports match on it before falling back to username.
		.addColumn('source_id', 'text', (c) => c.unique())
		.addColumn('password_changed_at', 'text', (c) => c.notNull())
		.addColumn('created_at', 'text', (c) => c.notNull())
		.execute();

	await db.schema
		.createTable('memberships')
		.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
		.addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
		.addColumn('school_id', 'integer', (c) => c.notNull().references('schools.id').onDelete('cascade'))
		.addColumn('role', 'text', (c) => c.notNull().check(oneOf('role', ['admin', 'teacher', 'student'])))
		.addColumn('year_group', 'text')
		.addColumn('created_at', 'text', (c) => c.notNull())
		.addUniqueConstraint('memberships_user_school_role', ['user_id', 'school_id', 'role'])
		.execute();
	await db.schema.createIndex('memberships_school_role').on('memberships').columns(['school_id', 'role']).execute();

	await db.schema
		.createTable('sessions')
		.addColumn('id', 'text', (c) => c.primaryKey()) // SHA-256 of the cookie token, hex
		.addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
		.addColumn('expires_at', 'text', (c) => c.notNull())
		.addColumn('created_at', 'text', (c) => c.notNull())
		.execute();
	await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();

	await db.schema
		.createTable('login_attempts')
		.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
		.addColumn('username', 'text', (c) => c.notNull())
		.addColumn('ip', 'text', (c) => c.notNull())
		.addColumn('succeeded', 'integer', (c) => c.notNull())
		.addColumn('attempted_at', 'text', (c) => c.notNull())
		.execute();
	await db.schema.createIndex('login_attempts_username').on('login_attempts').columns(['username', 'attempted_at']).execute();
	await db.schema.createIndex('login_attempts_ip').on('login_attempts').columns(['ip', 'attempted_at']).execute();

	// ── classes ─────────────────────────────────────────────────────────────────
	await db.schema
		.createTable('classes')
		.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
		.addColumn('school_id', 'integer', (c) => c.notNull().references('schools.id').onDelete('cascade'))
		.addColumn('name', 'text', (c) => c.notNull())
		.addColumn('year_group', 'text')
		.addColumn('subject', 'text')
		.addColumn('source_id', 'text', (c) => c.unique())
		.addColumn('archived', 'integer', (c) => c.notNull().defaultTo(0))
		.addColumn('created_at', 'text', (c) => c.notNull())
		.addUniqueConstraint('classes_school_name', ['school_id', 'name'])
		.execute();

	await db.schema
		.createTable('class_teachers')
		.addColumn('class_id', 'integer', (c) => c.notNull().references('classes.id').onDelete('cascade'))
		.addColumn('teacher_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
		.addPrimaryKeyConstraint('class_teachers_pk', ['class_id', 'teacher_id'])
		.execute();
	await db.schema.createIndex('class_teachers_teacher').on('class_teachers').column('teacher_id').execute();

	await db.schema
		.createTable('enrolments')
		.addColumn('class_id', 'integer', (c) => c.notNull().references('classes.id').onDelete('cascade'))
		.addColumn('learner_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
		.addColumn('created_at', 'text', (c) => c.notNull())
		.addPrimaryKeyConstraint('enrolments_pk', ['class_id', 'learner_id'])
		.execute();
	await db.schema.createIndex('enrolments_learner').on('enrolments').column('learner_id').execute();

	// ── frameworks (Fusion Skills, CAPRI) and the crosswalk between them ────────
	await db.schema
		.createTable('frameworks')
		.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
		.addColumn('school_id', 'integer', (c) => c.references('schools.id').onDelete('cascade')) // null: shared
		.addColumn('identifier', 'text', (c) => c.notNull().unique()) // UUID, the CASE CFDocument identifier
		.addColumn('kind', 'text', (c) => c.notNull().check(oneOf('kind', ['fusion', 'capri', 'other'])))
		.addColumn('title', 'text', (c) => c.notNull())
		.addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
		.addColumn('creator', 'text', (c) => c.notNull())
		.addColumn('version', 'text', (c) => c.notNull())
		.addColumn('last_change_at', 'text', (c) => c.notNull())
		.execute();

	await db.schema
		.createTable('framework_items')
		.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
		.addColumn('framework_id', 'integer', (c) => c.notNull().references('frameworks.id').onDelete('cascade'))
		.addColumn('identifier', 'text', (c) => c.notNull().unique()) // UUID, the CASE CFItem identifier
		.addColumn('code', 'text', (c) => c.notNull()) // humanCodingScheme: FS-01, C, C1 …
		.addColumn('title', 'text', (c) => c.notNull())
		.addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
		.addColumn('parent_id', 'integer', (c) => c.references('framework_items.id').onDelete('cascade'))
		.addColumn('colour', 'text')
		.addColumn('position', 'integer', (c) => c.notNull())
		.addColumn('last_change_at', 'text', (c) => c.notNull())
		.addUniqueConstraint('framework_items_code', ['framework_id', 'code'])
		.execute();

	await db.schema
		.createTable('crosswalk_weights')
		.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
		.addColumn('school_id', 'integer', (c) => c.references('schools.id').onDelete('cascade')) // null: default
		.addColumn('source_item_id', 'integer', (c) => c.notNull().references('framework_items.id').onDelete('cascade'))
		.addColumn('target_item_id', 'integer', (c) => c.notNull().references('framework_items.id').onDelete('cascade'))
		.addColumn('weight', 'real', (c) => c.notNull().check(sql`weight > 0`))
		.addUniqueConstraint('crosswalk_unique', ['school_id', 'source_item_id', 'target_item_id'])
		.execute();

	// ── grade scales and the criteria bank ──────────────────────────────────────
	await db.schema
		.createTable('grade_scales')
		.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
		.addColumn('school_id', 'integer', (c) => c.references('schools.id').onDelete('cascade')) // null: shared
		.addColumn('name', 'text', (c) => c.notNull())
		.addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
		.addColumn('created_at', 'text', (c) => c.notNull())
		.execute();

	await db.schema
		.createTable('grade_bands')
		.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
		.addColumn('scale_id', 'integer', (c) => c.notNull().references('grade_scales.id').onDelete('cascade'))
		.addColumn('position', 'integer', (c) => c.notNull())
		.addColumn('label', 'text', (c) => c.notNull())
		// Lower edge on the 0–100 slider, inclusive; a band ends where the next begins.
		.addColumn('min_value', 'real', (c) => c.notNull())
		.addColumn('descriptor', 'text', (c) => c.notNull().defaultTo(''))
		.addUniqueConstraint('grade_bands_position', ['scale_id', 'position'])
		.execute();

	await db.schema
		.createTable('criteria')
		.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
		.addColumn('school_id', 'integer', (c) => c.references('schools.id').onDelete('cascade')) // null: shared bank
		// Versions of one criterion share a lineage; assessed work keeps the version it was assessed on.
		.addColumn('lineage_id', 'text', (c) => c.notNull())
		.addColumn('version', 'integer', (c) => c.notNull())
		.addColumn('code', 'text', (c) => c.notNull())
		.addColumn('title', 'text', (c) => c.notNull())
		.addColumn('description', 'text', (c) => c.notNull())
		.addColumn('capri_item_id', 'integer', (c) => c.notNull().references('framework_items.id'))
		.addColumn('scale_id', 'integer', (c) => c.notNull().references('grade_scales.id'))
		.addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
		.addColumn('created_at', 'text', (c) => c.notNull())
		.addColumn('superseded_at', 'text')
		.addUniqueConstraint('criteria_lineage_version', ['lineage_id', 'version'])
		.execute();
	await db.schema.createIndex('criteria_school').on('criteria').columns(['school_id', 'superseded_at']).execute();

	await db.schema
		.createTable('criterion_band_descriptors')
		.addColumn('criterion_id', 'integer', (c) => c.notNull().references('criteria.id').onDelete('cascade'))
		.addColumn('band_position', 'integer', (c) => c.notNull())
		.addColumn('descriptor', 'text', (c) => c.notNull())
		.addPrimaryKeyConstraint('criterion_band_descriptors_pk', ['criterion_id', 'band_position'])
		.execute();

	// A criterion's own Fusion Skill weights; when absent, its CAPRI sub-category's crosswalk applies.
	await db.schema
		.createTable('criterion_skill_weights')
		.addColumn('criterion_id', 'integer', (c) => c.notNull().references('criteria.id').onDelete('cascade'))
		.addColumn('fusion_item_id', 'integer', (c) => c.notNull().references('framework_items.id'))
		.addColumn('weight', 'real', (c) => c.notNull().check(sql`weight > 0`))
		.addPrimaryKeyConstraint('criterion_skill_weights_pk', ['criterion_id', 'fusion_item_id'])
		.execute();

	// ── tasks ───────────────────────────────────────────────────────────────────
	await db.schema
		.createTable('tasks')
		.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
		.addColumn('class_id', 'integer', (c) => c.notNull().references('classes.id').onDelete('cascade'))
		.addColumn('title', 'text', (c) => c.notNull())
		.addColumn('brief_markdown', 'text', (c) => c.notNull().defaultTo(''))
		.addColumn('due_at', 'text')
		.addColumn('scale_id', 'integer', (c) => c.notNull().references('grade_scales.id'))
		.addColumn('self_required_before_release', 'integer', (c) => c.notNull().defaultTo(1))
		.addColumn('self_marker_visibility', 'text', (c) =>
			c.notNull().defaultTo('always').check(oneOf('self_marker_visibility', ['always', 'after_teacher']))
		)
		.addColumn('peer_enabled', 'integer', (c) => c.notNull().defaultTo(0))
		.addColumn('peer_reviewers_per_learner', 'integer', (c) => c.notNull().defaultTo(2))
		.addColumn('peer_allocation', 'text', (c) =>
			c.notNull().defaultTo('random').check(oneOf('peer_allocation', ['random', 'groups', 'manual']))
		)
		.addColumn('peer_anonymous', 'integer', (c) => c.notNull().defaultTo(1))
		.addColumn('peer_opens_at', 'text')
		.addColumn('peer_closes_at', 'text')
		.addColumn('group_task', 'integer', (c) => c.notNull().defaultTo(0))
		.addColumn('state', 'text', (c) => c.notNull().defaultTo('draft').check(oneOf('state', ['draft', 'published', 'archived'])))
		.addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
		.addColumn('created_at', 'text', (c) => c.notNull())
		.addColumn('updated_at', 'text', (c) => c.notNull())
		.execute();
	await db.schema.createIndex('tasks_class').on('tasks').columns(['class_id', 'state']).execute();

	await db.schema
		.createTable('task_criteria')
		.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
		.addColumn('task_id', 'integer', (c) => c.notNull().references('tasks.id').onDelete('cascade'))
		.addColumn('criterion_id', 'integer', (c) => c.notNull().references('criteria.id'))
		.addColumn('position', 'integer', (c) => c.notNull())
		.addColumn('weight', 'real', (c) => c.notNull().defaultTo(1).check(sql`weight > 0`))
		.addUniqueConstraint('task_criteria_unique', ['task_id', 'criterion_id'])
		.execute();

	await db.schema
		.createTable('task_groups')
		.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
		.addColumn('task_id', 'integer', (c) => c.notNull().references('tasks.id').onDelete('cascade'))
		.addColumn('name', 'text', (c) => c.notNull())
		.execute();
	await db.schema.createIndex('task_groups_task').on('task_groups').column('task_id').execute();

	await db.schema
		.createTable('task_group_members')
		.addColumn('group_id', 'integer', (c) => c.notNull().references('task_groups.id').onDelete('cascade'))
		.addColumn('learner_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
		.addPrimaryKeyConstraint('task_group_members_pk', ['group_id', 'learner_id'])
		.execute();

	// ── a learner's work on a task, evidence, and every assessment of it ───────
	await db.schema
		.createTable('submissions')
		.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
		.addColumn('task_id', 'integer', (c) => c.notNull().references('tasks.id').onDelete('cascade'))
		.addColumn('learner_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
		.addColumn('self_state', 'text', (c) =>
			c.notNull().defaultTo('not_started').check(oneOf('self_state', ['not_started', 'in_progress', 'submitted']))
		)
		.addColumn('self_submitted_at', 'text')
		.addColumn('overall_reflection', 'text', (c) => c.notNull().defaultTo(''))
		.addColumn('teacher_overall_comment', 'text', (c) => c.notNull().defaultTo(''))
		.addColumn('released_at', 'text')
		.addColumn('released_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
		.addColumn('updated_at', 'text', (c) => c.notNull())
		.addUniqueConstraint('submissions_task_learner', ['task_id', 'learner_id'])
		.execute();
	await db.schema.createIndex('submissions_learner').on('submissions').column('learner_id').execute();

	await db.schema
		.createTable('evidence')
		.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
		.addColumn('submission_id', 'integer', (c) => c.notNull().references('submissions.id').onDelete('cascade'))
		.addColumn('kind', 'text', (c) => c.notNull().check(oneOf('kind', ['text', 'link', 'file'])))
		.addColumn('title', 'text', (c) => c.notNull())
		.addColumn('body', 'text', (c) => c.notNull().defaultTo(''))
		.addColumn('url', 'text')
		.addColumn('file_name', 'text')
		.addColumn('file_mime', 'text')
		.addColumn('file_size', 'integer')
		.addColumn('storage_key', 'text') // file name under the uploads directory, never user-chosen
		.addColumn('created_at', 'text', (c) => c.notNull())
		.execute();
	await db.schema.createIndex('evidence_submission').on('evidence').column('submission_id').execute();

	await db.schema
		.createTable('assessments')
		.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
		.addColumn('submission_id', 'integer', (c) => c.notNull().references('submissions.id').onDelete('cascade'))
		.addColumn('criterion_id', 'integer', (c) => c.notNull().references('criteria.id'))
		.addColumn('assessor_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
		.addColumn('role', 'text', (c) => c.notNull().check(oneOf('role', ['self', 'peer', 'teacher'])))
		.addColumn('value', 'real', (c) => c.check(sql`value is null or (value >= 0 and value <= 100)`))
		.addColumn('comment', 'text', (c) => c.notNull().defaultTo(''))
		// Bumped on every save: a save that names an older revision is a conflicting edit.
		.addColumn('revision', 'integer', (c) => c.notNull().defaultTo(0))
		.addColumn('updated_at', 'text', (c) => c.notNull())
		.addColumn('submitted_at', 'text')
		.addUniqueConstraint('assessments_unique', ['submission_id', 'criterion_id', 'assessor_id', 'role'])
		.execute();
	await db.schema.createIndex('assessments_assessor').on('assessments').columns(['assessor_id', 'role']).execute();

	// ── peers ───────────────────────────────────────────────────────────────────
	await db.schema
		.createTable('peer_allocations')
		.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
		.addColumn('task_id', 'integer', (c) => c.notNull().references('tasks.id').onDelete('cascade'))
		.addColumn('reviewer_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
		.addColumn('submission_id', 'integer', (c) => c.notNull().references('submissions.id').onDelete('cascade'))
		.addColumn('anonymous_label', 'text', (c) => c.notNull()) // "Reviewer B": what the reviewee sees
		.addColumn('state', 'text', (c) =>
			c.notNull().defaultTo('allocated').check(oneOf('state', ['allocated', 'in_progress', 'submitted']))
		)
		.addColumn('submitted_at', 'text')
		.addColumn('excluded_at', 'text')
		.addColumn('excluded_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
		.addColumn('excluded_reason', 'text')
		.addColumn('created_at', 'text', (c) => c.notNull())
		.addUniqueConstraint('peer_allocations_unique', ['task_id', 'reviewer_id', 'submission_id'])
		.execute();
	await db.schema.createIndex('peer_allocations_submission').on('peer_allocations').column('submission_id').execute();
	await db.schema.createIndex('peer_allocations_reviewer').on('peer_allocations').columns(['reviewer_id', 'task_id']).execute();

	await db.schema
		.createTable('contribution_ratings')
		.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
		.addColumn('task_id', 'integer', (c) => c.notNull().references('tasks.id').onDelete('cascade'))
		.addColumn('group_id', 'integer', (c) => c.notNull().references('task_groups.id').onDelete('cascade'))
		.addColumn('rater_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
		.addColumn('ratee_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
		.addColumn('rating', 'real', (c) => c.notNull().check(sql`rating >= 0`))
		.addColumn('submitted_at', 'text')
		.addColumn('updated_at', 'text', (c) => c.notNull())
		.addUniqueConstraint('contribution_ratings_unique', ['task_id', 'rater_id', 'ratee_id'])
		.execute();

	// ── moderation ──────────────────────────────────────────────────────────────
	await db.schema
		.createTable('task_markers')
		.addColumn('task_id', 'integer', (c) => c.notNull().references('tasks.id').onDelete('cascade'))
		.addColumn('marker_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
		.addColumn('is_moderator', 'integer', (c) => c.notNull().defaultTo(0))
		.addPrimaryKeyConstraint('task_markers_pk', ['task_id', 'marker_id'])
		.execute();

	await db.schema
		.createTable('agreed_grades')
		.addColumn('submission_id', 'integer', (c) => c.notNull().references('submissions.id').onDelete('cascade'))
		.addColumn('criterion_id', 'integer', (c) => c.notNull().references('criteria.id'))
		.addColumn('value', 'real', (c) => c.notNull().check(sql`value >= 0 and value <= 100`))
		.addColumn('agreed_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
		.addColumn('agreed_at', 'text', (c) => c.notNull())
		.addColumn('note', 'text', (c) => c.notNull().defaultTo(''))
		.addPrimaryKeyConstraint('agreed_grades_pk', ['submission_id', 'criterion_id'])
		.execute();

	await db.schema
		.createTable('comment_bank')
		.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
		.addColumn('school_id', 'integer', (c) => c.notNull().references('schools.id').onDelete('cascade'))
		.addColumn('owner_id', 'integer', (c) => c.references('users.id').onDelete('cascade')) // null: whole school
		.addColumn('criterion_lineage_id', 'text')
		.addColumn('text', 'text', (c) => c.notNull())
		.addColumn('created_at', 'text', (c) => c.notNull())
		.execute();

	await db.schema
		.createTable('live_sessions')
		.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
		.addColumn('class_id', 'integer', (c) => c.notNull().references('classes.id').onDelete('cascade'))
		.addColumn('task_id', 'integer', (c) => c.references('tasks.id').onDelete('set null'))
		.addColumn('criterion_id', 'integer', (c) => c.notNull().references('criteria.id'))
		.addColumn('exemplar_title', 'text', (c) => c.notNull())
		.addColumn('exemplar_body', 'text', (c) => c.notNull().defaultTo(''))
		.addColumn('state', 'text', (c) => c.notNull().defaultTo('open').check(oneOf('state', ['open', 'revealed', 'closed'])))
		.addColumn('teacher_value', 'real')
		.addColumn('started_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
		.addColumn('started_at', 'text', (c) => c.notNull())
		.addColumn('revealed_at', 'text')
		.addColumn('closed_at', 'text')
		.execute();

	await db.schema
		.createTable('live_placements')
		.addColumn('session_id', 'integer', (c) => c.notNull().references('live_sessions.id').onDelete('cascade'))
		.addColumn('learner_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
		.addColumn('value', 'real', (c) => c.notNull().check(sql`value >= 0 and value <= 100`))
		.addColumn('updated_at', 'text', (c) => c.notNull())
		.addPrimaryKeyConstraint('live_placements_pk', ['session_id', 'learner_id'])
		.execute();

	// Every change to a grade after release, every release, every agreed grade, every exclusion.
	await db.schema
		.createTable('audit_log')
		.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
		.addColumn('school_id', 'integer', (c) => c.notNull().references('schools.id').onDelete('cascade'))
		.addColumn('actor_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
		.addColumn('action', 'text', (c) => c.notNull())
		.addColumn('entity_type', 'text', (c) => c.notNull())
		.addColumn('entity_id', 'text', (c) => c.notNull())
		.addColumn('before_json', 'text')
		.addColumn('after_json', 'text')
		.addColumn('reason', 'text', (c) => c.notNull().defaultTo(''))
		.addColumn('created_at', 'text', (c) => c.notNull())
		.execute();
	await db.schema.createIndex('audit_log_entity').on('audit_log').columns(['entity_type', 'entity_id']).execute();
	await db.schema.createIndex('audit_log_school').on('audit_log').columns(['school_id', 'created_at']).execute();

	// ── Open Badges ─────────────────────────────────────────────────────────────
	await db.schema
		.createTable('signing_keys')
		.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
		.addColumn('school_id', 'integer', (c) => c.notNull().references('schools.id').onDelete('cascade'))
		.addColumn('key_id', 'text', (c) => c.notNull().unique())
		.addColumn('public_key_multibase', 'text', (c) => c.notNull())
		.addColumn('secret_key_multibase', 'text', (c) => c.notNull())
		.addColumn('created_at', 'text', (c) => c.notNull())
		.addColumn('retired_at', 'text')
		.execute();

	await db.schema
		.createTable('badges')
		.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
		.addColumn('school_id', 'integer', (c) => c.notNull().references('schools.id').onDelete('cascade'))
		.addColumn('identifier', 'text', (c) => c.notNull().unique())
		.addColumn('name', 'text', (c) => c.notNull())
		.addColumn('description', 'text', (c) => c.notNull())
		.addColumn('criteria_narrative', 'text', (c) => c.notNull())
		.addColumn('image_mime', 'text', (c) => c.notNull())
		.addColumn('image_data', 'blob', (c) => c.notNull())
		.addColumn('layer', 'text', (c) => c.notNull().check(oneOf('layer', ['engage', 'participate', 'demonstrate', 'lead'])))
		.addColumn('rule_json', 'text', (c) => c.notNull())
		.addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
		.addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
		.addColumn('created_at', 'text', (c) => c.notNull())
		.execute();

	await db.schema
		.createTable('badge_alignments')
		.addColumn('badge_id', 'integer', (c) => c.notNull().references('badges.id').onDelete('cascade'))
		.addColumn('framework_item_id', 'integer', (c) => c.notNull().references('framework_items.id'))
		.addPrimaryKeyConstraint('badge_alignments_pk', ['badge_id', 'framework_item_id'])
		.execute();

	await db.schema
		.createTable('badge_awards')
		.addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement())
		.addColumn('identifier', 'text', (c) => c.notNull().unique()) // UUID in the public URLs
		.addColumn('badge_id', 'integer', (c) => c.notNull().references('badges.id').onDelete('cascade'))
		.addColumn('learner_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
		.addColumn('state', 'text', (c) =>
			c.notNull().check(oneOf('state', ['proposed', 'requested', 'issued', 'declined', 'revoked']))
		)
		.addColumn('request_note', 'text', (c) => c.notNull().defaultTo(''))
		.addColumn('evidence_json', 'text', (c) => c.notNull().defaultTo('[]'))
		.addColumn('recipient_name', 'text') // as the learner chose to share it
		.addColumn('credential_json', 'text')
		.addColumn('ob2_assertion_json', 'text')
		.addColumn('recipient_salt', 'text')
		.addColumn('issued_at', 'text')
		.addColumn('issued_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
		.addColumn('revoked_at', 'text')
		.addColumn('revoked_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
		.addColumn('revocation_reason', 'text')
		.addColumn('created_at', 'text', (c) => c.notNull())
		.execute();
	await db.schema.createIndex('badge_awards_learner').on('badge_awards').columns(['learner_id', 'state']).execute();
	await db.schema.createIndex('badge_awards_badge').on('badge_awards').columns(['badge_id', 'state']).execute();

	// ── background exports ──────────────────────────────────────────────────────
	await db.schema
		.createTable('export_jobs')
		.addColumn('id', 'text', (c) => c.primaryKey()) // UUID
		.addColumn('school_id', 'integer', (c) => c.notNull().references('schools.id').onDelete('cascade'))
		.addColumn('requested_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
		.addColumn('kind', 'text', (c) => c.notNull())
		.addColumn('params_json', 'text', (c) => c.notNull().defaultTo('{}'))
		.addColumn('state', 'text', (c) => c.notNull().check(oneOf('state', ['queued', 'running', 'done', 'failed'])))
		.addColumn('progress', 'integer', (c) => c.notNull().defaultTo(0))
		.addColumn('total', 'integer', (c) => c.notNull().defaultTo(0))
		.addColumn('file_path', 'text')
		.addColumn('error', 'text')
		.addColumn('created_at', 'text', (c) => c.notNull())
		.addColumn('finished_at', 'text')
		.execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function down(db: Kysely<any>): Promise<void> {
	const tables = [
		'export_jobs', 'badge_awards', 'badge_alignments', 'badges', 'signing_keys', 'audit_log',
		'live_placements', 'live_sessions', 'comment_bank', 'agreed_grades', 'task_markers',
		'contribution_ratings', 'peer_allocations', 'assessments', 'evidence', 'submissions',
		'task_group_members', 'task_groups', 'task_criteria', 'tasks', 'criterion_skill_weights',
		'criterion_band_descriptors', 'criteria', 'grade_bands', 'grade_scales', 'crosswalk_weights',
		'framework_items', 'frameworks', 'enrolments', 'class_teachers', 'classes', 'login_attempts',
		'sessions', 'memberships', 'users', 'schools'
	];
	for (const table of tables) await db.schema.dropTable(table).execute();
}
