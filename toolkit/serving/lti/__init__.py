"""The LMS routes' web side: a small Tornado app beside Voilà (issue 14).

`safeshare serve` starts it (companion.py) once `safeshare lti keygen` has made a key. It
answers the LTI 1.3 OIDC login and launch (PyLTI1p3 behind adapters.py), publishes the
tool's JWKS, serves the Deep Linking picker, and the SCORM package pages' launch and status
calls (app.py, pages.py); its worker thread posts finished attempts' grades to the LMS and
retries failures (worker.py). course_sign_in.py signs an LMS instructor into the trainer
server for their course only. Importing this package imports nothing.
"""
