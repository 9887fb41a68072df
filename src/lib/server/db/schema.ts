import type { ColumnType, Generated } from 'kysely';
import type {
	AssessorRole,
	PeerAllocation,
	Role,
	SelfMarkerVisibility,
	SelfState,
	TaskState,
	WorkAction
} from '../../domain/states';

export type { AssessorRole, Role };

/** Timestamps are ISO-8601 UTC strings; booleans are stored as 0/1. */
type Timestamp = string;
type Flag = 0 | 1;
type DefaultedFlag = ColumnType<Flag, Flag | undefined, Flag>;
type Defaulted<T> = ColumnType<T, T | undefined, T>;

export interface SchoolsTable {
	id: Generated<number>;
	name: string;
	slug: string;
	/** Made by the seed generator: its accounts share one published password. */
	demo: DefaultedFlag;
	created_at: Timestamp;
	/** The contact address Open Badges 2.0 issuer profiles name (migration 0017); null: none set. */
	badge_contact_email: string | null;
	/** The school's own org in OneRoster bundles (0014): only its people and classes import. */
	roster_org_source_id: Defaulted<string | null>;
	/** Pupils younger than this (read from their year group) get no e-mail (migration 0023). */
	email_minimum_age: Defaulted<number>;
	/** The city (or trust) the school belongs to (migration 0025); null: a school on its own. */
	city_id: Defaulted<number | null>;
	/** 0: only admins may sign in with a password (0021); the school signs in with its providers. */
	passwords_enabled: DefaultedFlag;
	/** 1: a provider's verified user outside the roster gets an account awaiting an admin (0021). */
	sso_admits_outsiders: DefaultedFlag;
}

export interface UsersTable {
	id: Generated<number>;
	username: string;
	given_name: string;
	family_name: string;
	email: string | null;
	password_hash: string;
	active: DefaultedFlag;
	source_id: string | null;
	password_changed_at: Timestamp;
	/** 1 when someone else set the password (reset, import, new account): changed at sign-in. */
	must_change_password: DefaultedFlag;
	created_at: Timestamp;
	/** An address of the learner's own for their OB 2.0 badges (migration 0017). */
	badge_email: string | null;
	/**
	 * Which address a learner's OB 2.0 assertions are hashed from: `email` (the school's), their
	 * own `badge_email`, or none (the assertions are then for display only): none until the learner
	 * chooses, so a child's address is never published by default.
	 */
	badge_email_choice: Defaulted<'school' | 'own' | 'none'>;
	/** The revocation entry every CLR 2.0 record of this learner names (migration 0018). */
	clr_status_list_id: number | null;
	clr_status_index: number | null;
	/** What the person chose for e-mail (0023); null: their role's default. */
	email_notifications: Defaulted<'none' | 'each' | 'daily' | null>;
	/** 1: made by single sign-on for someone outside the roster; no sign-in until approved (0021). */
	awaiting_approval: DefaultedFlag;
}

export interface MembershipsTable {
	id: Generated<number>;
	user_id: number;
	school_id: number;
	role: Role;
	year_group: string | null;
	created_at: Timestamp;
}

/** One-time set-up links: only the SHA-256 of the token is stored. */
export interface SetupTokensTable {
	id: string;
	expires_at: Timestamp;
	used_at: Timestamp | null;
	created_at: Timestamp;
}

export interface SessionsTable {
	id: string;
	user_id: number;
	expires_at: Timestamp;
	created_at: Timestamp;
	/** How the session began (migration 0022): a card sign-in is not asked to change a password. */
	sign_in_method: Defaulted<SignInMethod>;
}

/** How a session began: a password, a printed card (0022) or a school's provider (0021). */
export type SignInMethod = 'password' | 'card' | 'sso';

/**
 * Printable sign-in cards (migration 0022): one-time, short-lived, for students only. Only the
 * SHA-256 of the link's token and of the typed code are stored; see server/auth/sign-in-cards.ts.
 */
export interface SignInCardsTable {
	id: Generated<number>;
	token_hash: string;
	code_hash: string;
	learner_id: number;
	school_id: number;
	issued_by: number | null;
	created_at: Timestamp;
	expires_at: Timestamp;
	used_at: Timestamp | null;
	/** Set when a newer card was issued for the learner before this one was used. */
	revoked_at: Timestamp | null;
}

