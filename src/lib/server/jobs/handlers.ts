/**
 * Every kind of scheduled work, registered by importing the module that owns it. The server imports
 * this file once at start, before the runner takes its first job; a module that adds a kind of job
 * adds its import here.
 */
import '../tasks/reminders';
import '../reports/batch';
import '../roster/handouts';
