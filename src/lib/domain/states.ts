/**
 * The fixed vocabularies of the school's data, each written once as a tuple: the database types
 * (server/db/schema.ts), the zod schemas and the domain rules all derive from these.
 */

/** What a person is in a school; one person may hold several. */
export const ROLES = ['admin', 'teacher', 'student'] as const;
export type Role = (typeof ROLES)[number];

/** A task is drafted, published to its class, then archived. */
export const TASK_STATES = ['draft', 'published', 'archived'] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** Where a learner's own judgement of a task stands; submitted locks it. */
export const SELF_STATES = ['not_started', 'in_progress', 'submitted'] as const;
export type SelfState = (typeof SELF_STATES)[number];

/** When a teacher sees the learner's own marker: always, or only after placing their own. */
export const SELF_MARKER_VISIBILITIES = ['always', 'after_teacher'] as const;
export type SelfMarkerVisibility = (typeof SELF_MARKER_VISIBILITIES)[number];

/** How peer reviewers are allocated to work. */
export const PEER_ALLOCATIONS = ['random', 'groups', 'manual'] as const;
export type PeerAllocation = (typeof PEER_ALLOCATIONS)[number];

/** Who made a judgement of a piece of work. */
export const ASSESSOR_ROLES = ['self', 'peer', 'teacher'] as const;
export type AssessorRole = (typeof ASSESSOR_ROLES)[number];

/** Expensive work counted per person against an allowance (`server/limits.ts`, `work_counts`). */
export const WORK_ACTIONS = ['learner_report_pdf', 'batch_export', 'live_join_code'] as const;
export type WorkAction = (typeof WORK_ACTIONS)[number];
