"""Into the organisation's LMS (issue 14): the LTI 1.3 tool's keys, platforms, launches and
grades, and SCORM 1.2 packages.

keys.py makes and reads the tool's signing keys; tool.py is PyLTI1p3's view of our store
(registrations, deployments, OIDC state); launches.py turns a validated launch into a
course cohort, a learner and a single-use ticket; grades.py builds and posts a finished
attempt's score; deep_linking.py answers an instructor's pick; scorm.py writes a package and
scorm_launch.py serves its learners. The web handlers live in toolkit.serving.lti.
"""
