# A board that resets in the middle of a test (a hard fault, a watchdog, a
# brown-out). The unix runtime of the virtual board has no machine.reset():
# it kills itself instead, and the virtual board restarts it as a board
# restarts after a hard fault.
import os
import unittest

import machine


class TestResetsBoard(unittest.TestCase):
    def test_resets(self):
        if hasattr(machine, 'reset'):
            machine.reset()
        os.system('kill -KILL $PPID')
