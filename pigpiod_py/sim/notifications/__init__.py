"""Notification handles and the alert passes that make their reports."""
