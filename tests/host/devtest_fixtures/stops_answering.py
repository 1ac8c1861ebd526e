# A board that stops answering: Ctrl-C no longer interrupts and nothing is
# ever printed again, as with a crashed board or one stuck in C code.
import unittest

import micropython


class TestStopsAnswering(unittest.TestCase):
    def test_stops_answering(self):
        micropython.kbd_intr(-1)
        while True:
            pass
