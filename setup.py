"""The one compiled part of triage: optional C loops (native/triage_native.c).

Everything else is declared in pyproject.toml. The extension is optional: where it cannot be
compiled (no C compiler), the install goes on and triage uses the same loops in Python.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "_philly_triage_native",
            sources=["native/triage_native.c"],
            extra_compile_args=["-O3"] if __import__("sys").platform != "win32" else [],
            optional=True,
        )
    ]
)