export interface LoginAttemptsTable {
	id: Generated<number>;
	username: string;
	ip: string;
	succeeded: Flag;
	attempted_at: Timestamp;
	/** The known device (from its signed device cookie) the attempt came from, if any. */
	device: Defaulted<string | null>;
}

/** Server-wide secrets made on first use (the device-cookie key), one row per purpose. */
export interface ServerSecretsTable {
	name: string;
	secret: string;
	created_at: Timestamp;
}

export interface ClassesTable {
	id: Generated<number>;
	school_id: number;
	name: string;
	year_group: string | null;
	subject: string | null;
	source_id: string | null;
	archived: DefaultedFlag;
	created_at: Timestamp;
	/** OneRoster course title and term titles of a rostered class (0014), shown with it. */
	course_title: Defaulted<string | null>;
	term: Defaulted<string | null>;
}

export interface ClassTeachersTable {
	class_id: number;
	teacher_id: number;
}

export interface EnrolmentsTable {
	class_id: number;
	learner_id: number;
	created_at: Timestamp;
}

export interface FrameworksTable {
	id: Generated<number>;
	school_id: number | null;
	identifier: string;
	kind: 'fusion' | 'capri' | 'other';
	title: string;
	description: Defaulted<string>;
	creator: string;
	version: string;
	last_change_at: Timestamp;
	/** a school's framework is private until published; shared ones (no school) are always public */
	published_at: Timestamp | null;
	/** the publisher's CFDocument and CFPackage URIs of an imported framework (null: ours) */
	uri: string | null;
	package_uri: string | null;
}

export interface FrameworkItemsTable {
	id: Generated<number>;
	framework_id: number;
	identifier: string;
	code: string;
	title: string;
	description: Defaulted<string>;
	parent_id: number | null;
	colour: string | null;
	position: number;
	last_change_at: Timestamp;
	/** the publisher's CFItem URI (null: ours) */
	uri: string | null;
	/** CASE's text list position as the package gave it ("a.", "1.") */
	list_enumeration: string | null;
	/** 1: the package had no (or a repeated) humanCodingScheme; `code` is a stand-in, never exported */
	code_generated: DefaultedFlag;
	/** the publisher's isChildOf association for this item (null: ours, derived from what it links) */
	parent_association_identifier: string | null;
	parent_association_uri: string | null;
}

/** An imported package's associations other than its tree and crosswalk, kept verbatim. */
export interface FrameworkAssociationsTable {
	id: Generated<number>;
	framework_id: number;
	identifier: string;
	uri: string | null;
	association_type: string;
	origin_identifier: string;
	origin_title: string;
	origin_uri: string | null;
	destination_identifier: string;
	destination_title: string;
	destination_uri: string | null;
	sequence_number: number | null;
	last_change_at: Timestamp;
}

export interface CrosswalkWeightsTable {
	id: Generated<number>;
	school_id: number | null;
	source_item_id: number;
	target_item_id: number;
	weight: number;
}

export interface GradeScalesTable {
	id: Generated<number>;
	school_id: number | null;
	name: string;
	description: Defaulted<string>;
	created_at: Timestamp;
}

export interface GradeBandsTable {
	id: Generated<number>;
	scale_id: number;
	position: number;
	label: string;
	min_value: number;
	descriptor: Defaulted<string>;
}

export interface CriteriaTable {
	id: Generated<number>;
	school_id: number | null;
	lineage_id: string;
	version: number;
	code: string;
	title: string;
	description: string;
	capri_item_id: number;
	scale_id: number;
	created_by: number | null;
	created_at: Timestamp;
	superseded_at: Timestamp | null;
	/** The city criterion version this was adopted from (migration 0027); null: the school's own. */
	city_criterion_id: Defaulted<number | null>;
}

export interface CriterionBandDescriptorsTable {
	criterion_id: number;
	band_position: number;
	descriptor: string;
}

export interface CriterionSkillWeightsTable {
	criterion_id: number;
	fusion_item_id: number;
	weight: number;
}

