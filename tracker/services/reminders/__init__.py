"""Reminders: made by people, made by the rules, and the calendar feed of them."""
