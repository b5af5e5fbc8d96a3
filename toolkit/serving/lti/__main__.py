"""`python -m toolkit.serving.lti`: see toolkit.serving.lti.main."""

import sys

from toolkit.serving.lti.main import main

sys.exit(main())