export interface TasksTable {
	id: Generated<number>;
	class_id: number;
	title: string;
	brief_markdown: Defaulted<string>;
	due_at: Timestamp | null;
	scale_id: number;
	self_required_before_release: DefaultedFlag;
	self_marker_visibility: Defaulted<SelfMarkerVisibility>;
	peer_enabled: DefaultedFlag;
	peer_reviewers_per_learner: Defaulted<number>;
	peer_allocation: Defaulted<PeerAllocation>;
	peer_anonymous: DefaultedFlag;
	peer_opens_at: Timestamp | null;
	peer_closes_at: Timestamp | null;
	/** when reviewers were last allocated automatically: later submitters are then topped up */
	peer_allocated_at: Timestamp | null;
	group_task: DefaultedFlag;
	/** percent taken off a group member's WebPA score when they gave no ratings (0–100) */
	non_submitter_penalty_percent: Defaulted<number>;
	/** automatic reminders (migration 0024): 24 h before the due date, peer window opens, 24 h before it closes */
	remind_before_due: DefaultedFlag;
	remind_peer_opens: DefaultedFlag;
	remind_before_peer_closes: DefaultedFlag;
	state: Defaulted<TaskState>;
	created_by: number | null;
	created_at: Timestamp;
	updated_at: Timestamp;
	/** The city task template version the task was made from (migration 0027), if any. */
	city_template_id: Defaulted<number | null>;
}

export interface TaskCriteriaTable {
	id: Generated<number>;
	task_id: number;
	criterion_id: number;
	position: number;
	weight: Defaulted<number>;
}

export interface TaskGroupsTable {
	id: Generated<number>;
	task_id: number;
	name: string;
}

export interface TaskGroupMembersTable {
	group_id: number;
	learner_id: number;
}

export interface SubmissionsTable {
	id: Generated<number>;
	task_id: number;
	learner_id: number;
	self_state: Defaulted<SelfState>;
	self_submitted_at: Timestamp | null;
	overall_reflection: Defaulted<string>;
	teacher_overall_comment: Defaulted<string>;
	/** bumped by every save of `overall_reflection`; a save based on an older one is refused */
	reflection_revision: Defaulted<number>;
	/** the same for `teacher_overall_comment` */
	overall_comment_revision: Defaulted<number>;
	released_at: Timestamp | null;
	released_by: number | null;
	updated_at: Timestamp;
}

export interface EvidenceTable {
	id: Generated<number>;
	submission_id: number;
	kind: 'text' | 'link' | 'file';
	title: string;
	body: Defaulted<string>;
	url: string | null;
	file_name: string | null;
	file_mime: string | null;
	file_size: number | null;
	storage_key: string | null;
	/** When the file was cleaned of its hidden details; null for a file stored before cleaning existed. */
	cleaned_at: Timestamp | null;
	created_at: Timestamp;
}

export interface AssessmentsTable {
	id: Generated<number>;
	submission_id: number;
	criterion_id: number;
	assessor_id: number;
	role: AssessorRole;
	value: number | null;
	comment: Defaulted<string>;
	revision: Defaulted<number>;
	updated_at: Timestamp;
	submitted_at: Timestamp | null;
}

export interface PeerAllocationsTable {
	id: Generated<number>;
	task_id: number;
	reviewer_id: number;
	submission_id: number;
	anonymous_label: string;
	state: Defaulted<'allocated' | 'in_progress' | 'submitted'>;
	submitted_at: Timestamp | null;
	excluded_at: Timestamp | null;
	excluded_by: number | null;
	excluded_reason: string | null;
	created_at: Timestamp;
	/** The learner whose work it reviews told their teacher it was unkind or unhelpful (0023). */
	flagged_at: Defaulted<Timestamp | null>;
	flagged_reason: Defaulted<string | null>;
}

export interface ContributionRatingsTable {
	id: Generated<number>;
	task_id: number;
	group_id: number;
	rater_id: number;
	ratee_id: number;
	rating: number;
	submitted_at: Timestamp | null;
	updated_at: Timestamp;
}

export interface TaskMarkersTable {
	task_id: number;
	marker_id: number;
	is_moderator: DefaultedFlag;
}

