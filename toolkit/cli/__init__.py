"""The `safeshare` command: each verb parses its arguments, calls one toolkit function, renders.

core.py holds the group and the verbs on case files and servers, workshop.py the trainer's
verbs (cohorts, exports, purge, learner data, the trainer server), author.py `safeshare new`,
detector.py `safeshare detector` (training and evaluating the rationale detector), lms.py
`safeshare lti` and `safeshare scorm` (the LMS routes).
Each module only defines its verbs; they are added to the one group here.
"""

from toolkit.cli import author, detector, lms, workshop
from toolkit.cli.core import cli

for _verb in (author.new, *workshop.COMMANDS, *detector.COMMANDS, *lms.COMMANDS):
    cli.add_command(_verb)

__all__ = ["cli"]
