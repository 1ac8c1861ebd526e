import unittest


class TestFailsOnPurpose(unittest.TestCase):
    def test_passes(self):
        self.assertTrue(True)

    def test_fails(self):
        self.assertEqual('board', 'host', 'deliberate failure')
