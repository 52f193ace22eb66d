"""Hostile strings the dashboard must show verbatim as text (tests/web)."""
LONG = "A" * 10240
STRINGS = [
    "<script>window.__xss=1</script>",
    '"onmouseover="window.__xss=1',
    "javascript:window.__xss=1",
    "evil\u202eexe.txt",
    "\x1b[31mRED\x1b[0m",
    "nul\x00byte",
    "<img src=x onerror=window.__xss=1>",
]
