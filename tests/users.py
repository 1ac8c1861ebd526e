# The users the login tests log in as; portable to MicroPython.


class User:
    def __init__(self, id, name, password):
        self.id = id
        self.name = name
        self.password = password


USERS = {1: User(1, 'susan', 'hello'), 2: User(2, 'david', 'bye')}