export interface AgreedGradesTable {
	submission_id: number;
	criterion_id: number;
	value: number;
	agreed_by: number | null;
	agreed_at: Timestamp;
	note: Defaulted<string>;
}

export interface CommentBankTable {
	id: Generated<number>;
	school_id: number;
	owner_id: number | null;
	criterion_lineage_id: string | null;
	text: string;
	created_at: Timestamp;
}

export interface LiveSessionsTable {
	id: Generated<number>;
	class_id: number;
	task_id: number | null;
	criterion_id: number;
	exemplar_title: string;
	exemplar_body: Defaulted<string>;
	state: Defaulted<'open' | 'revealed' | 'closed'>;
	teacher_value: number | null;
	started_by: number | null;
	started_at: Timestamp;
	revealed_at: Timestamp | null;
	closed_at: Timestamp | null;
	/** The code learners type to join (migration 0011); unique among sessions not closed. */
	join_code: string | null;
}

export interface LivePlacementsTable {
	session_id: number;
	learner_id: number;
	value: number;
	updated_at: Timestamp;
}

export interface AuditLogTable {
	id: Generated<number>;
	school_id: number;
	actor_id: number | null;
	action: string;
	entity_type: string;
	entity_id: string;
	before_json: string | null;
	after_json: string | null;
	reason: Defaulted<string>;
	created_at: Timestamp;
}

export interface SigningKeysTable {
	id: Generated<number>;
	school_id: number;
	key_id: string;
	public_key_multibase: string;
	secret_key_multibase: string;
	created_at: Timestamp;
	retired_at: Timestamp | null;
}

export interface BadgesTable {
	id: Generated<number>;
	school_id: number;
	identifier: string;
	name: string;
	description: string;
	criteria_narrative: string;
	image_mime: string;
	image_data: Uint8Array;
	layer: 'engage' | 'participate' | 'demonstrate' | 'lead';
	rule_json: string;
	active: DefaultedFlag;
	created_by: number | null;
	created_at: Timestamp;
	/** The city badge version the school adopted this from (migration 0027); null: the school's own. */
	city_badge_id: Defaulted<number | null>;
}

export interface BadgeAlignmentsTable {
	badge_id: number;
	framework_item_id: number;
}

export interface BadgeAwardsTable {
	id: Generated<number>;
	identifier: string;
	badge_id: number;
	learner_id: number | null;
	state: 'proposed' | 'requested' | 'issued' | 'declined' | 'revoked';
	request_note: Defaulted<string>;
	evidence_json: Defaulted<string>;
	recipient_name: string | null;
	credential_json: string | null;
	ob2_assertion_json: string | null;
	recipient_salt: string | null;
	issued_at: Timestamp | null;
	issued_by: number | null;
	revoked_at: Timestamp | null;
	revoked_by: number | null;
	revocation_reason: string | null;
	created_at: Timestamp;
	/** The learner's choice, per award, to show their own words on its public page (off by default). */
	show_own_words: DefaultedFlag;
	/** The learner's choice, per award, to show their teacher's comments on its public page. */
	show_teacher_comments: DefaultedFlag;
	/** Salt of the credential's hashed recipient name: private, shown to the learner only. */
	identity_salt: string | null;
	/** When a teacher declined the request (migration 0007): the learner's cool-down runs from it. */
	declined_at: Timestamp | null;
	/**
	 * The credential's revocation entry (migration 0015): its status list and index. Null for
	 * awards not issued yet, and for credentials signed before status lists until they are re-issued.
	 */
	status_list_id: number | null;
	status_list_index: number | null;
}

/** A school's Bitstring Status List (migration 0015), served signed at /schools/{slug}/status/{number}. */
export interface StatusListsTable {
	id: Generated<number>;
	school_id: number;
	/** 1, 2, … within the school: the list's public address. */
	number: number;
	purpose: 'revocation';
	/** Bits in the list (131,072, the specification's minimum for group privacy). */
	length: number;
	/** Counts changes to the list's bits. */
	revision: Defaulted<number>;
	/** The revision `credential_json` shows; a list is re-signed when it falls behind. */
	signed_revision: number | null;
	credential_json: string | null;
	created_at: Timestamp;
}

