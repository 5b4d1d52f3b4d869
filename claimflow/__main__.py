import sys

from claimflow.cli import main

sys.exit(main())
