"""`python -m klaviyo_app`: the same as the `klaviyo-workbench` command."""

import sys

from klaviyo_app.launcher import main

sys.exit(main())
