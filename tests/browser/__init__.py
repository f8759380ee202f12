"""Real-browser tests of the page (Playwright driving Debian's Chromium against a live server)."""
