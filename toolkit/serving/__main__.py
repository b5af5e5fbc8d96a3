"""`python -m toolkit.serving NOTEBOOK [--host H] [--port P] [--room N]`: serve one app."""

import sys

from toolkit.serving.server import main

sys.exit(main())
