"""Exporters: plan.json + the station plan → calendars, printable plan, spreadsheet."""
