#!/usr/bin/python3
"""smtpd_capture.py's server (real aiosmtpd), and every AUTH command the
client sends written to DIR/auth.log with whether the connection was
encrypted then ("AUTH tls=0 PLAIN"), so a test can show that credentials
never went out in clear.  Same options as smtpd_capture.py."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import smtpd_capture  # noqa: E402
from aiosmtpd.smtp import SMTP  # noqa: E402


class LoggingSMTP(SMTP):
    async def smtp_AUTH(self, arg):
        d = self.event_handler.dir
        mech = (arg or "").split(" ", 1)[0]
        with open(os.path.join(d, "auth.log"), "a") as f:
            f.write("AUTH tls=%d %s\n" % (1 if self._tls_protocol else 0, mech))
        return await super().smtp_AUTH(arg)


smtpd_capture.SMTP = LoggingSMTP
if __name__ == "__main__":
    smtpd_capture.main()
