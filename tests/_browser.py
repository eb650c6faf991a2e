"""Helpers of tests/test_browser.py: a JupyterLab server, headless Chromium, screenshots.

- `lab` runs `kfc-lab` as a server (tests/_lab.py: 127.0.0.1, a free port, a
  random token, its own HOME and Jupyter folders) and checks that once it stopped
  nothing it started still runs (kernels included).
- `chromium` starts Debian's headless Chromium through its chromedriver
  (`/usr/bin/chromium`, `/usr/bin/chromedriver`, from the `chromium` and
  `chromium-driver` packages) with a throw-away profile, kept off the network: every
  address but the loopback one goes to a proxy that does not exist, and the
  background services that would call home are off. `offsite_requests` lists what a
  page asked for from anywhere else, so a test can also check it.
- `screenshot_on_failure` wraps a test: when it fails, the page is saved as a PNG
  under the test's `tmp_path` and the failure message names the file.
"""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import time
from pathlib import Path

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
INSTALL = ("headless Chromium and its driver are needed: `apt-get install chromium "
           "chromium-driver` (Debian; .ci/run installs them as root)")


def _descendants(pid: int) -> set[int]:
    """The processes `pid` started, at any depth (read from /proc)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(stat.parent.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@contextlib.contextmanager
def lab(*arguments: str, home: Path, cwd: Path):
    """`kfc-lab <arguments>` as a server (tests/_lab.py's `kfc_lab`), on 127.0.0.1.

    Afterwards nothing it started runs: the processes the server started (kernels,
    the kernel of nbgrader's Validate) are read just before it is stopped, and any
    still running once it stopped is killed and named in an AssertionError.
    """
    from _lab import kfc_lab

    started: set[int] = set()
    with kfc_lab(*arguments, home=home, cwd=cwd) as server:
        try:
            yield server
        finally:
            started = _descendants(server.process.pid) | {server.process.pid}
    deadline = time.monotonic() + 10
    while any(map(_alive, started)) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = sorted(pid for pid in started if _alive(pid))
    for pid in left:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    assert not left, f"processes of the JupyterLab server still ran after it stopped: {left}"


@contextlib.contextmanager
def chromium(profile: Path, javascript: bool = True, width: int = 1400, height: int = 1000):
    """Headless Chromium driven by Selenium, with its profile in `profile`, off the network."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    if not (CHROMIUM.is_file() and CHROMEDRIVER.is_file()):
        raise RuntimeError(INSTALL)
    profile.mkdir(parents=True, exist_ok=True)
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in (
        "--headless=new", f"--window-size={width},{height}", f"--user-data-dir={profile}",
        "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
        # Off the network: every address but the loopback one goes to a dead proxy, and
        # the services that would call home are off.
        "--proxy-server=http://127.0.0.1:9", "--no-first-run", "--no-default-browser-check",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-default-apps", "--disable-extensions", "--no-pings",
        "--disable-domain-reliability", "--disable-client-side-phishing-detection",
        "--disable-features=Translate,OptimizationHints,MediaRouter,AutofillServerCommunication",
        "--metrics-recording-only", "--lang=en-US",
    ):
        options.add_argument(argument)
    if not javascript:
        options.add_experimental_option(
            "prefs", {"profile.managed_default_content_settings.javascript": 2})
    # The driver is named: Selenium Manager, which would look one up online, is not run.
    service = Service(executable_path=str(CHROMEDRIVER),
                      env={**os.environ, "HOME": str(profile)})
    driver = webdriver.Chrome(service=service, options=options)
    try:
        yield driver
    finally:
        driver.quit()


def offsite_requests(driver, base: str) -> list[str]:
    """What the page asked for from anywhere but `base` (or data: and blob: URLs)."""
    names = driver.execute_script(
        "return [location.href].concat(performance.getEntriesByType('resource')"
        ".map(entry => entry.name))")
    return [name for name in names
            if not name.startswith((base, "data:", "blob:", "file:", "about:"))]


def screenshot_on_failure(test):
    """Wraps a test taking a WebDriver fixture and `tmp_path`: on failure, a screenshot.

    The page is saved as `tmp_path/failure-<test>.png` and the failure is raised again
    as an AssertionError whose message ends with the file's path.
    """
    @functools.wraps(test)
    def wrapper(*args, **kwargs):
        try:
            return test(*args, **kwargs)
        except Exception as error:
            driver = next((value for value in kwargs.values()
                           if hasattr(value, "save_screenshot")), None)
            if driver is None:
                raise
            path = kwargs["tmp_path"] / f"failure-{test.__name__}.png"
            try:
                driver.save_screenshot(str(path))
                where = f"screenshot of the page: {path}"
            except Exception as screenshot_error:  # noqa: BLE001 - reported, not hidden
                where = f"no screenshot ({type(screenshot_error).__name__}: {screenshot_error})"
            message = error if isinstance(error, AssertionError) else (
                f"{type(error).__name__}: {error}")
            raise AssertionError(f"{message}\n{where}") from error

    return wrapper
