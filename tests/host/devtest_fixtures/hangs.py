import time
import unittest


class TestHangs(unittest.TestCase):
    def test_never_ends(self):
        while True:
            time.sleep(0.01)
