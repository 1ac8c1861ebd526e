try:
    from functools import wraps
except ImportError:  # MicroPython: functions carry no metadata to copy
    def wraps(wrapped):
        def decorator(wrapper):
            return wrapper
        return decorator
