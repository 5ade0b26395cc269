"""Enrollment window, enrollments, Paystack payments and the webhook."""
