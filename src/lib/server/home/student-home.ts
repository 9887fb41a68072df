import type { DB } from '../db/connection';
import type { SessionUser } from '../auth/sessions';
import { listLearnerTasks } from '../tasks/tasks';
import { myReviews } from '../peer/reviewing';
import { openLiveSessionsFor } from '../live/live';
import {
	byWhatToDoNext,
	isNewlyReleased,
	isOverdue,
	openTaskState
} from '../../domain/task-status';

/**
 * What a learner should do next, for their home page: open tasks (not yet released), the peer
 * reviews they can do now, live sessions open in their classes, results released in the last
 * `NEW_RESULTS_DAYS` days (and the earlier ones, so no result is out of reach). Each list comes
 * from one set-based query over all their classes.
 */
export async function studentHome(db: DB, learner: SessionUser, now: Date) {
	const [tasks, reviews, live] = await Promise.all([
		listLearnerTasks(db, learner.id),
		myReviews(db, learner),
		openLiveSessionsFor(db, learner)
	]);
	const openTasks = tasks
		.filter((t) => t.status !== 'released')
		.map((t) => {
			const state = openTaskState(t.status);
			return {
				id: t.id,
				title: t.title,
				className: t.className,
				dueAt: t.dueAt,
				state,
				/** marked but not released yet: the learner is told results are coming */
				marked: t.status === 'assessed',
				overdue: isOverdue(t.dueAt, state, now)
			};
		})
		.sort(byWhatToDoNext);
	const released = tasks
		.filter((t) => t.status === 'released')
		.map((t) => ({ id: t.id, title: t.title, className: t.className, releasedAt: t.releasedAt! }))
		.sort((a, b) => b.releasedAt.localeCompare(a.releasedAt));
	const newResults = released.filter((t) => isNewlyReleased(t.releasedAt, now));
	const earlierResults = released.filter((t) => !isNewlyReleased(t.releasedAt, now));
	// A review waits for the learner while it is not submitted, not set aside and its window is open
	// (the same words and numbering as the peer reviews page).
	const reviewsToDo = reviews
		.filter((r) => r.state !== 'submitted' && !r.setAside && r.window.open)
		.map((r) => ({
			id: r.id,
			taskTitle: r.taskTitle,
			className: r.className,
			workLabel: r.workLabel,
			started: r.state === 'in_progress',
			closes: r.window.reason
		}));
	return { openTasks, reviewsToDo, liveSessions: live, newResults, earlierResults };
}
