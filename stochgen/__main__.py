"""Allow ``python -m stochgen``."""

import sys

from stochgen.cli import main

sys.exit(main())
