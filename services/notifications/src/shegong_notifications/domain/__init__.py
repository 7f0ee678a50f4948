"""Pure rules of notifying, no database: a decider per aggregate (rule, recipient, notification,
reminder), and the matching, timing, templates and retry schedule the planner and courier use."""
