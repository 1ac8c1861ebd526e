import unittest


class TestExhaustsMemory(unittest.TestCase):
    def test_fills_the_heap(self):
        blocks = []
        while True:
            blocks.append(bytearray(1024))

    def test_runs_after_it(self):
        self.assertEqual(len(bytearray(1024)), 1024)
