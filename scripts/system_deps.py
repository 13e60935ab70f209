"""Install the Debian packages the test suite needs when they are missing and we can (root, apt-get)."""

import os
import shutil
import subprocess
import sys

#: command -> Debian package
NEEDED = {
    "redis-server": "redis-server",
    "chromium": "chromium",
    "npm": "npm",
    "pg_dump": "postgresql-client",  # deploy/backup.sh and its test
    "pdftoppm": "poppler-utils",  # the browser journeys look at each page of the PDFs Pelita makes, as pictures
}


def main() -> None:
    missing = [package for command, package in NEEDED.items() if shutil.which(command) is None]
    missing = [package for package in missing if package != "npm" or shutil.which("node") is None]
    if not missing:
        return
    if os.geteuid() != 0 or shutil.which("apt-get") is None:
        sys.exit(f"Missing system packages: {' '.join(missing)}. Install them (apt-get install {' '.join(missing)}).")
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing], check=True, env=env)


if __name__ == "__main__":
    main()
