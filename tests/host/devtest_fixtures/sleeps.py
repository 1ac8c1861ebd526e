import time
import unittest


class TestSleeps(unittest.TestCase):
    def test_sleeps(self):
        print('sleeping')
        time.sleep(30)
