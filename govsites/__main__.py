import sys

from govsites.cli import main

sys.exit(main())
