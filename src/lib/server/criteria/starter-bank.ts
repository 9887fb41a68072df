/**
 * The starter criteria bank every new school receives: 25 criteria across the five CAPRI
 * categories that together reach all 12 Fusion Skills, written for secondary-school tasks. Band
 * descriptors follow the default five-band school scale (Not yet → Excelling).
 */
export interface StarterCriterion {
	subCategory: string;
	title: string;
	description: string;
	bands: [string, string, string, string, string];
}

export const STARTER_BANK: StarterCriterion[] = [
	// ── C Communication and collaboration ──
	{
		subCategory: 'C1',
		title: 'Presenting your work aloud',
		description:
			'You present your work to an audience so they understand what you did, why, and what you found. Think about structure, voice, eye contact and visual aids.',
		bands: [
			'The presentation is not yet ready, or is read word for word with the audience ignored.',
			'Some key points come across, but it is hard to follow and mostly read from notes.',
			'The main points are clear and in a sensible order; delivery is audible but sometimes hesitant.',
			'Clear structure, confident delivery and good use of visuals; the audience can follow easily.',
			'Engaging and persuasive: you adapt to the audience, handle the unexpected and make people care.'
		]
	},
	{
		subCategory: 'C1',
		title: 'Explaining and answering questions',
		description:
			'You explain your thinking when asked and answer questions about your work accurately and honestly, including saying what you do not know.',
		bands: [
			'Questions are not yet answered, or answers do not relate to the question.',
			'Some answers are given but are vague or need a lot of prompting.',
			'Most questions get a relevant answer, with some explanation of your reasons.',
			'Answers are accurate and well reasoned, with examples from your work.',
			'You answer thoughtfully, build on questions, and admit and explore uncertainty.'
		]
	},
	{
		subCategory: 'C2',
		title: 'Writing clearly for your reader',
		description:
			'Your written work (report, write-up, portfolio) is organised, accurate and suited to its reader and purpose.',
		bands: [
			'The writing is not yet organised enough for a reader to follow.',
			'Some ideas are clear, but organisation, spelling or grammar get in the way.',
			'Mostly clear, with paragraphs and mostly accurate spelling and grammar.',
			'Well organised, accurate and in a style that suits the reader and purpose.',
			'Precise, fluent and compelling; every part earns its place.'
		]
	},
	{
		subCategory: 'C3',
		title: 'Sharing the work of a team',
		description:
			'You do your fair share of team work, keep your promises to the team and help others contribute.',
		bands: [
			'Little contribution to the team yet, or work that was promised was not done.',
			'Some contribution, but mainly when reminded; others carried much of the load.',
			'A fair share of the work, done reliably, with some support for others.',
			'A full, reliable share; you help the team plan, share tasks and include everyone.',
			'You strengthen the whole team: resolving disagreements, drawing in quieter members, lifting quality.'
		]
	},
	{
		subCategory: 'C4',
		title: 'Giving and using feedback',
		description:
			'You give others specific, kind and useful feedback, and you act on the feedback you receive.',
		bands: [
			'Feedback is not yet given or used.',
			'Feedback is general ("it\'s good"), and feedback received is mostly not acted on.',
			'Feedback names specific points; you act on some feedback you receive.',
			'Specific, constructive feedback linked to the criteria; you act on feedback and can show how.',
			'Your feedback helps others improve significantly; you seek feedback out and use it to transform your work.'
		]
	},
	// ── A Attitudes and values ──
	{
		subCategory: 'A1',
		title: 'Taking the initiative',
		description:
			'You start things without being told: you spot what needs doing, suggest ideas and take the first step.',
		bands: [
			'You wait to be told what to do at each step.',
			'You occasionally start something yourself, usually after a prompt.',
			'You often start tasks and suggest next steps without being asked.',
			'You regularly spot what is needed and act on it, keeping others informed.',
			'You create opportunities: proposing and leading new work that others join.'
		]
	},
	{
		subCategory: 'A2',
		title: 'Keeping going when it gets hard',
		description:
			'When the work becomes difficult or something goes wrong, you keep trying, look for another way and ask for help when you need it.',
		bands: [
			'You stop when the work becomes difficult.',
			'You keep going for a while, but give up on the hardest parts.',
			'You keep trying through most difficulties, sometimes with encouragement.',
			'You persist through setbacks, trying new approaches and asking for help at the right time.',
			'You treat setbacks as part of the work, stay positive and help others keep going too.'
		]
	},
	{
		subCategory: 'A2',
		title: 'Learning from mistakes',
		description: 'You notice what went wrong, work out why, and change what you do next time.',
		bands: [
			'Mistakes are not yet noticed or are ignored.',
			'You notice some mistakes but do not yet say why they happened.',
			'You explain what went wrong and fix it in this piece of work.',
			'You explain causes and change how you work, with evidence of the change.',
			'You actively look for your own errors and turn them into lasting improvements.'
		]
	},
	{
		subCategory: 'A3',
		title: 'Adapting when things change',
		description:
			'When plans, materials, roles or deadlines change, you adjust calmly and find a way forward.',
		bands: [
			'A change stops your progress.',
			'You adjust to a change with a lot of help.',
			'You adjust to most changes and carry on, with some help.',
			'You adapt calmly, rework your plan and keep the quality up.',
			'You anticipate change, turn it to advantage and help others adapt.'
		]
	},
	{
		subCategory: 'A4',
		title: 'Taking responsibility for your work',
		description:
			'You own your work: you are honest about what you did, look after shared resources and follow through on commitments.',
		bands: [
			'You do not yet take responsibility for your part of the work.',
			'You take responsibility for some of your work when reminded.',
			'You usually follow through and are honest about progress.',
			"You reliably follow through, credit others' work and are open about problems.",
			'You are trusted to manage your own and shared work with full integrity.'
		]
	},
	// ── P Practical and professional skills ──
	{
		subCategory: 'P1',
		title: 'Planning and managing your time',
		description:
			'You break the task into steps, estimate how long each takes, and use your plan to stay on track.',
		bands: [
			'There is no plan yet, and time runs out.',
			'A simple list of steps exists but is not used to manage time.',
			'A plan with steps and rough timings, followed most of the time.',
			'A realistic plan with priorities and deadlines, reviewed and adjusted as you go.',
			'Expert planning: you manage several tasks at once, prioritise well and finish with time to improve.'
		]
	},
	{
		subCategory: 'P1',
		title: 'Meeting deadlines and milestones',
		description:
			'You hand in each stage of the work on time, or agree a new date in advance when you cannot.',
		bands: [
			'Deadlines are missed without warning.',
			'Some deadlines are met; others are missed or rushed.',
			'Most deadlines are met, with late work explained.',
			'Every deadline is met or renegotiated early, with work of consistent quality.',
			'Deadlines are met with time to spare for checking and improvement.'
		]
	},
	{
		subCategory: 'P2',
		title: 'Working independently',
		description:
			'You make progress on your own: deciding what to do next, finding resources and solving small problems before asking.',
		bands: [
			'You need help at almost every step.',
			'You work alone for short periods, then need direction.',
			'You work alone on familiar parts and ask for help with new ones.',
			'You work independently for long stretches, making sensible decisions and using resources.',
			'You direct your own learning, set your own goals and go beyond the brief.'
		]
	},
	{
		subCategory: 'P3',
		title: 'Using tools and techniques accurately',
		description:
			'You choose suitable tools, equipment, software or methods and use them accurately and safely.',
		bands: [
			'Tools or techniques are not yet used correctly or safely.',
			'Basic use of tools with frequent errors or help needed.',
			'Tools are used correctly for most of the work with some accuracy.',
			'Tools and techniques are chosen well and used accurately and safely throughout.',
			'Skilled, precise use; you teach or adapt techniques for new purposes.'
		]
	},
	{
		subCategory: 'P4',
		title: 'Presenting a finished product',
		description:
			'Your final product (object, document, performance, website) is finished and presented professionally for its audience.',
		bands: [
			'The product is not finished.',
			'The product is finished in parts; presentation is rough.',
			'The product is complete and mostly neat and usable.',
			'A polished product with attention to detail that suits its audience.',
			'A product of professional standard that an outside audience would value.'
		]
	},
	// ── R Research and critical thinking ──
	{
		subCategory: 'R1',
		title: 'Researching and recording sources',
		description:
			'You find information from several relevant sources, judge how reliable they are and record where it came from.',
		bands: [
			'No research yet, or information is copied without a source.',
			'One or two sources used, with little note of where they came from.',
			'Several relevant sources, recorded, with some comment on reliability.',
			'A range of reliable sources, well recorded, chosen for their quality.',
			'Wide, critical research that compares sources and finds what others missed.'
		]
	},
	{
		subCategory: 'R2',
		title: 'Questioning and building an argument',
		description:
			'You question claims and assumptions (including your own) and build a reasoned argument from evidence.',
		bands: [
			'Claims are accepted or made without reasons.',
			'Some reasons are given, but evidence is thin and assumptions unquestioned.',
			'A clear argument with reasons and some evidence; some assumptions questioned.',
			'A well-reasoned argument that weighs evidence and considers other views.',
			'A sophisticated argument that anticipates objections and reaches a justified conclusion.'
		]
	},
	{
		subCategory: 'R3',
		title: 'Analysing information or data',
		description:
			'You break information or data down, look for patterns and explain what they mean.',
		bands: [
			'Information is described but not yet analysed.',
			'Some patterns are noticed, with little explanation.',
			'Patterns are identified and partly explained.',
			'Thorough analysis with patterns, anomalies and explanations supported by the data.',
			'Insightful analysis that draws out non-obvious conclusions and their limits.'
		]
	},
	{
		subCategory: 'R3',
		title: 'Evaluating your own work against the criteria',
		description:
			'You judge the strengths and weaknesses of your own work honestly, using the criteria, and say how to improve it.',
		bands: [
			'No judgement of your own work yet.',
			'General comments ("it went well") with little link to the criteria.',
			'Some strengths and weaknesses named, linked to the criteria.',
			'An honest, balanced evaluation against each criterion, with clear next steps.',
			'A precise, self-critical evaluation that matches expert judgement and drives real improvement.'
		]
	},
	{
		subCategory: 'R4',
		title: 'Solving problems methodically',
		description:
			'You work out what the problem really is, try approaches in a sensible order and check whether your solution works.',
		bands: [
			'The problem is not yet understood or attempted.',
			'You try one approach; if it fails you are stuck.',
			'You define the problem and try more than one approach.',
			'A methodical approach: defining, testing options and checking the solution against the need.',
			'Elegant solutions to complex problems, with your method explained so others can reuse it.'
		]
	},
	// ── I Innovation and creativity ──
	{
		subCategory: 'I1',
		title: 'Generating a range of ideas',
		description:
			'You come up with many different ideas before choosing one, including unusual ones that draw on other subjects.',
		bands: [
			'Only one idea, or none yet.',
			'A few similar ideas, mostly obvious.',
			'Several different ideas, with some originality.',
			'A wide range of ideas, some original, drawing on more than one discipline.',
			'Highly original ideas that combine disciplines in ways that surprise.'
		]
	},
	{
		subCategory: 'I2',
		title: 'Experimenting and taking creative risks',
		description:
			'You try things you are not sure will work, record what happens, and learn from the results.',
		bands: [
			'You stick to what is safe and familiar.',
			'You try a small change when encouraged.',
			'You try some new approaches and note what happened.',
			'You deliberately experiment, record results and use them to choose a direction.',
			'Bold, well-judged experiments that open up new possibilities.'
		]
	},
	{
		subCategory: 'I3',
		title: 'Developing an idea through iteration',
		description:
			'You improve your idea through drafts, prototypes or versions, using testing and feedback each time.',
		bands: [
			'The first version is the final version.',
			'A second version with small changes.',
			'Several versions, each improved, with reasons for the changes.',
			'Clear iterations driven by testing and feedback, each better than the last.',
			'Sustained, insightful iteration that transforms the idea into a strong solution.'
		]
	},
	{
		subCategory: 'I1',
		title: 'Making connections between subjects',
		description:
			'You bring knowledge or methods from other subjects, the arts, technology or business into your work (the "fusion" in Fusion Skills).',
		bands: [
			'The work draws on one subject only.',
			'A link to another subject is mentioned but not used.',
			'Knowledge from another subject is used in part of the work.',
			'Ideas from different fields are combined purposefully to improve the work.',
			'Disciplines are fused to create something neither could produce alone.'
		]
	},
	{
		subCategory: 'I4',
		title: 'Applying ideas to a real need',
		description:
			'You connect your idea to a real audience, user or market and show how it meets their need.',
		bands: [
			'No user or audience is identified yet.',
			'A user is named, but their needs are guessed.',
			'The idea responds to a real need that you have asked about.',
			'The idea is shaped by evidence from real users and tested with them.',
			'A convincing, tested case that the idea creates real value for its users.'
		]
	}
];