/** Every index handed out from a status list (never handed out twice), with its bit. */
export interface StatusListEntriesTable {
	list_id: number;
	status_index: number;
	revoked: DefaultedFlag;
	allocated_at: Timestamp;
	revoked_at: Timestamp | null;
}

/** An award erased with its learner: only the identifier, so its addresses answer 410 Gone. */
export interface ErasedAwardsTable {
	identifier: string;
}

export interface ExportJobsTable {
	id: string;
	school_id: number;
	requested_by: number | null;
	kind: string;
	params_json: Defaulted<string>;
	state: 'queued' | 'running' | 'done' | 'failed';
	progress: Defaulted<number>;
	total: Defaulted<number>;
	file_path: string | null;
	error: string | null;
	created_at: Timestamp;
	finished_at: Timestamp | null;
}

/** The learners an export holds (migration 0005). */
export interface ExportJobLearnersTable {
	job_id: string;
	learner_id: number;
}

/**
 * One piece of expensive work a person asked for (migration 0007), counted against their
 * allowance by `takeAllowance` in `server/limits.ts`; kept only while an allowance looks back.
 */
export interface WorkCountsTable {
	id: Generated<number>;
	user_id: number;
	action: WorkAction;
	at: Timestamp;
}

/** One-time passwords from a roster import, sealed, for the admin who ran it (migration 0012). */
export interface RosterHandoutsTable {
	id: string;
	school_id: number;
	admin_id: number;
	people: number;
	sealed: string;
	created_at: Timestamp;
	expires_at: Timestamp;
}

/** One run of one piece of scheduled work (migration 0019); see `server/jobs/queue.ts`. */
export interface JobsTable {
	id: Generated<number>;
	kind: string;
	/** Names a job that must exist once; null for one-off work. */
	key: string | null;
	payload_json: Defaulted<string>;
	run_at: Timestamp;
	state: Defaulted<'queued' | 'done' | 'failed'>;
	attempts: Defaulted<number>;
	max_attempts: Defaulted<number>;
	leased_by: string | null;
	lease_until: Timestamp | null;
	last_error: string | null;
	created_at: Timestamp;
	finished_at: Timestamp | null;
}

/** One thing one person is told, in the notification centre (migration 0020). */
export interface NotificationsTable {
	id: Generated<number>;
	user_id: number;
	kind: string;
	params_json: Defaulted<string>;
	link: string;
	dedupe_key: string | null;
	created_at: Timestamp;
	read_at: Timestamp | null;
	emailed_at: Timestamp | null;
}

export type SignInProviderKind = 'google' | 'microsoft' | 'oidc';

/** A school's OpenID Connect provider (migration 0021); the secret is sealed, see server/sso. */
export interface SignInProvidersTable {
	id: Generated<number>;
	school_id: number;
	kind: SignInProviderKind;
	label: string;
	issuer: string;
	client_id: string;
	sealed_secret: string;
	/** JSON array of lower-case e-mail domains. */
	allowed_domains: Defaulted<string>;
	enabled: DefaultedFlag;
	created_at: Timestamp;
	updated_at: Timestamp;
}

/** Which person a provider's subject is (0021). */
export interface SignInIdentitiesTable {
	provider_id: number;
	subject: string;
	user_id: number;
	created_at: Timestamp;
}

/** One started single sign-on, deleted at its callback (0021); keyed by SHA-256 of its state. */
export interface SignInAttemptsTable {
	state_hash: string;
	provider_id: number;
	sealed: string;
	created_at: Timestamp;
	expires_at: Timestamp;
}

/**
 * A learner's own dates on a task (migration 0024): null is the class's date. Read through
 * `server/tasks/effective-dates.ts`.
 */
export interface TaskExtensionsTable {
	task_id: number;
	learner_id: number;
	due_at: Timestamp | null;
	peer_opens_at: Timestamp | null;
	peer_closes_at: Timestamp | null;
	reason: Defaulted<string>;
	granted_by: number | null;
	granted_at: Timestamp;
}

/** A city (or trust) above schools (migration 0025). */
export interface CitiesTable {
	id: Generated<number>;
	name: string;
	slug: string;
	created_at: Timestamp;
}

