"""Demo data for `make run`: accounts, programs, enrollments and certificates to click through."""
