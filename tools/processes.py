"""Ending a child process a tool started: asked first, then made to."""
import subprocess


def stop(proc, grace=5):
    """Terminate proc, and kill it if it has not ended within grace
    seconds."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