/** Who administers a city (0025): not a member of any school by being one. */
export interface CityAdminsTable {
	city_id: number;
	user_id: number;
	created_at: Timestamp;
}

/**
 * A learner's running totals for one Fusion Skill from one school's tasks (migration 0026): level
 * = level_sum / weight. Maintained on release, agreement and change; see server/profiles.
 */
export interface LearnerSkillAggregatesTable {
	learner_id: number;
	skill_id: number;
	school_id: number;
	weight: number;
	level_sum: number;
	self_weight: number;
	self_level_sum: number;
	evidence_count: number;
	/** 0033: tasks behind the total (the sum of the per-term counts) */
	task_count: number;
	updated_at: Timestamp;
}

/** 0028: learner × skill totals per school term, with the number of tasks behind each. */
export interface LearnerTermSkillAggregatesTable {
	learner_id: number;
	skill_id: number;
	school_id: number;
	term_key: string;
	weight: number;
	level_sum: number;
	self_weight: number;
	self_level_sum: number;
	evidence_count: number;
	task_count: number;
	updated_at: Timestamp;
}

/** The groups an active learner is counted in by the report's totals (migration 0032). */
export interface ReportGroupMembersTable {
	learner_id: number;
	school_id: number;
	/** 0: the year group as a whole */
	class_id: number;
	/** the learner's year group, '' for none */
	year_key: string;
}

/** Learners per report group, with or without evidence (migration 0032). */
export interface ReportGroupSizesTable {
	school_id: number;
	class_id: number;
	year_key: string;
	learners: number;
}

/** Per report group, term ('' for all) and skill: learners with evidence, levels in thousandths (0032). */
export interface ReportGroupTotalsTable {
	school_id: number;
	class_id: number;
	year_key: string;
	term_key: string;
	skill_id: number;
	learners: number;
	level_milli_sum: number;
}

/** A city's criterion, one row per version (migration 0027); schools adopt copies. */
export interface CityCriteriaTable {
	id: Generated<number>;
	city_id: number;
	lineage_id: string;
	version: number;
	title: string;
	description: string;
	capri_item_id: number;
	scale_id: number;
	/** string[]: one descriptor per band of the (shared) scale */
	descriptors_json: string;
	/** { fusionItemId, weight }[]: the criterion's own skill weights; [] follows the crosswalk */
	skill_weights_json: string;
	created_by: number | null;
	created_at: Timestamp;
	superseded_at: Timestamp | null;
}

/** A city's task template, one row per version (0027): a teacher makes a task from it. */
export interface CityTaskTemplatesTable {
	id: Generated<number>;
	city_id: number;
	lineage_id: string;
	version: number;
	title: string;
	brief_markdown: string;
	scale_id: number;
	/** the task settings a template carries (schemas/city.ts `templateSettingsSchema`) */
	settings_json: string;
	created_by: number | null;
	created_at: Timestamp;
	superseded_at: Timestamp | null;
}

export interface CityTaskTemplateCriteriaTable {
	template_id: number;
	position: number;
	city_criterion_id: number;
	weight: number;
}

/** A city's badge, one row per version (0027): a school adopts it and issues it as its own. */
export interface CityBadgesTable {
	id: Generated<number>;
	city_id: number;
	lineage_id: string;
	version: number;
	name: string;
	description: string;
	criteria_narrative: string;
	layer: 'engage' | 'participate' | 'demonstrate' | 'lead';
	rule_json: string;
	/** number[]: Fusion Skill and CAPRI item ids */
	alignments_json: string;
	created_by: number | null;
	created_at: Timestamp;
	superseded_at: Timestamp | null;
}

