import sys

from drills.run import main

sys.exit(main(sys.argv[1:]))
