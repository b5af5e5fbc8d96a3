"""Alembic environment: the engine comes from toolkit.storage.migrate, never from an ini file."""

from alembic import context

from toolkit.storage.tables import metadata

engine = context.config.attributes["engine"]
with engine.connect() as connection:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
    connection.commit()
