#!/usr/bin/python3
"""pty_answer.py ANSWER[|ANSWER...] CMD...: run CMD on a new pseudo-terminal
(its controlling terminal and standard input), type the next ANSWER (the
last one again when they run out) and a newline after each prompt ending
in ": ", and print everything the terminal showed.
Exits with CMD's status.  A test sees whether a secret prompt came and
whether what was typed was echoed."""
import os
import pty
import select
import signal
import sys

answers = sys.argv[1].encode().split(b"|")
pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[2], sys.argv[2:])
out = b""
pending = b""
while True:
    r, _, _ = select.select([fd], [], [], 10)
    if not r:
        os.kill(pid, signal.SIGKILL)    # waiting for more than an answer
        break
    try:
        data = os.read(fd, 4096)
    except OSError:
        break
    if not data:
        break
    out += data
    pending += data
    if pending.rstrip(b" ").endswith(b":"):
        pending = b""
        os.write(fd, (answers.pop(0) if len(answers) > 1 else answers[0]) + b"\n")
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode("utf-8", "replace"))
sys.exit(os.waitstatus_to_exitcode(status))
