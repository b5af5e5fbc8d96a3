"""Widgets: ipywidgets views over decisions, feedback, dashboards and reviews. No storage here."""
