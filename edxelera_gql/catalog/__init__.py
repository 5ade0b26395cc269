"""Programs (cohorts), courses, weeks, lessons, the schedule and content import."""
