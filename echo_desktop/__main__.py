import sys

from echo_desktop.cli import main

sys.exit(main())