export interface Database {
	schools: SchoolsTable;
	users: UsersTable;
	memberships: MembershipsTable;
	sessions: SessionsTable;
	setup_tokens: SetupTokensTable;
	login_attempts: LoginAttemptsTable;
	server_secrets: ServerSecretsTable;
	classes: ClassesTable;
	class_teachers: ClassTeachersTable;
	enrolments: EnrolmentsTable;
	frameworks: FrameworksTable;
	framework_items: FrameworkItemsTable;
	framework_associations: FrameworkAssociationsTable;
	crosswalk_weights: CrosswalkWeightsTable;
	grade_scales: GradeScalesTable;
	grade_bands: GradeBandsTable;
	criteria: CriteriaTable;
	criterion_band_descriptors: CriterionBandDescriptorsTable;
	criterion_skill_weights: CriterionSkillWeightsTable;
	tasks: TasksTable;
	task_criteria: TaskCriteriaTable;
	task_groups: TaskGroupsTable;
	task_group_members: TaskGroupMembersTable;
	submissions: SubmissionsTable;
	evidence: EvidenceTable;
	assessments: AssessmentsTable;
	peer_allocations: PeerAllocationsTable;
	contribution_ratings: ContributionRatingsTable;
	task_markers: TaskMarkersTable;
	agreed_grades: AgreedGradesTable;
	comment_bank: CommentBankTable;
	live_sessions: LiveSessionsTable;
	live_placements: LivePlacementsTable;
	audit_log: AuditLogTable;
	signing_keys: SigningKeysTable;
	badges: BadgesTable;
	badge_alignments: BadgeAlignmentsTable;
	badge_awards: BadgeAwardsTable;
	status_lists: StatusListsTable;
	status_list_entries: StatusListEntriesTable;
	erased_awards: ErasedAwardsTable;
	export_jobs: ExportJobsTable;
	export_job_learners: ExportJobLearnersTable;
	work_counts: WorkCountsTable;
	roster_handouts: RosterHandoutsTable;
	jobs: JobsTable;
	notifications: NotificationsTable;
	sign_in_cards: SignInCardsTable;
	sign_in_providers: SignInProvidersTable;
	sign_in_identities: SignInIdentitiesTable;
	sign_in_attempts: SignInAttemptsTable;
	task_extensions: TaskExtensionsTable;
	cities: CitiesTable;
	city_admins: CityAdminsTable;
	learner_skill_aggregates: LearnerSkillAggregatesTable;
	learner_term_skill_aggregates: LearnerTermSkillAggregatesTable;
	report_group_members: ReportGroupMembersTable;
	report_group_sizes: ReportGroupSizesTable;
	report_group_totals: ReportGroupTotalsTable;
	city_moderation_rounds: CityModerationRoundsTable;
	city_moderation_round_schools: CityModerationRoundSchoolsTable;
	city_moderation_moderators: CityModerationModeratorsTable;
	city_moderation_samples: CityModerationSamplesTable;
	city_moderation_marks: CityModerationMarksTable;
	city_criteria: CityCriteriaTable;
	city_task_templates: CityTaskTemplatesTable;
	city_task_template_criteria: CityTaskTemplateCriteriaTable;
	city_badges: CityBadgesTable;
}

/** A cross-school moderation round of a city (migration 0029, docs/CITY-MODERATION.md). */
export interface CityModerationRoundsTable {
	id: Generated<number>;
	city_id: number;
	title: string;
	/** the criterion codes sampled, a JSON array of strings */
	criterion_codes: string;
	per_school: number;
	/** the draw's seed: the same seed, schools, moderators and released work draw the same sample */
	seed: number;
	created_by: number | null;
	created_at: Timestamp;
	closed_at: Defaulted<Timestamp | null>;
}

export interface CityModerationRoundSchoolsTable {
	round_id: number;
	school_id: number;
}

export interface CityModerationModeratorsTable {
	round_id: number;
	teacher_id: number;
	/** the moderator's school when the round was drawn */
	school_id: number;
}

/** One sampled piece of work, known to its moderator only by its code ("Sample 7F3K"). */
export interface CityModerationSamplesTable {
	id: Generated<number>;
	round_id: number;
	code: string;
	submission_id: number;
	school_id: number;
	moderator_id: number;
	/** when the moderator had placed every criterion of the piece (null: not yet) */
	marked_at: Defaulted<Timestamp | null>;
}

/** A moderator's blind mark of one criterion of a sampled piece (0–100, as every judgement). */
export interface CityModerationMarksTable {
	sample_id: number;
	criterion_id: number;
	value: number;
	updated_at: Timestamp;
}
