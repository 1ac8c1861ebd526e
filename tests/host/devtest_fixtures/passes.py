import unittest


class TestPasses(unittest.TestCase):
    def test_adds(self):
        self.assertEqual(1 + 1, 2)

    @unittest.skip('shows a skip reason')
    def test_skipped(self):
        pass
