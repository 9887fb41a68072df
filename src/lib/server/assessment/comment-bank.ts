import type { DB } from '../db/connection';
import type { SessionUser } from '../auth/sessions';
import { nowIso } from '../clock';
import { Refusal } from '../errors';

/**
 * A teacher's reusable comments: their own and any the school shares, general or for one criterion.
 */
export async function commentBankFor(db: DB, teacher: SessionUser) {
	const rows = await db
		.selectFrom('comment_bank')
		.select(['id', 'text', 'criterion_lineage_id as criterionLineageId', 'owner_id as ownerId'])
		.where('school_id', '=', teacher.schoolId)
		.where((eb) => eb.or([eb('owner_id', '=', teacher.id), eb('owner_id', 'is', null)]))
		.orderBy('text')
		.execute();
	return rows.map((r) => ({
		id: r.id,
		text: r.text,
		criterionLineageId: r.criterionLineageId,
		own: r.ownerId === teacher.id
	}));
}

export async function addToCommentBank(
	db: DB,
	teacher: SessionUser,
	input: { text: string; criterionLineageId: string | null }
) {
	const duplicate = await db
		.selectFrom('comment_bank')
		.select('id')
		.where('owner_id', '=', teacher.id)
		.where('text', '=', input.text)
		.where(
			'criterion_lineage_id',
			input.criterionLineageId === null ? 'is' : '=',
			input.criterionLineageId
		)
		.executeTakeFirst();
	if (duplicate) return duplicate.id;
	const count = await db
		.selectFrom('comment_bank')
		.select((e) => e.fn.countAll<number>().as('n'))
		.where('owner_id', '=', teacher.id)
		.executeTakeFirstOrThrow();
	if (Number(count.n) >= 500)
		throw new Refusal('Your comment bank is full (500 comments). Remove some you no longer use.');
	const { id } = await db
		.insertInto('comment_bank')
		.values({
			school_id: teacher.schoolId,
			owner_id: teacher.id,
			criterion_lineage_id: input.criterionLineageId,
			text: input.text,
			created_at: nowIso()
		})
		.returning('id')
		.executeTakeFirstOrThrow();
	return id;
}

export async function removeFromCommentBank(db: DB, teacher: SessionUser, commentId: number) {
	const result = await db
		.deleteFrom('comment_bank')
		.where('id', '=', commentId)
		.where('owner_id', '=', teacher.id)
		.executeTakeFirst();
	if (Number(result.numDeletedRows) === 0)
		throw new Refusal('That comment is not in your bank.', 404);
}
