"""Storage: results in SQLite (WAL) by default or PostgreSQL by URL, behind one Store façade."""

from toolkit.storage.store import Store, attach_store, cohort_open, new_learner_id, open_store

__all__ = ["Store", "attach_store", "cohort_open", "new_learner_id", "open_store"]
