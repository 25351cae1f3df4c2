import sys

from codeintel.cli import main

sys.exit(main())
