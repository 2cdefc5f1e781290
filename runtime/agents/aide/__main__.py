import sys

from podium.runtime.agents.aide.main import main

sys.exit(main())
